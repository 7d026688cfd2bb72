/**
 * Java `.properties` reader with exact ranges, following `java.util.Properties.load` (which is
 * what TorchServe's ConfigManager uses for `config.properties`):
 *   - `key=value`, `key: value`, `key value` (the first unescaped `=`, `:` or blank ends the key);
 *   - `#` and `!` comment lines (a comment line is never continued);
 *   - a line ending in an odd number of backslashes continues on the next line, whose leading
 *     blanks are dropped;
 *   - escapes `\t \n \r \f \uXXXX`, and `\x` for any other x (so `\=`, `\:`, `\ `, `\\`).
 * Offsets are UTF-16 code units of the parsed text; `positionAt` maps them to document positions
 * (the identity line index for a file, a caller's mapping for text embedded in YAML).
 */
import type { Position, Range } from '../../engine/types';
import { LineIndex } from '../../workspace/dependency-files/line-index';

export interface PropertyEntry {
  key: string;
  value: string;
  keyRange: Range;
  /** Range of the value as written (escapes and continuations included); empty at the value's position when there is none. */
  valueRange: Range;
  /** From the key's first character to the end of the logical line. */
  range: Range;
  /** Offsets in the parsed text. */
  keyStart: number;
  valueStart: number;
  valueEnd: number;
  /** Offsets of the whole logical line, from its first character to its line break (exclusive). */
  lineStart: number;
  lineEnd: number;
}

export interface PropertiesProblem { message: string; range: Range }

export interface PropertiesDocument {
  text: string;
  entries: PropertyEntry[];
  problems: PropertiesProblem[];
  positionAt(offset: number): Position;
}

/** The entry that wins for `key` (a later definition overrides an earlier one, as in Java). */
export function propertyValue(doc: PropertiesDocument, key: string): PropertyEntry | undefined {
  for (let i = doc.entries.length - 1; i >= 0; i--) if (doc.entries[i].key === key) return doc.entries[i];
  return undefined;
}

const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\f';
const isBreak = (c: string) => c === '\n' || c === '\r';

/** One decoded character of a logical line and where it was written. */
interface Ch { c: string; start: number; end: number; escaped: boolean }

export function parseProperties(text: string, positionAt?: (offset: number) => Position): PropertiesDocument {
  const at = positionAt ?? ((idx) => (o: number) => idx.positionAt(o))(new LineIndex(text));
  const range = (s: number, e: number): Range => ({ start: at(s), end: at(e) });
  const entries: PropertyEntry[] = [];
  const problems: PropertiesProblem[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    // Leading blanks of a natural line.
    while (i < n && isBlank(text[i])) i++;
    if (i >= n) break;
    if (isBreak(text[i])) {
      i = skipBreak(text, i);
      continue;
    }
    if (text[i] === '#' || text[i] === '!') {
      while (i < n && !isBreak(text[i])) i++;
      continue;
    }
    // A logical line: gather its characters, following continuations.
    const lineStart = i;
    const chars: Ch[] = [];
    for (;;) {
      const lineEnd = endOfNaturalLine(text, i);
      let backslashes = 0;
      for (let k = lineEnd - 1; k >= i && text[k] === '\\'; k--) backslashes++;
      const continues = backslashes % 2 === 1 && lineEnd < n;
      const contentEnd = continues ? lineEnd - 1 : lineEnd;
      decode(text, i, contentEnd, chars, problems, range);
      if (!continues) {
        i = lineEnd;
        break;
      }
      i = skipBreak(text, lineEnd);
      while (i < n && isBlank(text[i])) i++;
      if (i >= n) break;
    }
    const lineEnd = i;
    // Split into key and value.
    let k = 0;
    while (k < chars.length && !(!chars[k].escaped && (chars[k].c === '=' || chars[k].c === ':' || isBlank(chars[k].c)))) k++;
    const keyChars = chars.slice(0, k);
    let v = k;
    while (v < chars.length && !chars[v].escaped && isBlank(chars[v].c)) v++;
    if (v < chars.length && !chars[v].escaped && (chars[v].c === '=' || chars[v].c === ':')) {
      v++;
      while (v < chars.length && !chars[v].escaped && isBlank(chars[v].c)) v++;
    }
    const valueChars = chars.slice(v);
    const keyStart = keyChars.length ? keyChars[0].start : lineStart;
    const keyEnd = keyChars.length ? keyChars[keyChars.length - 1].end : lineStart;
    const valueStart = valueChars.length ? valueChars[0].start : chars.length ? chars[chars.length - 1].end : keyEnd;
    const valueEnd = valueChars.length ? valueChars[valueChars.length - 1].end : valueStart;
    entries.push({
      key: keyChars.map((c) => c.c).join(''),
      value: valueChars.map((c) => c.c).join(''),
      keyRange: range(keyStart, keyEnd),
      valueRange: range(valueStart, valueEnd),
      range: range(keyStart, Math.max(valueEnd, keyEnd)),
      keyStart,
      valueStart,
      valueEnd,
      lineStart,
      lineEnd,
    });
  }
  return { text, entries, problems, positionAt: at };
}

function endOfNaturalLine(text: string, i: number): number {
  while (i < text.length && !isBreak(text[i])) i++;
  return i;
}

function skipBreak(text: string, i: number): number {
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  return i + 1;
}

const SIMPLE: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function decode(text: string, from: number, to: number, out: Ch[], problems: PropertiesProblem[], range: (s: number, e: number) => Range): void {
  let i = from;
  while (i < to) {
    const c = text[i];
    if (c !== '\\' || i + 1 >= to) {
      out.push({ c, start: i, end: i + 1, escaped: false });
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (/^[0-9a-fA-F]{4}$/.test(hex) && i + 6 <= to) {
        out.push({ c: String.fromCharCode(parseInt(hex, 16)), start: i, end: i + 6, escaped: true });
        i += 6;
      } else {
        problems.push({ message: 'malformed \\uXXXX escape (Java refuses to load this file)', range: range(i, Math.min(i + 6, to)) });
        out.push({ c: 'u', start: i, end: i + 2, escaped: true });
        i += 2;
      }
      continue;
    }
    out.push({ c: SIMPLE[e] ?? e, start: i, end: i + 2, escaped: true });
    i += 2;
  }
}
