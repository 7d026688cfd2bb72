import type { Finding, Range, TextEdit } from './types';

/**
 * Suppression comments, in every language whose comments start with `#`:
 *   `… # modellint: ignore[rule-a, rule-b]`   at the end of the flagged line,
 *   `# modellint: ignore[rule-a]`               alone on the line above it (a statement or command
 *                                               continued with `\` counts as one line),
 *   `# modellint: ignore-file[rule-a]`          anywhere, for the whole file.
 * Suppressions are matched by rule id, never by message text. A suppression that silences
 * nothing is itself reported (`unused-suppression`) so stale comments do not pile up.
 */

export const UNUSED_SUPPRESSION = 'unused-suppression';

export interface SuppressionComment {
  kind: 'line' | 'file';
  /** The line the comment sits on (0-based). */
  line: number;
  /** The line it applies to: its own line, or the next one when the comment stands alone. */
  target: number;
  /**
   * The last line it applies to: `target`, or for a stand-alone comment above a statement continued
   * with a trailing backslash (Python, shell, Dockerfile), the last line of that statement.
   */
  targetEnd: number;
  /** Whether the comment is alone on its line. */
  standalone: boolean;
  ids: { id: string; range: Range }[];
  /** Range of the whole `# modellint: …` comment. */
  range: Range;
}

const DIRECTIVE = /#\s*modellint:\s*(ignore-file|ignore)\s*\[([^\]\n]*)\]/g;

export function parseSuppressions(text: string): SuppressionComment[] {
  if (!text.includes('modellint:')) return [];
  const out: SuppressionComment[] = [];
  const lines = text.split('\n');
  lines.forEach((lineText, line) => {
    if (!lineText.includes('modellint:')) return;
    DIRECTIVE.lastIndex = 0;
    for (let m = DIRECTIVE.exec(lineText); m; m = DIRECTIVE.exec(lineText)) {
      if (insideQuotes(lineText, m.index)) continue;
      const standalone = lineText.slice(0, m.index).trim() === '';
      const listStart = m.index + m[0].indexOf('[') + 1;
      const ids: SuppressionComment['ids'] = [];
      const idPattern = /[^,\s]+/g;
      for (let id = idPattern.exec(m[2]); id; id = idPattern.exec(m[2])) {
        const start = listStart + id.index;
        ids.push({ id: id[0], range: { start: { line, character: start }, end: { line, character: start + id[0].length } } });
      }
      const target = standalone ? nextCodeLine(lines, line) : line;
      out.push({
        kind: m[1] === 'ignore-file' ? 'file' : 'line',
        line,
        target,
        targetEnd: standalone ? continuationEnd(lines, target) : line,
        standalone,
        ids,
        range: { start: { line, character: m.index }, end: { line, character: m.index + m[0].length } },
      });
    }
  });
  return out;
}

/** The line a stand-alone comment applies to: the next line that is not itself a comment. */
function nextCodeLine(lines: string[], line: number): number {
  for (let i = line + 1; i < lines.length; i++) if (!/^\s*#/.test(lines[i]) && lines[i].trim() !== '') return i;
  return line + 1;
}

/** Whether a line ends with a continuation backslash. */
function continues(lineText: string | undefined): boolean {
  return lineText !== undefined && /\\\s*$/.test(lineText);
}

/** The last line of the statement starting at `line` (lines joined by trailing backslashes). */
function continuationEnd(lines: string[], line: number): number {
  let end = line;
  while (end < lines.length - 1 && continues(lines[end])) end++;
  return end;
}

/** The first line of the statement containing `line`. */
function continuationStart(lines: string[], line: number): number {
  let start = line;
  while (start > 0 && continues(lines[start - 1])) start--;
  return start;
}

/** A `#` inside a string literal on the same line is not a comment (a cheap check of quote parity). */
/**
 * Whether a line is content of a YAML block scalar: the nearest line above it with less indentation
 * ends in a block indicator (`key: |`, `- >-`, `key: |2`). There a trailing `#` is text, not a comment.
 */
function inYamlBlockScalar(lines: string[], line: number): boolean {
  const indent = (l: string) => /^[ ]*/.exec(l)![0].length;
  const own = lines[line] ?? '';
  if (own.trim() === '') return false;
  const mine = indent(own);
  for (let i = line - 1, seen = 0; i >= 0 && seen < 2000; i--, seen++) {
    const l = (lines[i] ?? '').replace(/\r$/, '');
    if (l.trim() === '') continue;
    if (indent(l) < mine) return /(^|[:\-\s])[|>][+-]?\d?[+-]?\s*(#.*)?$/.test(l) && /(:|^\s*-)\s+[|>]/.test(l);
  }
  return false;
}

function insideQuotes(lineText: string, index: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < index; i++) {
    const c = lineText[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return false;
  }
  return quote !== undefined;
}

export interface SuppressionResult {
  findings: Finding[];
  /** `unused-suppression` findings for ids that silenced nothing. */
  unused: Finding[];
}

/**
 * Remove suppressed findings. `ranRules` are the rules that ran on this file: an id naming a rule
 * that did not run (disabled by configuration) is neither used nor reported as unused.
 */
export function applySuppressions(text: string, findings: Finding[], ranRules: ReadonlySet<string>, knownRules: ReadonlySet<string>): SuppressionResult {
  const comments = parseSuppressions(text);
  if (comments.length === 0) return { findings, unused: [] };
  const used = new Set<string>();
  const keyOf = (c: number, i: number) => `${c}:${i}`;
  const kept: Finding[] = [];
  for (const f of findings) {
    let suppressed = false;
    comments.forEach((c, ci) => {
      c.ids.forEach((entry, ii) => {
        if (entry.id !== f.ruleId) return;
        const line = f.range.start.line;
        if (c.kind === 'file' || (line >= c.target && line <= c.targetEnd) || (!c.standalone && c.line === f.range.end.line)) {
          suppressed = true;
          used.add(keyOf(ci, ii));
        }
      });
    });
    if (!suppressed) kept.push(f);
  }
  const unused: Finding[] = [];
  comments.forEach((c, ci) => {
    // When no id of a comment is used, every fix removes the whole comment (identical edits merge in fix-all).
    const noneUsed = c.ids.every((_, ii) => !used.has(keyOf(ci, ii)));
    c.ids.forEach((entry, ii) => {
      if (used.has(keyOf(ci, ii))) return;
      const known = knownRules.has(entry.id);
      if (known && !ranRules.has(entry.id)) return;
      if (entry.id === UNUSED_SUPPRESSION) return;
      unused.push({
        ruleId: UNUSED_SUPPRESSION,
        severity: 'warning',
        message: known
          ? `This suppression of ${entry.id} silences nothing here; remove it.`
          : `"${entry.id}" is not a ModelLint rule id, so this suppression silences nothing; fix or remove it.`,
        range: entry.range,
        fixes: [{ title: `Remove the unused suppression of ${entry.id}`, edits: [noneUsed ? removeCommentEdit(text, c) : removeIdEdit(text, c, ii)], safe: true, preferred: true }],
      });
    });
  });
  return { findings: kept, unused };
}

/** Remove one id from a suppression list, or the whole comment when it is the last id. */
function removeIdEdit(text: string, c: SuppressionComment, index: number): TextEdit {
  if (c.ids.length > 1) {
    const cur = c.ids[index].range;
    const range = index > 0 ? { start: c.ids[index - 1].range.end, end: cur.end } : { start: cur.start, end: c.ids[index + 1].range.start };
    return { range, newText: '' };
  }
  return removeCommentEdit(text, c);
}

function removeCommentEdit(text: string, c: SuppressionComment): TextEdit {
  const lineText = text.split('\n')[c.line] ?? '';
  if (c.standalone) return { range: { start: { line: c.line, character: 0 }, end: { line: c.line + 1, character: 0 } }, newText: '' };
  // Trailing comment: also drop the whitespace before it.
  let start = c.range.start.character;
  while (start > 0 && /\s/.test(lineText[start - 1])) start--;
  return { range: { start: { line: c.line, character: start }, end: c.range.end }, newText: '' };
}

/**
 * The edit that silences `ruleId` on `line`: merged into an existing `ignore[...]` comment on that line
 * (or on a stand-alone comment above it), else appended as a trailing comment. Where a trailing
 * comment cannot go (the line ends with a continuation backslash or inside an unterminated string,
 * or is itself a continuation line of a statement), the comment goes alone above the statement's
 * first line, with its indentation, and applies to the whole statement. Undefined when even that
 * cannot silence the line (ignore-file still works).
 */
export function suppressLineEdit(text: string, line: number, ruleId: string, options: { trailingComments?: boolean } = {}): TextEdit | undefined {
  const lines = text.split('\n');
  const covering = parseSuppressions(text).filter((c) => c.kind === 'line' && line >= c.target && line <= c.targetEnd);
  const existing = covering[0];
  if (existing) {
    if (existing.ids.some((i) => i.id === ruleId)) return { range: existing.range, newText: lines[existing.line].slice(existing.range.start.character, existing.range.end.character) };
    const last = existing.ids[existing.ids.length - 1];
    const at = last ? last.range.end : { line: existing.line, character: existing.range.end.character - 1 };
    return { range: { start: at, end: at }, newText: last ? `, ${ruleId}` : ruleId };
  }
  const lineText = (lines[line] ?? '').replace(/\r$/, '');
  const start = continuationStart(lines, line);
  // A trailing comment cannot follow a continuation backslash, nor an unterminated string (it would be part of the string),
  // nor a line of a YAML block scalar (a ConfigMap's `config.properties: |`), where `#` is content.
  // Some formats have whole-line comments only (Dockerfiles, Java properties): there `#` after code is content.
  const trailing = options.trailingComments !== false;
  if (!trailing || start !== line || continues(lineText) || insideQuotes(lineText, lineText.length) || inYamlBlockScalar(lines, line)) {
    const first = (lines[start] ?? '').replace(/\r$/, '');
    // A stand-alone comment applies to the next code line: the statement must start on one.
    if (first.trim() === '' || /^\s*#/.test(first)) return undefined;
    const indent = /^[ \t]*/.exec(first)![0];
    const eol = (lines[start] ?? '').endsWith('\r') ? '\r\n' : '\n';
    return { range: { start: { line: start, character: 0 }, end: { line: start, character: 0 } }, newText: `${indent}# modellint: ignore[${ruleId}]${eol}` };
  }
  const end = lineText.length;
  return { range: { start: { line, character: end }, end: { line, character: end } }, newText: `  # modellint: ignore[${ruleId}]` };
}

/** The edit that silences `ruleId` in the whole file: merged into an existing `ignore-file[...]`, else a new first line (after a shebang / encoding line). */
export function suppressFileEdit(text: string, ruleId: string): TextEdit {
  const existing = parseSuppressions(text).find((c) => c.kind === 'file');
  if (existing) {
    const last = existing.ids[existing.ids.length - 1];
    const at = last ? last.range.end : { line: existing.line, character: existing.range.end.character - 1 };
    return { range: { start: at, end: at }, newText: last ? `, ${ruleId}` : ruleId };
  }
  const lines = text.split('\n');
  let line = 0;
  // Keep a shebang, a Python encoding line and Dockerfile parser directives (`# syntax=…`, `# escape=…`) first.
  const header = (l: string) => /^#!/.test(l) || /^#.*coding[:=]/.test(l) || /^#\s*(syntax|escape|check)\s*=/i.test(l);
  while (line < lines.length && line < 4 && header(lines[line])) line++;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `# modellint: ignore-file[${ruleId}]${eol}` };
}
