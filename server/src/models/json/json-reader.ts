/**
 * A strict, bounded JSON reader over a byte range of a ByteSource (safetensors headers, shard
 * indexes, Keras configs, HDF5 `model_config`, tokenizer configs). Why not `JSON.parse`:
 *
 * - duplicate keys are parser differentials (`JSON.parse` and Python keep the last one, other
 *   readers the first or refuse): they are reported, and every value stays visible;
 * - numbers keep their text, so integers beyond 2^53 are checked exactly (BigInt);
 * - strings must be valid UTF-8 (like serde_json), nesting is capped, and big inputs are parsed
 *   in windows instead of being read whole (safetensors headers up to 100 MB).
 *
 * Syntax follows RFC 8259 (no comments, no trailing commas, no NaN). Errors throw JsonError with
 * the offset; readers turn them into `model-file-malformed` findings.
 */
import type { ByteSource } from '../byte-source';
import type { JsonValue } from '../types';

export class JsonError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** The input ended before the value did. */
    readonly truncated = false,
    /** A cap (depth, string size) was hit rather than a syntax error. */
    readonly limit = false,
  ) {
    super(message);
  }
}

/** A JSON number with its exact text. */
export class JNum {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text);
  }
  /** An integer written without fraction or exponent. */
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.text);
  }
  /** The exact integer value (undefined when not an integer literal). */
  bigint(): bigint | undefined {
    return this.isInteger ? BigInt(this.text) : undefined;
  }
}

/** A JSON object with every entry in order, duplicates included; `get` returns the last (JSON.parse semantics). */
export class JObject {
  readonly keys: string[] = [];
  readonly values: JNode[] = [];
  /** Keys that occur more than once. */
  duplicates?: string[];
  private index?: Map<string, number>;

  get size(): number {
    return this.keys.length;
  }

  get(key: string): JNode | undefined {
    if (!this.index) {
      this.index = new Map();
      this.keys.forEach((k, i) => this.index!.set(k, i));
    }
    const i = this.index.get(key);
    return i === undefined ? undefined : this.values[i];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Every value stored under `key` (more than one when duplicated). */
  all(key: string): JNode[] {
    const out: JNode[] = [];
    this.keys.forEach((k, i) => {
      if (k === key) out.push(this.values[i]);
    });
    return out;
  }

  entries(): [string, JNode][] {
    return this.keys.map((k, i) => [k, this.values[i]]);
  }
}

export type JNode = null | boolean | string | JNum | JNode[] | JObject;

export interface JsonReadOptions {
  /** Maximum nesting of arrays/objects. */
  maxDepth: number;
  /** Maximum bytes of one string (UTF-8, before unescaping). */
  maxStringBytes?: number;
  /** Called for each duplicated key: the dotted path of the object, the key, and the key's offset. */
  onDuplicateKey?: (path: string, key: string, offset: number) => void;
  /** Bytes read per window when the range is not read in one piece. */
  windowBytes?: number;
  /** Values built before a JsonError (limit) is thrown; `nodes` can be reset between streamed entries. */
  maxNodes?: number;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** ~4M values is ~300 MB of nodes at worst: within the inspection worker's 512 MB heap. */
export const DEFAULT_MAX_NODES = 4_000_000;
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads JSON from [start, end) of `source`. Reads lazily in windows (`windowBytes`, default: the
 * whole range when it is at most 32 MiB, else 1 MiB).
 */
export class JsonReader {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart: number;
  pos: number;
  private readonly window: number;
  private readonly maxString: number;
  private readonly maxNodes: number;
  /** Values built so far (reset it between streamed entries to cap each entry). */
  nodes = 0;

  constructor(
    private readonly source: ByteSource,
    readonly start: number,
    readonly end: number,
    private readonly opts: JsonReadOptions,
  ) {
    this.pos = start;
    this.bufStart = start;
    const len = end - start;
    this.window = opts.windowBytes ?? (len <= 32 * 1024 * 1024 ? Math.max(1, len) : 1024 * 1024);
    this.maxString = opts.maxStringBytes ?? Number.MAX_SAFE_INTEGER;
    this.maxNodes = opts.maxNodes ?? DEFAULT_MAX_NODES;
  }

  /** Byte at `pos` (or -1 at the end), without consuming it. */
  peek(): number {
    if (this.pos >= this.end) return -1;
    let off = this.pos - this.bufStart;
    if (off < 0 || off >= this.buf.length) {
      this.buf = this.source.read(this.pos, Math.min(this.window, this.end - this.pos));
      this.bufStart = this.pos;
      off = 0;
      if (this.buf.length === 0) return -1;
    }
    return this.buf[off];
  }

  private next(): number {
    const b = this.peek();
    if (b >= 0) this.pos++;
    return b;
  }

  /** Skips JSON whitespace; returns how many bytes were skipped. */
  skipWs(): number {
    const from = this.pos;
    for (;;) {
      const b = this.peek();
      if (b < 0 || !WS.has(b)) return this.pos - from;
      this.pos++;
    }
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  private fail(message: string, at = this.pos): never {
    throw new JsonError(message, at, at >= this.end);
  }

  private expect(byte: number, what: string): void {
    const b = this.next();
    if (b !== byte) this.fail(b < 0 ? `unexpected end of JSON, expected ${what}` : `expected ${what} at offset ${this.pos - 1}, found ${describeByte(b)}`, b < 0 ? this.pos : this.pos - 1);
  }

  /** One value (after optional whitespace). */
  value(depth = 0, path = ''): JNode {
    if (++this.nodes > this.maxNodes) throw new JsonError(`JSON holds more than ${this.maxNodes} values`, this.pos, false, true);
    this.skipWs();
    const b = this.peek();
    switch (b) {
      case 0x7b: // {
        return this.object(depth, path);
      case 0x5b: // [
        return this.array(depth, path);
      case 0x22: // "
        return this.string();
      case 0x74:
        return this.literal('true', true);
      case 0x66:
        return this.literal('false', false);
      case 0x6e:
        return this.literal('null', null);
      default:
        if (b === 0x2d || (b >= 0x30 && b <= 0x39)) return this.number();
        return this.fail(b < 0 ? 'unexpected end of JSON' : `unexpected ${describeByte(b)} at offset ${this.pos}`);
    }
  }

  private literal<T extends JNode>(word: string, v: T): T {
    for (let i = 0; i < word.length; i++) {
      if (this.next() !== word.charCodeAt(i)) this.fail(`invalid literal at offset ${this.pos - 1}`);
    }
    return v;
  }

  number(): JNum {
    const from = this.pos;
    let text = '';
    const take = () => {
      text += String.fromCharCode(this.next());
      if (text.length > 400) this.fail('number too long', from);
    };
    const digits = () => {
      let n = 0;
      for (let b = this.peek(); b >= 0x30 && b <= 0x39; b = this.peek()) {
        take();
        n++;
      }
      return n;
    };
    if (this.peek() === 0x2d) take();
    if (this.peek() === 0x30) take();
    else if (digits() === 0) this.fail(`invalid number at offset ${from}`);
    if (this.peek() === 0x2e) {
      take();
      if (digits() === 0) this.fail(`invalid number at offset ${from}`);
    }
    if (this.peek() === 0x65 || this.peek() === 0x45) {
      take();
      if (this.peek() === 0x2b || this.peek() === 0x2d) take();
      if (digits() === 0) this.fail(`invalid number at offset ${from}`);
    }
    return new JNum(text);
  }

  /** A string (the cursor is on the opening quote). */
  string(): string {
    const from = this.pos;
    this.expect(0x22, '"');
    let out = '';
    let raw: number[] = [];
    let rawBytes = 0;
    const flush = () => {
      if (raw.length === 0) return;
      try {
        out += decoder.decode(Uint8Array.from(raw));
      } catch {
        this.fail(`invalid UTF-8 in a string starting at offset ${from}`, from);
      }
      raw = [];
    };
    for (;;) {
      // fast path: copy a run of plain bytes from the window
      const off = this.pos - this.bufStart;
      if (off >= 0 && off < this.buf.length) {
        let i = off;
        const buf = this.buf;
        while (i < buf.length && buf[i] !== 0x22 && buf[i] !== 0x5c && buf[i] >= 0x20) i++;
        if (i > off) {
          rawBytes += i - off;
          if (rawBytes > this.maxString) throw new JsonError(`string at offset ${from} is longer than ${this.maxString} bytes`, from, false, true);
          if (raw.length === 0 && i < buf.length && buf[i] === 0x22) {
            // whole string in one run: decode directly
            try {
              out += decoder.decode(buf.subarray(off, i));
            } catch {
              this.fail(`invalid UTF-8 in a string starting at offset ${from}`, from);
            }
          } else {
            for (let k = off; k < i; k++) raw.push(buf[k]);
            if (raw.length > 1 << 20) {
              // keep multi-byte sequences whole: flush only up to the last complete character
              let cut = raw.length;
              while (cut > 0 && (raw[cut - 1] & 0xc0) === 0x80) cut--;
              if (cut > 0 && raw[cut - 1] >= 0xc0) cut--;
              const rest = raw.slice(cut);
              raw = raw.slice(0, cut);
              flush();
              raw = rest;
            }
          }
          this.pos += i - off;
        }
      }
      const b = this.next();
      if (b < 0) this.fail(`unterminated string starting at offset ${from}`, this.pos);
      if (b === 0x22) break;
      if (b < 0x20) this.fail(`control character in a string at offset ${this.pos - 1}`);
      if (b !== 0x5c) {
        raw.push(b);
        rawBytes++;
        continue;
      }
      flush();
      const e = this.next();
      switch (e) {
        case 0x22: out += '"'; break;
        case 0x5c: out += '\\'; break;
        case 0x2f: out += '/'; break;
        case 0x62: out += '\b'; break;
        case 0x66: out += '\f'; break;
        case 0x6e: out += '\n'; break;
        case 0x72: out += '\r'; break;
        case 0x74: out += '\t'; break;
        case 0x75: {
          let code = 0;
          for (let k = 0; k < 4; k++) {
            const h = this.next();
            const v = h >= 0x30 && h <= 0x39 ? h - 0x30 : h >= 0x61 && h <= 0x66 ? h - 0x57 : h >= 0x41 && h <= 0x46 ? h - 0x37 : -1;
            if (v < 0) this.fail(`invalid \\u escape at offset ${this.pos - 1}`);
            code = code * 16 + v;
          }
          out += String.fromCharCode(code);
          break;
        }
        default:
          this.fail(e < 0 ? 'unterminated string' : `invalid escape at offset ${this.pos - 1}`);
      }
      rawBytes += 2;
    }
    flush();
    if (rawBytes > this.maxString) throw new JsonError(`string at offset ${from} is longer than ${this.maxString} bytes`, from, false, true);
    return out;
  }

  private enter(depth: number): void {
    if (depth + 1 > this.opts.maxDepth) throw new JsonError(`JSON nested deeper than ${this.opts.maxDepth} levels`, this.pos, false, true);
  }

  private array(depth: number, path: string): JNode[] {
    this.enter(depth);
    this.expect(0x5b, '[');
    const out: JNode[] = [];
    this.skipWs();
    if (this.peek() === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1, `${path}[${out.length}]`));
      this.skipWs();
      const b = this.next();
      if (b === 0x5d) return out;
      if (b !== 0x2c) this.fail(b < 0 ? 'unexpected end of JSON in an array' : `expected ',' or ']' at offset ${this.pos - 1}`, b < 0 ? this.pos : this.pos - 1);
    }
  }

  private object(depth: number, path: string): JObject {
    const obj = new JObject();
    this.entries(depth, path, (key, _keyOffset) => {
      const v = this.value(depth + 1, path ? `${path}.${key}` : key);
      obj.keys.push(key);
      obj.values.push(v);
    }, (key) => {
      (obj.duplicates ??= []).includes(key) || obj.duplicates!.push(key);
    });
    return obj;
  }

  /**
   * Streams the entries of an object (the cursor is on `{`, after whitespace): `onEntry` must consume
   * the value (with `value()` or its own parsing). Duplicated keys are reported to `onDuplicate` and
   * to the options' `onDuplicateKey`.
   */
  entries(depth: number, path: string, onEntry: (key: string, keyOffset: number) => void, onDuplicate?: (key: string, keyOffset: number) => void): void {
    this.enter(depth);
    this.skipWs();
    this.expect(0x7b, '{');
    const seen = new Set<string>();
    this.skipWs();
    if (this.peek() === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWs();
      const keyOffset = this.pos;
      if (this.peek() !== 0x22) this.fail(this.peek() < 0 ? 'unexpected end of JSON in an object' : `expected a string key at offset ${this.pos}`);
      const key = this.string();
      if (seen.has(key)) {
        onDuplicate?.(key, keyOffset);
        this.opts.onDuplicateKey?.(path, key, keyOffset);
      } else seen.add(key);
      this.skipWs();
      this.expect(0x3a, "':'");
      onEntry(key, keyOffset);
      this.skipWs();
      const b = this.next();
      if (b === 0x7d) return;
      if (b !== 0x2c) this.fail(b < 0 ? 'unexpected end of JSON in an object' : `expected ',' or '}' at offset ${this.pos - 1}`, b < 0 ? this.pos : this.pos - 1);
    }
  }
}

function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/** Parses a whole document from a Buffer (whitespace around the value allowed, nothing else). */
export function parseJson(data: Buffer | string, opts: JsonReadOptions): JNode {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const src: ByteSource = { size: buf.length, stats: { bytes: 0, reads: 0 }, read: (p, n) => buf.subarray(Math.max(0, p), Math.max(0, Math.min(buf.length, p + n))) };
  const r = new JsonReader(src, 0, buf.length, opts);
  const v = r.value();
  r.skipWs();
  if (!r.atEnd()) throw new JsonError(`unexpected content after the JSON value at offset ${r.pos}`, r.pos);
  return v;
}

/** A JSON-safe copy for reports, cut to `maxNodes` nodes and strings to `maxString` characters. */
export function toJsonValue(node: JNode, maxNodes = 2000, maxString = 2000): JsonValue {
  let budget = maxNodes;
  const go = (n: JNode, depth: number): JsonValue => {
    if (--budget < 0 || depth > 32) return '…';
    if (n === null || typeof n === 'boolean') return n;
    if (typeof n === 'string') return n.length > maxString ? `${n.slice(0, maxString)}…` : n;
    if (n instanceof JNum) {
      const v = n.value;
      return Number.isFinite(v) && (!n.isInteger || Number.isSafeInteger(v)) ? v : n.text;
    }
    if (Array.isArray(n)) {
      const out: JsonValue[] = [];
      for (const x of n) {
        if (budget <= 0) {
          out.push('…');
          break;
        }
        out.push(go(x, depth + 1));
      }
      return out;
    }
    const o: Record<string, JsonValue> = {};
    for (const [k, v] of n.entries()) {
      if (budget <= 0) {
        o['…'] = '…';
        break;
      }
      o[k] = go(v, depth + 1);
    }
    return o;
  };
  return go(node, 0);
}
