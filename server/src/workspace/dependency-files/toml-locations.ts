/**
 * Where the string values of a TOML document are. smol-toml gives the values but no positions, so
 * this tolerant scanner walks the same document and records, for every string value, its key path
 * (e.g. ["project", "dependencies", 0]) and source offsets. It also rebuilds a tree of the strings,
 * arrays and tables it saw, so an invalid document can still yield the part that reads well.
 * Numbers, booleans and dates are skipped: dependency declarations are strings.
 */

export type TomlPath = (string | number)[];

export interface TomlStringLocation {
  value: string;
  /** Offsets of the whole literal, quotes included. */
  start: number;
  end: number;
  /** Offsets of the text between the quotes. */
  innerStart: number;
  innerEnd: number;
  /** True when the text between the quotes is the value itself (no escapes), so offsets map 1:1. */
  verbatim: boolean;
}

export interface TomlLocations {
  /** The string at `path`, if one was seen there. */
  at(path: TomlPath): TomlStringLocation | undefined;
  /** A best-effort tree of strings, arrays and tables (for documents smol-toml rejects). */
  tree: Record<string, unknown>;
}

type Token =
  | { kind: 'string'; loc: TomlStringLocation }
  | { kind: 'word'; text: string; start: number }
  | { kind: 'punct'; text: '[' | ']' | '{' | '}' | '=' | ',' | '.'; start: number }
  | { kind: 'newline'; start: number };

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

function decodeBasic(raw: string, multiline: boolean): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = raw[i + 1];
    if (next === undefined) break;
    if (ESCAPES[next] !== undefined) {
      out += ESCAPES[next];
      i++;
    } else if (next === 'u' || next === 'U' || next === 'x') {
      const width = next === 'u' ? 4 : next === 'U' ? 8 : 2;
      const hex = raw.slice(i + 2, i + 2 + width);
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === width ? parseInt(hex, 16) : NaN;
      out += code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
      i += 1 + width;
    } else if (multiline && /[ \t\r\n]/.test(next)) {
      // Line-ending backslash: trims the line break and the whitespace that follows.
      let j = i + 1;
      while (j < raw.length && /[ \t\r\n]/.test(raw[j])) j++;
      i = j - 1;
    } else {
      out += next;
      i++;
    }
  }
  return out;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t') {
      i++;
    } else if (ch === '\n' || ch === '\r') {
      tokens.push({ kind: 'newline', start: i });
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else if (ch === '#') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (ch === '"' || ch === "'") {
      const loc = readString(text, i);
      tokens.push({ kind: 'string', loc });
      i = loc.end;
    } else if ('[]{}=,.'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch as '[', start: i });
      i++;
    } else {
      const start = i;
      while (i < n && !/[\s\[\]{}=,."'#]/.test(text[i])) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), start });
    }
  }
  return tokens;
}

function readString(text: string, start: number): TomlStringLocation {
  const quote = text[start];
  const basic = quote === '"';
  const triple = text.startsWith(quote.repeat(3), start);
  if (triple) {
    let innerStart = start + 3;
    // A line break right after the opening delimiter is not part of the value.
    if (text[innerStart] === '\r' && text[innerStart + 1] === '\n') innerStart += 2;
    else if (text[innerStart] === '\n') innerStart += 1;
    let close = innerStart;
    for (;;) {
      close = text.indexOf(quote.repeat(3), close);
      if (close < 0) break;
      if (basic && isEscaped(text, close, innerStart)) {
        close++;
        continue;
      }
      break;
    }
    if (close < 0) {
      const raw = text.slice(innerStart);
      return { value: basic ? decodeBasic(raw, true) : raw, start, end: text.length, innerStart, innerEnd: text.length, verbatim: false };
    }
    // Up to two quotes may sit just before the closing delimiter ('''a''''' is "a''").
    let innerEnd = close;
    while (innerEnd - close < 2 && text[innerEnd + 3] === quote) innerEnd++;
    const raw = text.slice(innerStart, innerEnd);
    const value = basic ? decodeBasic(raw, true) : raw;
    return { value, start, end: innerEnd + 3, innerStart, innerEnd, verbatim: value === raw };
  }
  let i = start + 1;
  while (i < text.length && text[i] !== quote && text[i] !== '\n' && text[i] !== '\r') {
    if (basic && text[i] === '\\') i++;
    i++;
  }
  const terminated = text[i] === quote;
  const innerEnd = Math.min(i, text.length);
  const raw = text.slice(start + 1, innerEnd);
  const value = basic ? decodeBasic(raw, false) : raw;
  return { value, start, end: terminated ? i + 1 : innerEnd, innerStart: start + 1, innerEnd, verbatim: terminated && value === raw };
}

function isEscaped(text: string, at: number, floor: number): boolean {
  let backslashes = 0;
  for (let j = at - 1; j >= floor && text[j] === '\\'; j--) backslashes++;
  return backslashes % 2 === 1;
}

const MAX_DEPTH = 64;

/** Tables without a prototype, so a key named "__proto__" is just a key. */
function newTable(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

class Walker {
  private pos = 0;
  private readonly found = new Map<string, TomlStringLocation>();
  readonly tree: Record<string, unknown> = newTable();
  /** Current index of each array of tables, keyed by its resolved path. */
  private readonly arrayTables = new Map<string, number>();

  constructor(private readonly tokens: Token[]) {}

  locations(): TomlLocations {
    return { at: (path) => this.found.get(JSON.stringify(path)), tree: this.tree };
  }

  run(): void {
    let table: TomlPath = [];
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos];
      if (token.kind === 'newline') {
        this.pos++;
        continue;
      }
      if (token.kind === 'punct' && token.text === '[') {
        table = this.header() ?? table;
      } else {
        this.keyValue(table, 0);
        this.skipLine(); // whatever follows a value on its line (or a line that did not read) is dropped
      }
    }
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  private skipLine(): void {
    while (this.pos < this.tokens.length && this.tokens[this.pos].kind !== 'newline') this.pos++;
  }

  private skipNewlines(): void {
    while (this.peek()?.kind === 'newline') this.pos++;
  }

  /** `[a.b]` or `[[a.b]]`; returns the resolved table path. */
  private header(): TomlPath | undefined {
    const open = this.peek() as Token & { kind: 'punct' };
    this.pos++;
    const second = this.peek();
    const isArray = second?.kind === 'punct' && second.text === '[' && second.start === open.start + 1;
    if (isArray) this.pos++;
    const keys = this.dottedKey();
    if (!keys || !this.isPunct(']')) {
      this.skipLine();
      return undefined;
    }
    this.pos++;
    if (isArray) {
      if (!this.isPunct(']')) {
        this.skipLine();
        return undefined;
      }
      this.pos++;
    }
    this.skipLine();
    const parent = this.resolve(keys.slice(0, -1));
    const path: TomlPath = [...parent, keys[keys.length - 1]];
    if (isArray) {
      const counter = JSON.stringify(path);
      const index = (this.arrayTables.get(counter) ?? -1) + 1;
      this.arrayTables.set(counter, index);
      path.push(index);
    } else {
      const index = this.arrayTables.get(JSON.stringify(path));
      if (index !== undefined) path.push(index);
    }
    this.ensureTable(path);
    return path;
  }

  /** Header keys that name an array of tables refer to its latest element. */
  private resolve(keys: string[]): TomlPath {
    const out: TomlPath = [];
    for (const key of keys) {
      out.push(key);
      const index = this.arrayTables.get(JSON.stringify(out));
      if (index !== undefined) out.push(index);
    }
    return out;
  }

  private dottedKey(): string[] | undefined {
    const keys: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'word') keys.push(t.text);
      else if (t?.kind === 'string') keys.push(t.loc.value);
      else return undefined;
      this.pos++;
      if (!this.isPunct('.')) return keys;
      this.pos++;
    }
  }

  private keyValue(table: TomlPath, depth: number): boolean {
    const keys = this.dottedKey();
    if (!keys || !this.isPunct('=')) return false;
    this.pos++;
    return this.value([...table, ...keys], depth);
  }

  private value(path: TomlPath, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const t = this.peek();
    if (!t || t.kind === 'newline') return false;
    if (t.kind === 'string') {
      this.pos++;
      this.found.set(JSON.stringify(path), t.loc);
      this.assign(path, t.loc.value);
      return true;
    }
    if (t.kind === 'punct' && t.text === '[') {
      this.pos++;
      this.assign(path, []);
      return this.array(path, depth);
    }
    if (t.kind === 'punct' && t.text === '{') {
      this.pos++;
      this.assign(path, newTable());
      return this.inlineTable(path, depth);
    }
    // Numbers, booleans, dates (which may contain "." and a space): skip their words.
    let consumed = false;
    while (this.peek()?.kind === 'word' || this.isPunct('.')) {
      this.pos++;
      consumed = true;
    }
    return consumed;
  }

  private array(path: TomlPath, depth: number): boolean {
    for (let index = 0; ; index++) {
      this.skipNewlines();
      if (this.isPunct(']')) {
        this.pos++;
        return true;
      }
      if (!this.value([...path, index], depth + 1)) return false;
      this.skipNewlines();
      if (this.isPunct(',')) this.pos++;
      else if (!this.isPunct(']')) return false;
    }
  }

  private inlineTable(path: TomlPath, depth: number): boolean {
    for (;;) {
      this.skipNewlines(); // TOML 1.1 allows line breaks in inline tables; be lenient either way
      if (this.isPunct('}')) {
        this.pos++;
        return true;
      }
      if (!this.keyValue(path, depth + 1)) return false;
      this.skipNewlines();
      if (this.isPunct(',')) this.pos++;
      else if (!this.isPunct('}')) return false;
    }
  }

  private ensureTable(path: TomlPath): void {
    this.container(path, true);
  }

  private assign(path: TomlPath, value: unknown): void {
    const parent = this.container(path.slice(0, -1), false);
    if (!parent) return;
    const key = path[path.length - 1];
    if (Array.isArray(parent) && typeof key === 'number') parent[key] = value;
    else if (!Array.isArray(parent) && typeof key === 'string') parent[key] = value;
  }

  /** The object or array at `path`, created along the way; undefined when a scalar is in the way. */
  private container(path: TomlPath, table: boolean): Record<string, unknown> | unknown[] | undefined {
    let node: Record<string, unknown> | unknown[] = this.tree;
    for (let i = 0; i < path.length; i++) {
      const key = path[i];
      const wantsArray = typeof path[i + 1] === 'number';
      const makeNew = (): Record<string, unknown> | unknown[] => (wantsArray ? [] : newTable());
      let next: unknown;
      if (Array.isArray(node)) {
        if (typeof key !== 'number') return undefined;
        next = node[key] ??= makeNew();
      } else {
        if (typeof key !== 'string') return undefined;
        if (!Object.prototype.hasOwnProperty.call(node, key)) node[key] = makeNew();
        next = node[key];
      }
      if (typeof next !== 'object' || next === null) return undefined;
      node = next as Record<string, unknown> | unknown[];
    }
    if (table && Array.isArray(node)) return undefined;
    return node;
  }
}

export function locateTomlStrings(text: string): TomlLocations {
  const walker = new Walker(tokenize(text));
  walker.run();
  return walker.locations();
}
