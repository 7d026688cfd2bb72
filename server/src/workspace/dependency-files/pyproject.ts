/**
 * pyproject.toml: PEP 621 `[project]` dependencies and optional dependencies, PEP 735
 * `[dependency-groups]`, uv's extra dependency lists, and Poetry's dependency tables
 * (`[tool.poetry.dependencies]`, `dev-dependencies`, `[tool.poetry.group.<name>.dependencies]`).
 *
 * smol-toml decides what the document says; toml-locations says where each string is, and doubles
 * as a tolerant reader when smol-toml rejects the document.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import type { FactsBuilder } from './facts-builder';
import { locateTomlStrings, type TomlLocations, type TomlPath, type TomlStringLocation } from './toml-locations';

type Table = Record<string, unknown>;

function asTable(value: unknown): Table | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Table) : undefined;
}

function entries(value: unknown): [string, unknown][] {
  const table = asTable(value);
  return table ? Object.entries(table) : [];
}

class PyprojectReader {
  constructor(private readonly out: FactsBuilder, private readonly locations: TomlLocations) {}

  private locate(path: TomlPath, value: string): TomlStringLocation | undefined {
    const loc = this.locations.at(path);
    if (loc && loc.value === value) return loc;
    // Not where the scanner expected it (unusual syntax): fall back to the first literal with this text.
    for (const literal of [JSON.stringify(value), `'${value}'`]) {
      const at = this.out.text.indexOf(literal);
      if (at < 0) continue;
      const [innerStart, innerEnd] = [at + 1, at + literal.length - 1];
      return { value, start: at, end: at + literal.length, innerStart, innerEnd, verbatim: this.out.text.slice(innerStart, innerEnd) === value };
    }
    return undefined;
  }

  /** A PEP 508 string at `path`. */
  requirement(path: TomlPath, value: unknown): void {
    if (typeof value !== 'string') return;
    const loc = this.locate(path, value);
    const whole: [number, number] = loc ? [loc.start, loc.end] : [0, 0];
    this.out.addRequirement(value, whole, loc?.verbatim ? loc.innerStart : undefined);
  }

  requirementList(path: TomlPath, list: unknown): void {
    if (!Array.isArray(list)) return;
    list.forEach((item, i) => this.requirement([...path, i], item));
  }

  /** A Poetry constraint string ("^2.5", "*") declared for `name` at `path`. */
  private poetryVersion(name: string, path: TomlPath, value: string): void {
    const loc = this.locate(path, value);
    let [start, end] = loc ? [loc.start, loc.end] : [0, 0];
    if (loc?.verbatim) {
      const lead = value.length - value.trimStart().length;
      [start, end] = [loc.innerStart + lead, loc.innerStart + lead + value.trim().length];
    }
    this.out.add(name, value.trim(), start, end);
  }

  /** `name = "^2.5"`, `name = { version = "^2.5", ... }` or a list of such tables (multiple constraints). */
  poetryTable(path: TomlPath, table: unknown): void {
    for (const [name, spec] of entries(table)) {
      if (name.toLowerCase() === 'python') continue; // the interpreter, not a package
      if (typeof spec === 'string') {
        this.poetryVersion(name, [...path, name], spec);
      } else if (Array.isArray(spec)) {
        spec.forEach((alternative, i) => {
          const version = asTable(alternative)?.version;
          if (typeof version === 'string') this.poetryVersion(name, [...path, name, i, 'version'], version);
        });
      } else {
        // git / path / url dependencies carry no version; only `version` constrains.
        const version = asTable(spec)?.version;
        if (typeof version === 'string') this.poetryVersion(name, [...path, name, 'version'], version);
      }
    }
  }
}

export function parsePyproject(out: FactsBuilder): void {
  const locations = locateTomlStrings(out.text);
  let doc: Table;
  try {
    doc = parseToml(out.text) as Table;
  } catch (error) {
    reportTomlError(out, error);
    doc = locations.tree;
  }
  const reader = new PyprojectReader(out, locations);

  const project = asTable(doc.project);
  if (project) {
    reader.requirementList(['project', 'dependencies'], project.dependencies);
    for (const [group, list] of entries(project['optional-dependencies'])) {
      reader.requirementList(['project', 'optional-dependencies', group], list);
    }
  }
  // PEP 735 groups mix requirement strings with `{include-group = "..."}` tables; only strings declare.
  for (const [group, list] of entries(doc['dependency-groups'])) {
    reader.requirementList(['dependency-groups', group], list);
  }

  const tool = asTable(doc.tool);
  const uv = asTable(tool?.uv);
  for (const key of ['dev-dependencies', 'constraint-dependencies', 'override-dependencies']) {
    reader.requirementList(['tool', 'uv', key], uv?.[key]);
  }

  const poetry = asTable(tool?.poetry);
  if (poetry) {
    reader.poetryTable(['tool', 'poetry', 'dependencies'], poetry.dependencies);
    reader.poetryTable(['tool', 'poetry', 'dev-dependencies'], poetry['dev-dependencies']);
    for (const [group, body] of entries(poetry.group)) {
      reader.poetryTable(['tool', 'poetry', 'group', group, 'dependencies'], asTable(body)?.dependencies);
    }
  }
}

function reportTomlError(out: FactsBuilder, error: unknown): void {
  if (error instanceof TomlError && error.line > 0) {
    const offset = out.lines.offsetAt({ line: error.line - 1, character: Math.max(0, error.column - 1) });
    const lineEnd = out.lines.lineBounds(error.line - 1).end;
    const message = error.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '');
    out.problem(offset, Math.max(offset, lineEnd), `Invalid TOML: ${message}.`);
  } else {
    out.problem(0, 0, `Invalid TOML: ${error instanceof Error ? error.message.split('\n')[0] : 'unreadable document'}.`);
  }
}
