import { BACKSLASH, commentEnd, CR, endsLogicalLine, FF, HASH, isWordChar, NL, SPACE, stringEnd, stringStart, TAB } from './lexer';

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
      i = kept = commentEnd(text, i);
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
