/**
 * Lexer of the protobuf text format ("textproto", Triton's `config.pbtxt`). Hand-written: no
 * package gives positions and error recovery (runtime.md §8). Tokens carry UTF-16 offsets into the
 * text; the parser turns them into LSP ranges. The lexer never throws and always advances, so any
 * input (binary junk included) is read in linear time.
 */

export type TokenKind = 'identifier' | 'number' | 'string' | 'punct' | 'invalid' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Start and end offsets (UTF-16 code units) of the token text. */
  start: number;
  end: number;
  /** The token text as written (for punctuation, the character itself). */
  text: string;
  /** Strings: the decoded value (escapes applied, quotes removed). */
  value?: string;
  /** Numbers: whether the literal is an integer (decimal, octal or hex). */
  integer?: boolean;
  /** Problems found inside the token (unterminated string, bad escape, malformed number). */
  problems?: { message: string; start: number; end: number }[];
}

const PUNCT = new Set(['{', '}', '<', '>', '[', ']', ':', ',', ';', '-', '/', '.']);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

export class Lexer {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** The next token; comments and whitespace are skipped. After the end, every call returns `eof`. */
  next(): Token {
    const text = this.text;
    const n = text.length;
    // Whitespace and `#` comments.
    for (;;) {
      while (this.pos < n && isSpace(text.charCodeAt(this.pos))) this.pos++;
      if (this.pos < n && text.charCodeAt(this.pos) === 35 /* # */) {
        while (this.pos < n && text.charCodeAt(this.pos) !== 10 && text.charCodeAt(this.pos) !== 13) this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    if (start >= n) return { kind: 'eof', start: n, end: n, text: '' };
    const c = text.charCodeAt(start);
    if (isIdentStart(c)) {
      let i = start + 1;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      this.pos = i;
      return { kind: 'identifier', start, end: i, text: text.slice(start, i) };
    }
    if (isDigit(c) || (c === 46 /* . */ && isDigit(text.charCodeAt(start + 1)))) return this.number(start);
    if (c === 34 /* " */ || c === 39 /* ' */) return this.string(start, c);
    const ch = text[start];
    if (PUNCT.has(ch)) {
      this.pos = start + 1;
      return { kind: 'punct', start, end: start + 1, text: ch };
    }
    // A run of characters that cannot start any token: one invalid token.
    let i = start + 1;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isSpace(d) || isIdentStart(d) || isDigit(d) || d === 34 || d === 39 || d === 35 || PUNCT.has(text[i])) break;
      i++;
    }
    this.pos = i;
    return { kind: 'invalid', start, end: i, text: text.slice(start, i) };
  }

  private number(start: number): Token {
    const text = this.text;
    const n = text.length;
    let i = start;
    let integer = true;
    if (text.charCodeAt(i) === 48 && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      i += 2;
      const digits = i;
      while (i < n && isHex(text.charCodeAt(i))) i++;
      if (i === digits) return this.badNumber(start, i, 'a hexadecimal number needs digits after "0x"');
    } else {
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46 /* . */) {
        integer = false;
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      if (text[i] === 'e' || text[i] === 'E') {
        i++;
        if (text[i] === '+' || text[i] === '-') i++;
        if (isDigit(text.charCodeAt(i))) {
          integer = false;
          while (i < n && isDigit(text.charCodeAt(i))) i++;
        } else {
          return this.badNumber(start, i, 'an exponent needs digits');
        }
      }
      if (text[i] === 'f' || text[i] === 'F') {
        integer = false;
        i++;
      }
    }
    if (i < n && isIdentPart(text.charCodeAt(i))) {
      let j = i;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      return this.badNumber(start, j, 'a number must be followed by a space or punctuation, not a letter');
    }
    this.pos = i;
    return { kind: 'number', start, end: i, text: text.slice(start, i), integer };
  }

  private badNumber(start: number, end: number, message: string): Token {
    let j = end;
    while (j < this.text.length && isIdentPart(this.text.charCodeAt(j))) j++;
    this.pos = j;
    return { kind: 'number', start, end: j, text: this.text.slice(start, j), integer: false, problems: [{ message: `malformed number: ${message}`, start, end: j }] };
  }

  private string(start: number, quote: number): Token {
    const text = this.text;
    const n = text.length;
    let i = start + 1;
    let value = '';
    const problems: NonNullable<Token['problems']> = [];
    for (;;) {
      if (i >= n || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13) {
        problems.push({ message: 'unterminated string: the closing quote is missing before the end of the line', start, end: i });
        this.pos = i;
        return { kind: 'string', start, end: i, text: text.slice(start, i), value, problems };
      }
      const c = text.charCodeAt(i);
      if (c === quote) {
        i++;
        break;
      }
      if (c !== 92 /* \ */) {
        // Copy a run of plain characters at once.
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === quote || d === 92 || d === 10 || d === 13) break;
          j++;
        }
        value += text.slice(i, j);
        i = j;
        continue;
      }
      // Escape sequence.
      const e = text[i + 1];
      if (e === undefined || e === '\n' || e === '\r') {
        i++;
        continue; // reported as unterminated on the next round
      }
      if (e in SIMPLE_ESCAPES) {
        value += SIMPLE_ESCAPES[e];
        i += 2;
      } else if (e >= '0' && e <= '7') {
        let j = i + 1;
        while (j < i + 4 && j < n && text[j] >= '0' && text[j] <= '7') j++;
        value += String.fromCharCode(parseInt(text.slice(i + 1, j), 8) & 0xff);
        i = j;
      } else if (e === 'x' || e === 'X') {
        let j = i + 2;
        while (j < i + 4 && j < n && isHex(text.charCodeAt(j))) j++;
        if (j === i + 2) {
          problems.push({ message: 'invalid escape: "\\x" needs hexadecimal digits', start: i, end: i + 2 });
          i += 2;
        } else {
          value += String.fromCharCode(parseInt(text.slice(i + 2, j), 16));
          i = j;
        }
      } else if (e === 'u' || e === 'U') {
        const len = e === 'u' ? 4 : 8;
        const digits = text.slice(i + 2, i + 2 + len);
        if (digits.length === len && /^[0-9a-fA-F]+$/.test(digits) && parseInt(digits, 16) <= 0x10ffff) {
          value += String.fromCodePoint(parseInt(digits, 16));
          i += 2 + len;
        } else {
          problems.push({ message: `invalid escape: "\\${e}" needs ${len} hexadecimal digits`, start: i, end: i + 2 });
          i += 2;
        }
      } else {
        problems.push({ message: `invalid escape "\\${e}" in a string`, start: i, end: i + 2 });
        value += e;
        i += 2;
      }
    }
    this.pos = i;
    return { kind: 'string', start, end: i, text: text.slice(start, i), value, ...(problems.length ? { problems } : {}) };
  }
}
