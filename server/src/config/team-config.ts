import { parse as parseToml, TomlError } from 'smol-toml';
import type { Range, Severity } from '../engine/types';

/**
 * The team configuration: `modellint.toml`, `.modellint.toml`, or `[tool.modellint]` in
 * `pyproject.toml`. Read identically by the editor and the CLI. Invalid entries become problems
 * with exact ranges; everything valid still applies.
 */
export interface TeamConfig {
  /** Absolute path of the file it came from. */
  file?: string;
  select?: string[];
  ignore?: string[];
  severity?: Record<string, Severity>;
  exclude?: string[];
  extendExclude?: string[];
  trustedRepos?: string[];
  torchVersion?: string;
  hfCache?: string;
}

export interface ConfigProblem { range: Range; message: string; severity: Severity }

export interface ParsedConfig {
  /** Undefined for a pyproject.toml without a `[tool.modellint]` table. */
  config?: TeamConfig;
  problems: ConfigProblem[];
}

/** The keys of the file format (kebab-case), their types and descriptions: the single source for validation and the JSON schema. */
export const CONFIG_KEYS = {
  select: { type: 'rule-list', description: 'Rule ids or groups to run (default: all). `ALL` selects everything.' },
  ignore: { type: 'rule-list', description: 'Rule ids or groups not to run.' },
  severity: { type: 'severity-table', description: 'Severity per rule id: "error", "warning" or "info".' },
  exclude: { type: 'string-list', description: 'Glob patterns of files and folders not to analyze; replaces the defaults.' },
  'extend-exclude': { type: 'string-list', description: 'Glob patterns excluded in addition to the defaults.' },
  'trusted-repos': { type: 'string-list', description: 'Hugging Face repository ids or globs (e.g. "my-org/*") treated as first-party: not reported by hf-unpinned-revision.' },
  'torch-version': { type: 'version', description: 'The torch version the project runs, when it cannot be discovered from dependency files (e.g. "2.6.0").' },
  'hf-cache': { type: 'string', description: 'Path of the Hugging Face hub cache used by the pinning quick-fix (default: HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub).' },
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Files excluded unless `exclude` replaces the list. */
export const DEFAULT_EXCLUDE = ['.git', '.hg', '.svn', 'node_modules', '.venv', 'venv', '.tox', '.nox', '__pycache__', 'site-packages', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'build', 'dist'];

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export function parseConfigText(text: string, kind: 'modellint' | 'pyproject', knownIds: ReadonlySet<string>, knownGroups: ReadonlySet<string>): ParsedConfig {
  const problems: ConfigProblem[] = [];
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const err = e as TomlError;
    const line = Math.max((err.line ?? 1) - 1, 0);
    const character = Math.max((err.column ?? 1) - 1, 0);
    const first = String(err.message ?? e).split('\n')[0];
    problems.push({ range: { start: { line, character }, end: { line, character: character + 1 } }, message: `Invalid TOML: ${first}`, severity: 'error' });
    return { config: kind === 'modellint' ? {} : undefined, problems };
  }
  const tablePath = kind === 'pyproject' ? ['tool', 'modellint'] : [];
  let table: unknown = data;
  for (const k of tablePath) table = table && typeof table === 'object' ? (table as Record<string, unknown>)[k] : undefined;
  if (table === undefined) return { config: kind === 'modellint' ? {} : undefined, problems };
  const locate = new KeyLocator(text, tablePath.join('.'));
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    problems.push({ range: locate.keyRange('') , message: '[tool.modellint] must be a table', severity: 'error' });
    return { config: {}, problems };
  }
  const config: TeamConfig = {};
  for (const [key, value] of Object.entries(table as Record<string, unknown>)) {
    const spec = (CONFIG_KEYS as Record<string, { type: string }>)[key];
    const keyRange = locate.keyRange(key);
    if (!spec) {
      const hint = closest(key, Object.keys(CONFIG_KEYS));
      problems.push({ range: keyRange, message: `Unknown setting "${key}"${hint ? `; did you mean "${hint}"?` : ''}. It is ignored.`, severity: 'warning' });
      continue;
    }
    const wrongType = (expected: string) => problems.push({ range: keyRange, message: `"${key}" must be ${expected}; the setting is ignored.`, severity: 'error' });
    switch (spec.type) {
      case 'rule-list':
      case 'string-list': {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
          wrongType('an array of strings');
          break;
        }
        let list = value as string[];
        if (spec.type === 'rule-list') {
          list = list.filter((id) => {
            if (id === 'ALL' || knownIds.has(id) || knownGroups.has(id)) return true;
            const hint = closest(id, [...knownIds, ...knownGroups]);
            problems.push({ range: locate.valueStringRange(key, id), message: `Unknown rule id or group "${id}"${hint ? `; did you mean "${hint}"?` : ''}. It is ignored.`, severity: 'warning' });
            return false;
          });
        }
        assign(config, key as ConfigKey, list);
        break;
      }
      case 'severity-table': {
        if (!value || typeof value !== 'object' || Array.isArray(value)) {
          wrongType('a table of rule id = "error" | "warning" | "info"');
          break;
        }
        const levels: Record<string, Severity> = {};
        for (const [id, level] of Object.entries(value as Record<string, unknown>)) {
          const r = locate.nestedKeyRange('severity', id);
          if (!knownIds.has(id)) {
            const hint = closest(id, [...knownIds]);
            problems.push({ range: r, message: `Unknown rule id "${id}"${hint ? `; did you mean "${hint}"?` : ''}. It is ignored.`, severity: 'warning' });
          } else if (typeof level !== 'string' || !SEVERITIES.includes(level as Severity)) {
            problems.push({ range: r, message: `The severity of "${id}" must be "error", "warning" or "info"; it is ignored.`, severity: 'error' });
          } else {
            levels[id] = level as Severity;
          }
        }
        config.severity = levels;
        break;
      }
      case 'version':
        if (typeof value !== 'string' || !/^\d+(\.\d+){0,3}([a-z0-9.+-]*)$/i.test(value)) wrongType('a version string such as "2.6.0"');
        else config.torchVersion = value;
        break;
      case 'string':
        if (typeof value !== 'string') wrongType('a string');
        else config.hfCache = value;
        break;
    }
  }
  return { config, problems };
}

function assign(config: TeamConfig, key: ConfigKey, list: string[]): void {
  switch (key) {
    case 'select':
      config.select = list;
      break;
    case 'ignore':
      config.ignore = list;
      break;
    case 'exclude':
      config.exclude = list;
      break;
    case 'extend-exclude':
      config.extendExclude = list;
      break;
    case 'trusted-repos':
      config.trustedRepos = list;
      break;
  }
}

/** A near match for typo hints (edit distance ≤ 2). */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/**
 * Finds where keys and values of one TOML table are written, for exact diagnostic ranges.
 * smol-toml gives no positions, so the text is scanned line by line: table headers, `key =` lines
 * (bare or quoted keys), and the value text up to the next key or header.
 */
class KeyLocator {
  private readonly lines: string[];
  constructor(text: string, private readonly table: string) {
    this.lines = text.split('\n');
  }

  private header(line: string): string | undefined {
    const m = /^\s*\[\s*([^\][]+?)\s*\]\s*(#.*)?$/.exec(line);
    return m ? m[1].replace(/\s*\.\s*/g, '.').replace(/"/g, '') : undefined;
  }

  /** Lines belonging to `table` (or `table.sub` when `sub` is given). */
  private *tableLines(sub?: string): Generator<number> {
    const want = [this.table, sub].filter(Boolean).join('.');
    let current = '';
    for (let i = 0; i < this.lines.length; i++) {
      const h = this.header(this.lines[i]);
      if (h !== undefined) {
        current = h;
        continue;
      }
      if (current === want) yield i;
    }
  }

  private keyIn(lineText: string, key: string): { start: number; end: number } | undefined {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`^(\\s*)(${escaped}|"${escaped}"|'${escaped}')\\s*=`).exec(lineText);
    return m ? { start: m[1].length, end: m[1].length + m[2].length } : undefined;
  }

  keyRange(key: string): Range {
    for (const i of this.tableLines()) {
      const k = this.keyIn(this.lines[i], key);
      if (k) return { start: { line: i, character: k.start }, end: { line: i, character: k.end } };
    }
    // A sub-table header `[table.key]`.
    const want = [this.table, key].filter(Boolean).join('.');
    for (let i = 0; i < this.lines.length; i++) {
      if (this.header(this.lines[i]) === want) return { start: { line: i, character: 0 }, end: { line: i, character: this.lines[i].length } };
    }
    return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  }

  /** The quoted string `value` inside the value of `key` (which may span lines). */
  valueStringRange(key: string, value: string): Range {
    const start = this.keyRange(key);
    for (let i = start.start.line; i < this.lines.length; i++) {
      if (i > start.start.line && (this.header(this.lines[i]) !== undefined || /^\s*[\w"'-]+\s*=/.test(this.lines[i]))) break;
      const text = this.lines[i];
      for (const q of ['"', "'"]) {
        const idx = text.indexOf(`${q}${value}${q}`, i === start.start.line ? start.end.character : 0);
        if (idx >= 0) return { start: { line: i, character: idx }, end: { line: i, character: idx + value.length + 2 } };
      }
    }
    return start;
  }

  /** `key` inside an inline table `outer = { key = … }` or a sub-table `[table.outer]`. */
  nestedKeyRange(outer: string, key: string): Range {
    for (const i of this.tableLines(outer)) {
      const k = this.keyIn(this.lines[i], key);
      if (k) return { start: { line: i, character: k.start }, end: { line: i, character: k.end } };
    }
    const outerRange = this.keyRange(outer);
    for (let i = outerRange.start.line; i < Math.min(this.lines.length, outerRange.start.line + 50); i++) {
      const text = this.lines[i];
      const m = new RegExp(`(^|[{,\\s])("?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?)\\s*=`).exec(text);
      if (m) {
        const s = m.index + m[1].length;
        return { start: { line: i, character: s }, end: { line: i, character: s + m[2].length } };
      }
    }
    return outerRange;
  }
}
