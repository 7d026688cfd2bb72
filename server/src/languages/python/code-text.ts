/**
 * The parts of a Python text that can take part in a finding, for the byte-level prefilter: the
 * text without its comments and docstrings (string literals that form a statement on their own).
 * Neither can be part of a call, an assignment or an import, so a trigger word that occurs only
 * there cannot lead to a finding, and the file need not be parsed.
 *
 * A small lexer, linear in the text and tolerant of anything: unterminated strings end at the end
 * of their line (or of the text), brackets that do not balance are clamped. Only comments and
 * docstrings are removed; every other string literal is kept (URIs, environment variable names and
 * command lines in strings do matter). When in doubt the text is kept, never dropped.
 */
export function pythonCodeText(text: string): string {
  const n = text.length;
  const parts: string[] = [];
  let kept = 0; // start of the text not yet copied to `parts`
  let depth = 0; // open brackets
  let lineStart = true; // no token yet on this logical line
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === HASH) {
      parts.push(text.slice(kept, i));
      const eol = text.indexOf('\n', i);
      i = kept = eol === -1 ? n : eol;
      continue;
    }
    if (c === NL) {
      if (depth === 0) lineStart = true;
      i++;
      continue;
    }
    if (c === SPACE || c === TAB || c === CR || c === FF) {
      i++;
      continue;
    }
    if (c === BACKSLASH) {
      // Line continuation (or a stray backslash): the logical line goes on.
      i += text.charCodeAt(i + 1) === CR ? 3 : 2;
      continue;
    }
    const quoteAt = stringStart(text, i);
    if (quoteAt !== -1) {
      const end = stringEnd(text, quoteAt);
      if (lineStart && depth === 0 && endsLogicalLine(text, end)) {
        parts.push(text.slice(kept, i));
        kept = end;
      }
      i = end;
      lineStart = false;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
    lineStart = false;
    // Skip the rest of an identifier or number at once (a prefix letter inside a name is not a string prefix).
    i++;
    if (isWordChar(c)) while (i < n && isWordChar(text.charCodeAt(i))) i++;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(kept));
  return parts.join('');
}

const HASH = 35;
const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const FF = 12;
const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

function isPrefixChar(c: number): boolean {
  // r R b B u U f F (t T: template strings, Python 3.14)
  return c === 114 || c === 82 || c === 98 || c === 66 || c === 117 || c === 85 || c === 102 || c === 70 || c === 116 || c === 84;
}

/** If a string literal (with an optional prefix of up to two letters) starts at `i`, the index of its quote; else -1. */
function stringStart(text: string, i: number): number {
  let j = i;
  while (j - i < 2 && isPrefixChar(text.charCodeAt(j))) j++;
  const q = text.charCodeAt(j);
  return q === DQUOTE || q === SQUOTE ? j : -1;
}

/** The index just past the string literal whose opening quote is at `q`. */
function stringEnd(text: string, q: number): number {
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
function endsLogicalLine(text: string, at: number): boolean {
  let e = at;
  while (e < text.length) {
    const c = text.charCodeAt(e);
    if (c === SPACE || c === TAB || c === CR || c === FF) e++;
    else return c === NL || c === HASH || c === 59 /* ; */;
  }
  return true;
}
