/**
 * A small strict JSON parser with exact positions (0-based LSP, UTF-16), for configuration files
 * such as Triton's vLLM-backend `model.json`. It never throws: on a syntax error it records the
 * problem and returns what it read so far. Nesting is bounded, so no input can exhaust the stack.
 */
import type { Range } from '../../engine/types';
import { LineIndex } from '../../workspace/dependency-files/line-index';

export const MAX_JSON_DEPTH = 256;

interface Located { start: number; end: number; range: Range }
export type JsonValue =
  | (Located & { type: 'object'; members: JsonMember[] })
  | (Located & { type: 'array'; items: JsonValue[] })
  | (Located & { type: 'string'; value: string })
  | (Located & { type: 'number'; value: number })
  | (Located & { type: 'boolean'; value: boolean })
  | (Located & { type: 'null' });
export interface JsonMember { key: string; keyRange: Range; value: JsonValue }

export interface JsonDocument {
  root?: JsonValue;
  problems: { message: string; range: Range }[];
  index: LineIndex;
}

class Stop extends Error {}

export function parseJson(text: string): JsonDocument {
  const index = new LineIndex(text);
  const problems: JsonDocument['problems'] = [];
  let i = 0;
  const n = text.length;
  const fail = (message: string, at: number = i): never => {
    problems.push({ message, range: index.range(at, Math.min(at + 1, n)) });
    throw new Stop();
  };
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const loc = (start: number): Located => ({ start, end: i, range: index.range(start, i) });
  const str = (): string => {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      if (i >= n || text[i] === '\n' || text[i] === '\r') fail('unterminated string', start);
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail('invalid escape in a string');
        continue;
      }
      if (c.charCodeAt(0) < 0x20) fail('control character in a string');
      out += c;
      i++;
    }
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members: JsonMember[] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { type: 'object', members, ...loc(start) };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        const keyStart = i;
        const key = str();
        const keyRange = index.range(keyStart, i);
        ws();
        if (text[i] !== ':') fail('expected ":" after a property name');
        i++;
        const v = value(depth + 1);
        members.push({ key, keyRange, value: v });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { type: 'object', members, ...loc(start) };
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { type: 'array', items, ...loc(start) };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { type: 'array', items, ...loc(start) };
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') {
      const s = str();
      return { type: 'string', value: s, ...loc(start) };
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0] !== '' && m[0] !== '-') {
      i += m[0].length;
      return { type: 'number', value: Number(m[0]), ...loc(start) };
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v === null ? { type: 'null', ...loc(start) } : { type: 'boolean', value: v, ...loc(start) };
      }
    }
    return fail(i >= n ? 'unexpected end of the file' : 'expected a JSON value');
  };
  let root: JsonValue | undefined;
  try {
    const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    i = start;
    root = value(0);
    ws();
    if (i < n) fail('unexpected text after the JSON value');
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return { root, problems, index };
}

/** The member `key` of an object value (the last one, as Python's json keeps). */
export function member(v: JsonValue | undefined, key: string): JsonMember | undefined {
  if (!v || v.type !== 'object') return undefined;
  for (let k = v.members.length - 1; k >= 0; k--) if (v.members[k].key === key) return v.members[k];
  return undefined;
}
