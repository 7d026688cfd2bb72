/**
 * Parser of the protobuf text format with exact positions (0-based LSP lines, UTF-16 characters)
 * and error recovery. Accepts what protobuf's TextFormat accepts for Triton configs:
 *   name: value    name {…}    name: {…}    name <…>    name: [a, b]    name [{…}, {…}]
 *   optional `,` / `;` after a field, `[ext.name]` / `[type.url/Name]` field names,
 *   adjacent string literals concatenated ("a" 'b'), negative numbers, `-inf`, `nan`.
 * Syntax errors become positioned problems and parsing continues at the next plausible field.
 * Nesting is bounded (MAX_DEPTH): deeper blocks are skipped iteratively and reported, so no input
 * can exhaust the stack. The number of problems is capped too.
 */
import type { Range } from '../../engine/types';
import { LineIndex } from '../../workspace/dependency-files/line-index';
import { Lexer, type Token } from './lexer';

export const MAX_DEPTH = 128;
const MAX_PROBLEMS = 200;

interface Located { start: number; end: number; range: Range }

export interface PbScalar extends Located {
  type: 'scalar';
  kind: 'string' | 'number' | 'identifier';
  /** Strings: the decoded, concatenated value. Numbers and identifiers: the text, with a leading "-" when negative. */
  value: string;
  /** Numbers: integer literal (decimal, octal, hex). */
  integer?: boolean;
  /** Strings written as one literal: the range between the quotes (for edits that keep the quotes). */
  contentRange?: Range;
}

export interface PbMessage extends Located {
  type: 'message';
  fields: PbField[];
  /** The opening delimiter (`{` or `<`); the root message has none. */
  open?: { start: number; text: '{' | '<' };
  /** Start offset of the closing delimiter, when present. */
  closeStart?: number;
  /** Nesting depth (root = 0). */
  depth: number;
  /** Set when the block was nested too deep and its content was skipped. */
  skipped?: boolean;
}

export interface PbList extends Located {
  type: 'list';
  items: (PbScalar | PbMessage)[];
  closed: boolean;
}

export type PbValue = PbScalar | PbMessage | PbList;

export interface PbField extends Located {
  name: string;
  nameRange: Range;
  /** `[ext.name]` field name. */
  extension: boolean;
  colon: boolean;
  /** Undefined when the value is missing (a problem is reported). */
  value?: PbValue;
}

export interface PbProblem extends Located {
  message: string;
  severity: 'error' | 'warning';
}

export interface PbDocument {
  text: string;
  root: PbMessage;
  problems: PbProblem[];
  index: LineIndex;
}

const OPENERS = new Set(['{', '<', '[']);
const CLOSERS = new Set(['}', '>', ']']);
const CLOSER_OF: Record<string, string> = { '{': '}', '<': '>', '[': ']' };

export function parsePbtxt(text: string): PbDocument {
  return new Parser(text).parse();
}

class Parser {
  private readonly lexer: Lexer;
  private readonly index: LineIndex;
  private readonly buffer: Token[] = [];
  private readonly problems: PbProblem[] = [];
  private depthReported = false;
  private capped = false;
  /** The last problem about junk tokens, extended while junk continues. */
  private junk: PbProblem | undefined;

  constructor(private readonly text: string) {
    this.lexer = new Lexer(text);
    this.index = new LineIndex(text);
  }

  parse(): PbDocument {
    const root: PbMessage = { type: 'message', fields: [], depth: 0, start: 0, end: this.text.length, range: this.index.range(0, this.text.length) };
    this.fields(root, undefined);
    return { text: this.text, root, problems: this.problems, index: this.index };
  }

  // ---- tokens ----

  private peek(k = 0): Token {
    while (this.buffer.length <= k) {
      const t = this.lexer.next();
      if (t.problems) for (const p of t.problems) this.problem(p.message, p.start, p.end);
      this.buffer.push(t);
    }
    return this.buffer[k];
  }

  private take(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.buffer.shift();
    return t;
  }

  private isPunct(t: Token, ch: string): boolean {
    return t.kind === 'punct' && t.text === ch;
  }

  private accept(ch: string): Token | undefined {
    return this.isPunct(this.peek(), ch) ? this.take() : undefined;
  }

  private problem(message: string, start: number, end: number, severity: 'error' | 'warning' = 'error'): PbProblem | undefined {
    if (this.problems.length >= MAX_PROBLEMS) {
      if (!this.capped) {
        this.capped = true;
        const last = this.problems[this.problems.length - 1];
        last.message += ` (more than ${MAX_PROBLEMS} problems; the rest are not reported)`;
      }
      return undefined;
    }
    const p: PbProblem = { message, severity, start, end: Math.max(end, start), range: this.index.range(start, Math.max(end, start)) };
    this.problems.push(p);
    return p;
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'the end of the file';
    if (t.kind === 'string') return 'a string';
    const shown = t.text.length > 20 ? `${t.text.slice(0, 20)}…` : t.text;
    return `"${shown.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}"`;
  }

  // ---- grammar ----

  /** Fields until `closer` (or the end of the text for the root). */
  private fields(msg: PbMessage, closer: string | undefined): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') {
        if (closer && msg.open) this.problem(`"${msg.open.text}" is never closed: expected "${closer}" before the end of the file`, msg.open.start, msg.open.start + 1);
        msg.end = t.end;
        break;
      }
      if (closer && this.isPunct(t, closer)) {
        this.take();
        this.junk = undefined;
        msg.closeStart = t.start;
        msg.end = t.end;
        break;
      }
      if (t.kind === 'identifier' || this.isPunct(t, '[')) {
        this.junk = undefined;
        const field = this.field(msg.depth);
        if (field) msg.fields.push(field);
        continue;
      }
      if (closer && t.kind === 'punct' && CLOSERS.has(t.text) && this.closesEnclosing(t)) {
        // A closer of an enclosing block: this block lacks its own closer.
        if (msg.open) this.problem(`expected "${closer}" to close the "${msg.open.text}" opened here`, msg.open.start, msg.open.start + 1);
        msg.end = t.start;
        break;
      }
      this.skipJunk(t, 'expected a field name');
    }
    msg.range = this.index.range(msg.start, msg.end);
  }

  /** Whether a closer belongs to some block that is still open (tracked through `openClosers`). */
  private readonly openClosers: string[] = [];
  private closesEnclosing(t: Token): boolean {
    // The innermost open block is the current one; look at the others.
    for (let i = this.openClosers.length - 2; i >= 0; i--) if (this.openClosers[i] === t.text) return true;
    return false;
  }

  /** Report one problem for a run of tokens that cannot start a field, and skip them. */
  private skipJunk(t: Token, what: string): void {
    const end = OPENERS.has(t.text) && t.kind === 'punct' ? this.skipBalanced() : (this.take(), t.end);
    if (this.junk && this.problems[this.problems.length - 1] === this.junk) {
      this.junk.end = end;
      this.junk.range = this.index.range(this.junk.start, end);
    } else {
      this.junk = this.problem(`${what}, found ${this.describe(t)}`, t.start, end);
    }
  }

  /** Skip a bracketed group without recursion; returns the end offset of what was skipped. */
  private skipBalanced(): number {
    let level = 0;
    let end = this.peek().end;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return end;
      this.take();
      end = t.end;
      if (t.kind === 'punct' && OPENERS.has(t.text)) level++;
      else if (t.kind === 'punct' && CLOSERS.has(t.text)) level--;
      if (level <= 0) return end;
    }
  }

  private field(depth: number): PbField | undefined {
    const first = this.take();
    let name = first.text;
    let nameEnd = first.end;
    let extension = false;
    if (first.kind === 'punct') {
      // `[ext.name]` or `[type.googleapis.com/pkg.Msg]`
      extension = true;
      const parts: string[] = [];
      for (;;) {
        const t = this.peek();
        if (t.kind === 'identifier' || (t.kind === 'punct' && (t.text === '.' || t.text === '/'))) {
          parts.push(t.text);
          this.take();
          nameEnd = t.end;
          continue;
        }
        break;
      }
      const close = this.accept(']');
      if (!close) {
        const t = this.peek();
        this.problem(`expected "]" to end the extension field name, found ${this.describe(t)}`, t.start, t.end);
      } else {
        nameEnd = close.end;
      }
      name = parts.join('');
      if (parts.length === 0) this.problem('expected an extension name between "[" and "]"', first.start, nameEnd);
    }
    const field: PbField = { name, extension, colon: false, start: first.start, end: nameEnd, nameRange: this.index.range(first.start, nameEnd), range: this.index.range(first.start, nameEnd) };
    const colon = this.accept(':');
    field.colon = !!colon;
    const t = this.peek();
    if (this.isPunct(t, '{') || this.isPunct(t, '<')) {
      field.value = this.message(depth + 1);
    } else if (this.isPunct(t, '[')) {
      field.value = this.list(depth + 1);
    } else if (colon && t.kind === 'identifier' && this.onLaterLine(colon, t) && this.startsFieldOrList(t)) {
      // `name:` with the value missing, and the next field on the following line.
      this.problem(`expected a value for "${name}"`, colon.start, colon.end);
    } else if (this.startsScalar(t)) {
      if (!colon) this.problem(`expected ":" between the field name "${name}" and its value`, nameEnd, t.start > nameEnd ? t.start : t.end);
      field.value = this.scalar();
    } else {
      const at = colon ?? first;
      this.problem(`expected a value for "${name}"${colon ? '' : ' (":" and a value, or "{")'}, found ${this.describe(t)}`, t.kind === 'eof' ? at.start : t.start, t.kind === 'eof' ? at.end : t.end);
    }
    if (field.value) field.end = field.value.end;
    else if (colon) field.end = colon.end;
    field.range = this.index.range(field.start, field.end);
    if (!this.accept(',')) this.accept(';');
    return field;
  }

  private startsScalar(t: Token): boolean {
    return t.kind === 'string' || t.kind === 'number' || t.kind === 'identifier' || this.isPunct(t, '-');
  }

  private message(depth: number): PbMessage {
    const open = this.take();
    const msg: PbMessage = { type: 'message', fields: [], depth, open: { start: open.start, text: open.text as '{' | '<' }, start: open.start, end: open.end, range: this.index.range(open.start, open.end) };
    if (depth > MAX_DEPTH) {
      this.buffer.unshift(open); // let skipBalanced consume the whole group, opener included
      msg.end = this.skipBalanced();
      msg.skipped = true;
      msg.range = this.index.range(msg.start, msg.end);
      if (!this.depthReported) {
        this.depthReported = true;
        this.problem(`nesting deeper than ${MAX_DEPTH} levels; the content of this block is not read`, open.start, open.end);
      }
      return msg;
    }
    this.openClosers.push(CLOSER_OF[open.text]);
    try {
      this.fields(msg, CLOSER_OF[open.text]);
    } finally {
      this.openClosers.pop();
    }
    return msg;
  }

  private list(depth: number): PbList {
    const open = this.take();
    const list: PbList = { type: 'list', items: [], closed: false, start: open.start, end: open.end, range: this.index.range(open.start, open.end) };
    if (depth > MAX_DEPTH) {
      this.buffer.unshift(open);
      list.end = this.skipBalanced();
      list.range = this.index.range(list.start, list.end);
      if (!this.depthReported) {
        this.depthReported = true;
        this.problem(`nesting deeper than ${MAX_DEPTH} levels; the content of this list is not read`, open.start, open.end);
      }
      return list;
    }
    this.openClosers.push(']');
    try {
      let expectItem = true;
      for (;;) {
        const t = this.peek();
        if (this.isPunct(t, ']')) {
          this.take();
          list.closed = true;
          list.end = t.end;
          break;
        }
        if (t.kind === 'eof' || (t.kind === 'punct' && CLOSERS.has(t.text)) || this.startsField(t)) {
          this.problem(`"[" is never closed: expected "]"${list.items.length ? ' or ","' : ''}, found ${this.describe(t)}`, open.start, open.end);
          list.end = list.items.length ? list.items[list.items.length - 1].end : open.end;
          break;
        }
        if (this.isPunct(t, ',')) {
          this.take();
          if (expectItem) this.problem('expected a list item before ","', t.start, t.end);
          expectItem = true;
          continue;
        }
        if (!expectItem) this.problem(`expected "," or "]" in the list, found ${this.describe(t)}`, t.start, t.end);
        if (this.isPunct(t, '{') || this.isPunct(t, '<')) list.items.push(this.message(depth + 1));
        else if (this.isPunct(t, '[')) {
          this.problem('a list cannot contain a list', t.start, t.end);
          this.skipBalanced();
        } else if (this.startsScalar(t)) list.items.push(this.scalar());
        else {
          this.skipJunk(t, 'expected a list item');
        }
        expectItem = false;
      }
    } finally {
      this.openClosers.pop();
    }
    list.range = this.index.range(list.start, list.end);
    return list;
  }

  private onLaterLine(a: Token, b: Token): boolean {
    return /[\n\r]/.test(this.text.slice(a.end, b.start));
  }

  /** An identifier followed by ":", "{", "<" or "[" (the next field, in any spelling). */
  private startsFieldOrList(t: Token): boolean {
    const n = this.peek(1);
    return this.startsField(t) || (t.kind === 'identifier' && n.kind === 'punct' && n.text === '[');
  }

  /** An identifier followed by ":" or "{" / "<" looks like the next field (used to end an unclosed list). */
  private startsField(t: Token): boolean {
    if (t.kind !== 'identifier') return false;
    const n = this.peek(1);
    return n.kind === 'punct' && (n.text === ':' || n.text === '{' || n.text === '<');
  }

  private scalar(): PbScalar {
    const t = this.take();
    if (t.kind === 'string') {
      let value = t.value ?? '';
      let end = t.end;
      let parts = 1;
      while (this.peek().kind === 'string') {
        const next = this.take();
        value += next.value ?? '';
        end = next.end;
        parts++;
      }
      const terminated = !t.problems?.some((p) => p.message.startsWith('unterminated'));
      const s: PbScalar = { type: 'scalar', kind: 'string', value, start: t.start, end, range: this.index.range(t.start, end) };
      if (parts === 1 && terminated) s.contentRange = this.index.range(t.start + 1, t.end - 1);
      return s;
    }
    if (t.kind === 'punct' && t.text === '-') {
      const n = this.peek();
      if (n.kind === 'number' || (n.kind === 'identifier' && /^(inf|infinity|nan)$/i.test(n.text))) {
        this.take();
        return { type: 'scalar', kind: n.kind, value: `-${n.text}`, integer: n.integer, start: t.start, end: n.end, range: this.index.range(t.start, n.end) };
      }
      this.problem(`expected a number after "-", found ${this.describe(n)}`, n.start, n.end);
      return { type: 'scalar', kind: 'identifier', value: '-', start: t.start, end: t.end, range: this.index.range(t.start, t.end) };
    }
    return { type: 'scalar', kind: t.kind === 'number' ? 'number' : 'identifier', value: t.text, integer: t.integer, start: t.start, end: t.end, range: this.index.range(t.start, t.end) };
  }
}
