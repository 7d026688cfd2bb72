/** Character-level helpers shared by the small Python lexers of the front-end (chunks, code text, binding sites). */

export const HASH = 35;
export const NL = 10;
export const CR = 13;
export const SPACE = 32;
export const TAB = 9;
export const FF = 12;
export const BACKSLASH = 92;
export const DQUOTE = 34;
export const SQUOTE = 39;

/**
 * The ASCII characters that can change a Python lexer's state: newline, `#`, backslash, quotes and
 * brackets. Everything else (names, numbers, operators, blanks, non-ASCII) can be skipped in a
 * tight loop by a lexer that only tracks strings, comments, brackets and lines.
 */
const STRUCTURAL = new Uint8Array(128);
for (const ch of '\n#\\\'"()[]{}') STRUCTURAL[ch.charCodeAt(0)] = 1;

/** The index of the first structural character (see STRUCTURAL) at or after `i`, or `text.length`. */
export function skipPlain(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 && STRUCTURAL[c] === 1) return i;
    i++;
  }
  return n;
}

export function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

export function isPrefixChar(c: number): boolean {
  // r R b B u U f F (t T: template strings, Python 3.14)
  return c === 114 || c === 82 || c === 98 || c === 66 || c === 117 || c === 85 || c === 102 || c === 70 || c === 116 || c === 84;
}

/** If a string literal (with an optional prefix of up to two letters) starts at `i`, the index of its quote; else -1. */
export function stringStart(text: string, i: number): number {
  let j = i;
  while (j - i < 2 && isPrefixChar(text.charCodeAt(j))) j++;
  const q = text.charCodeAt(j);
  return q === DQUOTE || q === SQUOTE ? j : -1;
}

/** The index just past the string literal whose opening quote is at `q`. */
export function stringEnd(text: string, q: number): number {
  const n = text.length;
  const quote = text.charCodeAt(q);
  const triple = text.charCodeAt(q + 1) === quote && text.charCodeAt(q + 2) === quote;
  let k = q + (triple ? 3 : 1);
  while (k < n) {
    const d = text.charCodeAt(k);
    if (d === BACKSLASH) {
      k += 2;
      continue;
    }
    if (d === quote) {
      if (!triple) return k + 1;
      if (text.charCodeAt(k + 1) === quote && text.charCodeAt(k + 2) === quote) return k + 3;
    } else if (d === NL && !triple) {
      return k; // unterminated: the line ends it
    }
    k++;
  }
  return n;
}

/** Whether only blanks or a comment follow `at` on its line (the string was the whole statement). */
export function endsLogicalLine(text: string, at: number): boolean {
  let e = at;
  while (e < text.length) {
    const c = text.charCodeAt(e);
    if (c === SPACE || c === TAB || c === CR || c === FF) e++;
    else return c === NL || c === HASH || c === 59 /* ; */;
  }
  return true;
}

/** The end of the comment that starts at `i` (its line's newline, or the end of the text). */
export function commentEnd(text: string, i: number): number {
  const eol = text.indexOf('\n', i);
  return eol === -1 ? text.length : eol;
}
