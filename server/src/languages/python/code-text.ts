import { BACKSLASH, commentEnd, CR, DQUOTE, endsLogicalLine, FF, HASH, NL, skipPlain, SPACE, SQUOTE, stringEnd, stringStart, TAB } from './lexer';

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
    let c = text.charCodeAt(i);
    if (lineStart) {
      if (c === SPACE || c === TAB || c === CR || c === FF) {
        i++;
        continue;
      }
      // The first token of a logical line: a string here (with its prefix) may be a docstring.
      const quoteAt = c === NL || c === HASH || c === BACKSLASH ? -1 : stringStart(text, i);
      if (quoteAt !== -1) {
        const end = stringEnd(text, quoteAt);
        if (depth === 0 && endsLogicalLine(text, end)) {
          parts.push(text.slice(kept, i));
          kept = end;
        }
        i = end;
        lineStart = false;
        continue;
      }
      if (c !== NL && c !== HASH && c !== BACKSLASH) lineStart = false;
    }
    // Elsewhere names, numbers, operators and blanks change nothing; a string prefix is skipped
    // with them and the quote then starts the string.
    i = skipPlain(text, i);
    if (i >= n) break;
    c = text.charCodeAt(i);
    if (c === HASH) {
      parts.push(text.slice(kept, i));
      i = kept = commentEnd(text, i);
    } else if (c === NL) {
      if (depth === 0) lineStart = true;
      i++;
    } else if (c === BACKSLASH) {
      // Line continuation (or a stray backslash): the logical line goes on.
      i += text.charCodeAt(i + 1) === CR ? 3 : 2;
    } else if (c === DQUOTE || c === SQUOTE) {
      i = stringEnd(text, i);
      lineStart = false;
    } else {
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (depth > 0) depth--; // ) ] }
      lineStart = false;
      i++;
    }
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(kept));
  return parts.join('');
}
