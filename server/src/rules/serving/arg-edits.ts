/**
 * Edits that add or replace command-line arguments in whatever syntax holds the command: a shell
 * line (Dockerfile shell form, scripts, `bash -c "…"`, compose string commands), a JSON array
 * (Dockerfile exec form, YAML flow sequences) or a YAML block sequence (`- --flag`).
 */
import type { Range, TextEdit } from '../../engine/types';
import type { ArgItem, Invocation } from '../../invocations/types';
import { expandSnippet } from '../../engine/fixes';
import { LineIndex } from '../../workspace/dependency-files/line-index';

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Snippet placeholders (`${1:text}`) are judged by the text they expand to. */
function plain(s: string): string {
  return expandSnippet(s);
}

function shellWord(s: string): string {
  return SHELL_SAFE.test(plain(s)) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function yamlScalar(s: string): string {
  const p = plain(s);
  return /^[A-Za-z0-9_./-][A-Za-z0-9_.=/:-]*$/.test(p) && !/^-\s/.test(p) && !p.includes(': ') ? s : JSON.stringify(s);
}

/** Offsets of an item including its quotes, and the quote character (if any). */
function outer(text: string, index: LineIndex, item: ArgItem): { start: number; end: number; quote?: string } {
  if (item.rawRange) {
    const s = index.offsetAt(item.rawRange.start);
    const e = index.offsetAt(item.rawRange.end);
    const q = text[s];
    return (q === '"' || q === "'") && text[e - 1] === q && e - s >= 2 ? { start: s, end: e, quote: q } : { start: s, end: e };
  }
  const start = index.offsetAt(item.range.start);
  const end = index.offsetAt(item.range.end);
  const q = text[start - 1];
  if ((q === '"' || q === "'") && text[end] === q) return { start: start - 1, end: end + 1, quote: q };
  return { start, end };
}

/**
 * An edit inserting `args` right after `after` (the last argument, or the program). Undefined when
 * the syntax around the item is not recognized, or the program is implied by an image.
 */
export function insertArgsEdit(text: string, inv: Invocation, args: string[], after?: ArgItem): TextEdit | undefined {
  if (inv.implicitProgram) return undefined;
  const anchor = after ?? inv.args[inv.args.length - 1] ?? inv.program;
  const index = new LineIndex(text);
  const o = outer(text, index, anchor);
  let k = o.end;
  while (k < text.length && (text[k] === ' ' || text[k] === '\t')) k++;
  const at = index.positionAt(o.end);
  const point: Range = { start: at, end: at };
  if (o.quote === '"' && (text[k] === ',' || text[k] === ']')) {
    return { range: point, newText: args.map((a) => `, ${JSON.stringify(a)}`).join('') };
  }
  const lineStart = index.offsetAt({ line: at.line, character: 0 });
  const prefix = text.slice(lineStart, o.start);
  const dash = /^(\s*)-\s+$/.exec(prefix);
  if (dash && (k >= text.length || text[k] === '\n' || text[k] === '\r' || text[k] === '#')) {
    return { range: point, newText: args.map((a) => `\n${dash[1]}- ${yamlScalar(a)}`).join('') };
  }
  if (text[k] === ',' || text[k] === ']') {
    // A flow sequence of plain scalars: [tritonserver, --model-repository=/models]
    return { range: point, newText: args.map((a) => `, ${yamlScalar(a)}`).join('') };
  }
  if (o.quote && text[o.start - 1] !== ' ' && text[o.start - 1] !== '\t' && text[o.start - 1] !== '\n' && text[o.start - 1] !== '=') return undefined;
  return { range: point, newText: args.map((a) => ` ${shellWord(a)}`).join('') };
}

/** An edit replacing a flag's value (the located value range). */
export function replaceValueEdit(range: Range | undefined, newValue: string): TextEdit | undefined {
  return range ? { range, newText: newValue } : undefined;
}
