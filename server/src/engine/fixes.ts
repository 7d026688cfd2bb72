import type { Finding, Fix, Position, TextEdit } from './types';

/**
 * Applying fixes: ordering and conflict rules shared by the language server's code actions,
 * fix-all on save, and the tests that prove each fix.
 */

function cmp(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** The preferred fix of a finding, or its first one. */
export function preferredFix(f: Finding): Fix | undefined {
  return f.fixes?.find((x) => x.preferred) ?? f.fixes?.[0];
}

/**
 * One set of non-overlapping edits for many fixes: fixes are taken in document order and a fix
 * whose edits touch a range an earlier fix already edits is left out (the next run picks it up).
 * Insertions at the same point keep their order.
 */
export function combineFixes(fixes: readonly Fix[]): TextEdit[] {
  const taken: TextEdit[] = [];
  const ordered = [...fixes].sort((a, b) => cmp(a.edits[0].range.start, b.edits[0].range.start));
  for (const fix of ordered) {
    const clashes = fix.edits.some((e) =>
      taken.some((t) => cmp(e.range.start, t.range.end) < 0 && cmp(t.range.start, e.range.end) < 0 || (cmp(e.range.start, t.range.start) === 0 && cmp(e.range.end, t.range.end) === 0 && e.newText === t.newText)));
    if (!clashes) taken.push(...fix.edits);
  }
  return taken.sort((a, b) => cmp(a.range.start, b.range.start));
}

/** The edits of "fix all": the preferred fix of each finding when it is safe and needs no user input. */
export function fixAllEdits(findings: readonly Finding[], ruleId?: string, safeOnly = true): TextEdit[] {
  const fixes: Fix[] = [];
  for (const f of findings) {
    if (ruleId && f.ruleId !== ruleId) continue;
    const fix = preferredFix(f);
    if (!fix || fix.snippet || (safeOnly && !fix.safe)) continue;
    fixes.push(fix);
  }
  return combineFixes(fixes);
}

/** Apply non-overlapping edits to a text (used by tests and the CLI). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const offset = (p: Position) => Math.min((lineStarts[p.line] ?? text.length) + p.character, text.length);
  const sorted = [...edits].sort((a, b) => cmp(b.range.start, a.range.start) || cmp(b.range.end, a.range.end));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

/** Snippet placeholders `${1:text}` as they read once a client has inserted them. */
export function expandSnippet(text: string): string {
  return text.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');
}
