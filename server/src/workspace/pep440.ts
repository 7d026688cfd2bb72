/**
 * A small subset of PEP 440 (versions and specifiers) plus the Poetry specifier dialect, reduced to
 * what the rules need: "which interval of versions does this requirement allow?".
 *
 * Deliberate simplifications:
 * - epochs are parsed but only compared, never printed in bounds unless present;
 * - local versions (`+cpu`, `+cu121`) are ignored for comparison (torch wheels carry them);
 * - `!=` exclusions do not shape the interval (they punch holes, never move its ends);
 * - wildcard lower bounds (`==2.5.*`) start at the release itself ("2.5"), not at "2.5.dev0".
 */
import type { VersionBound } from './workspace-facts';

/** The versions a specifier allows, as a single interval. No bound on a side means "unbounded". */
export interface VersionInterval { min?: VersionBound; max?: VersionBound }

export interface ParsedVersion {
  epoch: number;
  release: number[];
  /** Pre-release phase normalized to a / b / rc. */
  pre?: { phase: 'a' | 'b' | 'rc'; number: number };
  post?: number;
  dev?: number;
  local?: string;
}

const VERSION_PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(\\d+)!)?' + // epoch
    '(\\d+(?:\\.\\d+)*)' + // release
    '(?:[-_.]?(alpha|beta|preview|pre|a|b|c|rc)[-_.]?(\\d+)?)?' + // pre-release
    '(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?' + // post-release (incl. the implicit "-1" form)
    '(?:[-_.]?(dev)[-_.]?(\\d+)?)?' + // development release
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local version label
    '\\s*$',
  'i',
);

const PRE_PHASES: Record<string, 'a' | 'b' | 'rc'> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' };

export function parseVersion(text: string): ParsedVersion | undefined {
  const m = VERSION_PATTERN.exec(text);
  if (!m) return undefined;
  const version: ParsedVersion = {
    epoch: m[1] ? Number(m[1]) : 0,
    release: m[2].split('.').map(Number),
  };
  if (m[3]) version.pre = { phase: PRE_PHASES[m[3].toLowerCase()], number: m[4] ? Number(m[4]) : 0 };
  if (m[5] !== undefined) version.post = Number(m[5]);
  else if (m[6]) version.post = m[7] ? Number(m[7]) : 0;
  if (m[8]) version.dev = m[9] ? Number(m[9]) : 0;
  if (m[10]) version.local = m[10].toLowerCase();
  return version;
}

/** Canonical text of a version without its local label ("2.5.1rc1", "1!2.0.post1"); undefined when invalid. */
export function normalizeVersion(text: string): string | undefined {
  const v = parseVersion(text);
  return v ? formatVersion(v) : undefined;
}

function formatVersion(v: ParsedVersion): string {
  let out = (v.epoch ? `${v.epoch}!` : '') + v.release.join('.');
  if (v.pre) out += `${v.pre.phase}${v.pre.number}`;
  if (v.post !== undefined) out += `.post${v.post}`;
  if (v.dev !== undefined) out += `.dev${v.dev}`;
  return out;
}

const PHASE_ORDER = { a: 0, b: 1, rc: 2 };

/**
 * Sort key pieces following PEP 440 ordering: X.dev < X.a < X.b < X.rc < X < X.post.
 * A dev release of a final version sorts before its pre-releases, hence the special case.
 */
function preKey(v: ParsedVersion): number[] {
  if (v.pre) return [PHASE_ORDER[v.pre.phase], v.pre.number];
  if (v.post === undefined && v.dev !== undefined) return [-Infinity];
  return [Infinity];
}

function compareNumberLists(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function compareParsed(a: ParsedVersion, b: ParsedVersion): number {
  return (
    compareNumberLists([a.epoch], [b.epoch]) ||
    compareNumberLists(a.release, b.release) || // missing segments count as 0, so 2.6 == 2.6.0
    compareNumberLists(preKey(a), preKey(b)) ||
    compareNumberLists([a.post ?? -Infinity], [b.post ?? -Infinity]) ||
    compareNumberLists([a.dev ?? Infinity], [b.dev ?? Infinity])
  );
}

/** Loose fallback so comparison never throws on junk: the leading dotted number, else 0. */
function parseLoosely(text: string): ParsedVersion {
  const m = /\d+(?:\.\d+)*/.exec(text);
  return { epoch: 0, release: m ? m[0].split('.').map(Number) : [0] };
}

/** Negative when a < b, 0 when equal (ignoring local labels), positive when a > b. */
export function compareVersions(a: string, b: string): number {
  return compareParsed(parseVersion(a) ?? parseLoosely(a), parseVersion(b) ?? parseLoosely(b));
}

// ---- intervals ----

function tighterMin(a: VersionBound | undefined, b: VersionBound | undefined): VersionBound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = compareVersions(a.version, b.version);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive && !b.inclusive ? b : a; // at equal versions the exclusive bound is the tighter one
}

function tighterMax(a: VersionBound | undefined, b: VersionBound | undefined): VersionBound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = compareVersions(a.version, b.version);
  if (c !== 0) return c < 0 ? a : b;
  return a.inclusive && !b.inclusive ? b : a;
}

function looserMin(a: VersionBound | undefined, b: VersionBound | undefined): VersionBound | undefined {
  if (!a || !b) return undefined;
  const c = compareVersions(a.version, b.version);
  if (c !== 0) return c < 0 ? a : b;
  return !a.inclusive && b.inclusive ? b : a;
}

function looserMax(a: VersionBound | undefined, b: VersionBound | undefined): VersionBound | undefined {
  if (!a || !b) return undefined;
  const c = compareVersions(a.version, b.version);
  if (c !== 0) return c > 0 ? a : b;
  return !a.inclusive && b.inclusive ? b : a;
}

function interval(min: VersionBound | undefined, max: VersionBound | undefined): VersionInterval {
  const out: VersionInterval = {};
  if (min) out.min = min;
  if (max) out.max = max;
  return out;
}

/** Versions allowed by both. May be empty (see `isEmptyInterval`). */
export function intersectIntervals(a: VersionInterval, b: VersionInterval): VersionInterval {
  return interval(tighterMin(a.min, b.min), tighterMax(a.max, b.max));
}

/** The smallest single interval containing both (used for `||` alternatives). */
export function hullOfIntervals(a: VersionInterval, b: VersionInterval): VersionInterval {
  return interval(looserMin(a.min, b.min), looserMax(a.max, b.max));
}

export function isEmptyInterval(i: VersionInterval): boolean {
  if (!i.min || !i.max) return false;
  const c = compareVersions(i.min.version, i.max.version);
  return c > 0 || (c === 0 && !(i.min.inclusive && i.max.inclusive));
}

/** True when `version` lies inside the interval. */
export function intervalContains(i: VersionInterval, version: string): boolean {
  if (i.min) {
    const c = compareVersions(version, i.min.version);
    if (c < 0 || (c === 0 && !i.min.inclusive)) return false;
  }
  if (i.max) {
    const c = compareVersions(version, i.max.version);
    if (c > 0 || (c === 0 && !i.max.inclusive)) return false;
  }
  return true;
}

/** Every version the constraint allows is >= `version` (e.g. "torch is pinned to a fixed release"). Needs a lower bound. */
export function allowsOnlyAtLeast(constraint: VersionInterval, version: string): boolean {
  return constraint.min !== undefined && compareVersions(constraint.min.version, version) >= 0;
}

/** Every version the constraint allows is < `version` (e.g. "torch is pinned below 2.6"). Needs an upper bound. */
export function allowsOnlyBelow(constraint: VersionInterval, version: string): boolean {
  if (!constraint.max) return false;
  const c = compareVersions(constraint.max.version, version);
  return c < 0 || (c === 0 && !constraint.max.inclusive);
}

// ---- specifiers ----

type Operator = '===' | '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '^' | '~' | '=' | '';

const CLAUSE = /\s*(===|~=|==|!=|<=|>=|<|>|\^|~|=)?\s*([A-Za-z0-9*][A-Za-z0-9.*+!_-]*)\s*,?/y;

/** Release prefix bumped at `index` and truncated after it: bump([2,5,1], 1) → "2.6". */
function bumped(release: number[], index: number): string {
  const head = release.slice(0, index + 1);
  while (head.length <= index) head.push(0);
  head[index] += 1;
  return head.join('.');
}

const inclusive = (version: string): VersionBound => ({ version, inclusive: true });
const exclusive = (version: string): VersionBound => ({ version, inclusive: false });

/** The interval of one clause; undefined when the clause is malformed. */
function clauseInterval(op: Operator, text: string): VersionInterval | undefined {
  if (text === '*') return op === '' || op === '==' || op === '=' ? {} : undefined;
  const wildcard = /\.\*$/.test(text);
  const base = wildcard ? text.slice(0, -2) : text;
  if (op === '===') {
    const v = normalizeVersion(text);
    return v ? { min: inclusive(v), max: inclusive(v) } : undefined;
  }
  const parsed = parseVersion(base);
  if (!parsed) return undefined;
  const v = formatVersion(parsed);
  if (wildcard) {
    // Prefix matching only makes sense for == and != on a plain release.
    if (parsed.pre || parsed.post !== undefined || parsed.dev !== undefined || parsed.local) return undefined;
    if (op === '!=') return {};
    if (op !== '==' && op !== '=' && op !== '') return undefined;
    return { min: inclusive(v), max: exclusive(bumped(parsed.release, parsed.release.length - 1)) };
  }
  switch (op) {
    case '':
    case '=':
    case '==':
      return { min: inclusive(v), max: inclusive(v) };
    case '!=':
      return {};
    case '>=':
      return { min: inclusive(v) };
    case '>':
      return { min: exclusive(v) };
    case '<=':
      return { max: inclusive(v) };
    case '<':
      return { max: exclusive(v) };
    case '~=':
      // Compatible release needs at least two release segments: ~=2.5.1 → >=2.5.1,<2.6.
      if (parsed.release.length < 2) return undefined;
      return { min: inclusive(v), max: exclusive(bumped(parsed.release, parsed.release.length - 2)) };
    case '^': {
      // Poetry caret: the first non-zero segment may not change (^0.2.3 → <0.3, ^0.0 → <0.1).
      const firstNonZero = parsed.release.findIndex((n) => n !== 0);
      const index = firstNonZero === -1 ? parsed.release.length - 1 : firstNonZero;
      return { min: inclusive(v), max: exclusive(bumped(parsed.release, index)) };
    }
    case '~':
      // Poetry tilde: ~2 → <3, ~2.5 and ~2.5.1 → <2.6.
      return { min: inclusive(v), max: exclusive(bumped(parsed.release, parsed.release.length === 1 ? 0 : 1)) };
  }
  return undefined;
}

/**
 * The interval allowed by a PEP 440 specifier set (">=2.4,<2.6", "~=2.5.1", "==2.5.*") or a Poetry
 * constraint ("^2.5", "~2.5", "2.5.*", "2.5.1", ">=2.4 <3", "^1.0 || ^2.0"). An empty string or "*"
 * is unconstrained ({}). Undefined when the text cannot be read.
 */
export function parseSpecifier(spec: string): VersionInterval | undefined {
  if (spec.length > 1000) return undefined;
  const alternatives = spec.split('||');
  // "^1 ||" names an alternative it never spells out: refuse rather than read it as "anything".
  if (alternatives.length > 1 && alternatives.some((a) => a.trim() === '')) return undefined;
  let result: VersionInterval | undefined;
  for (const alternative of alternatives) {
    const current = parseConjunction(alternative);
    if (!current) return undefined;
    result = result ? hullOfIntervals(result, current) : current;
  }
  return result;
}

function parseConjunction(text: string): VersionInterval | undefined {
  let result: VersionInterval = {};
  let index = 0;
  const trimmedEnd = text.trimEnd().length;
  while (index < trimmedEnd) {
    CLAUSE.lastIndex = index;
    const m = CLAUSE.exec(text);
    if (!m || m[0].length === 0) return undefined;
    const clause = clauseInterval((m[1] ?? '') as Operator, m[2]);
    if (!clause) return undefined;
    result = intersectIntervals(result, clause);
    index = CLAUSE.lastIndex;
  }
  return result;
}
