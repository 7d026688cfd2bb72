import type { Range } from '../../engine/types';
import { parseSpecifier, type VersionInterval } from '../pep440';
import type { RequirementsFacts } from '../requirements-facts';
import type { PackageConstraint } from '../workspace-facts';
import { LineIndex } from './line-index';
import { normalizePackageName, parseRequirement } from './pep508';
import { wheelVersion } from './wheel-filename';

const MAX_PROBLEMS = 50;

/** How to read a declaration's version text when it is not a plain PEP 440 / Poetry specifier. */
export type SpecifierReading =
  | { kind: 'specifier'; text: string }
  /** `name @ url`: only a wheel file name tells the version. */
  | { kind: 'url'; url: string }
  /** The text depends on something we cannot see (an unset build ARG): allow anything, report nothing. */
  | { kind: 'unknown' };

/**
 * Collects the constraints and problems of one dependency file, turning source offsets into ranges
 * and specifiers into intervals in one place, so every format reports them the same way.
 */
export class FactsBuilder {
  readonly lines: LineIndex;
  private readonly requirements: PackageConstraint[] = [];
  private readonly problems: RequirementsFacts['problems'] = [];

  constructor(readonly text: string, readonly uri: string) {
    this.lines = new LineIndex(text);
  }

  range(start: number, end: number): Range {
    return this.lines.range(start, end);
  }

  problem(start: number, end: number, message: string): void {
    // A garbled file can yield thousands; the first few say all there is to say.
    if (this.problems.length >= MAX_PROBLEMS) return;
    this.problems.push({ range: this.range(start, end), message });
  }

  /**
   * Record a declaration of `name` spanning [start, end). `specifier` is what the user wrote;
   * `reading` (default: the specifier itself) is what its interval is computed from.
   */
  add(name: string, specifier: string, start: number, end: number, reading?: SpecifierReading): void {
    const how = reading ?? { kind: 'specifier', text: specifier };
    const constraint: PackageConstraint = { name: normalizePackageName(name), specifier, uri: this.uri, range: this.range(start, end) };
    let bounds: VersionInterval | undefined = {};
    if (how.kind === 'specifier') {
      bounds = parseSpecifier(how.text);
      if (!bounds) this.problem(start, end, `Cannot read the version specifier "${truncate(specifier)}" of ${name}.`);
    } else if (how.kind === 'url') {
      const version = wheelVersion(how.url, name);
      if (version) bounds = { min: { version, inclusive: true }, max: { version, inclusive: true } };
    }
    if (bounds?.min) constraint.min = bounds.min;
    if (bounds?.max) constraint.max = bounds.max;
    this.requirements.push(constraint);
  }

  /**
   * Record a PEP 508 requirement string found in the source. `whole` is the span of the literal that
   * holds it; `verbatimStart`, when the literal spells the value verbatim (no quotes or escapes in
   * between), is where `value` starts, so the range can cover exactly name..specifier.
   * `versionUnknown` marks values built from something we could not resolve (an unset variable).
   */
  addRequirement(value: string, whole: [number, number], verbatimStart?: number, versionUnknown = false): void {
    const req = parseRequirement(value);
    if (!req) {
      if (value.trim() !== '') this.problem(whole[0], whole[1], `Cannot read the requirement "${truncate(value.trim())}".`);
      return;
    }
    const [start, end] = verbatimStart === undefined ? whole : [verbatimStart + req.nameStart, verbatimStart + req.end];
    if (req.url !== undefined) this.add(req.name, req.specifier, start, end, { kind: 'url', url: req.url });
    else if (versionUnknown || req.specifier.includes('${')) this.add(req.name, req.specifier, start, end, { kind: 'unknown' });
    else this.add(req.name, req.specifier, start, end);
  }

  facts(): RequirementsFacts {
    return { requirements: this.requirements, problems: this.problems };
  }
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
