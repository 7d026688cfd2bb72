import type { Finding, Range, TextEdit } from './types';

/**
 * Suppression comments, in every language whose comments start with `#`:
 *   `… # modellint: ignore[rule-a, rule-b]`   at the end of the flagged line,
 *   `# modellint: ignore[rule-a]`               alone on the line above it,
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
      out.push({
        kind: m[1] === 'ignore-file' ? 'file' : 'line',
        line,
        target: standalone ? nextCodeLine(lines, line) : line,
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

/** A `#` inside a string literal on the same line is not a comment (a cheap check of quote parity). */
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
        if (c.kind === 'file' || c.target === f.range.start.line || (!c.standalone && c.line === f.range.end.line)) {
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
 * (or on a stand-alone comment above it), else appended as a trailing comment.
 */
export function suppressLineEdit(text: string, line: number, ruleId: string): TextEdit {
  const comments = parseSuppressions(text).filter((c) => c.kind === 'line' && c.target === line);
  const existing = comments[0];
  if (existing) {
    if (existing.ids.some((i) => i.id === ruleId)) return { range: existing.range, newText: text.split('\n')[existing.line].slice(existing.range.start.character, existing.range.end.character) };
    const last = existing.ids[existing.ids.length - 1];
    const at = last ? last.range.end : { line: existing.line, character: existing.range.end.character - 1 };
    return { range: { start: at, end: at }, newText: last ? `, ${ruleId}` : ruleId };
  }
  const lineText = text.split('\n')[line] ?? '';
  const end = lineText.replace(/\r$/, '').length;
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
  while (line < lines.length && line < 2 && (/^#!/.test(lines[line]) || /coding[:=]/.test(lines[line]))) line++;
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `# modellint: ignore-file[${ruleId}]\n` };
}
