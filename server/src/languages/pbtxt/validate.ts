/**
 * Checks a parsed text-format document against a message schema the way protobuf's TextFormat
 * parser does when Triton loads `config.pbtxt`: unknown fields, a list or a second value for a
 * non-repeated field, two members of one oneof, message vs. scalar shape, scalar kinds and enum
 * names. Every problem is one Triton would refuse the model for.
 */
import type { PbDocument, PbField, PbMessage, PbProblem, PbScalar, PbValue } from './parser';
import type { FieldSchema, FieldType, MessageSchema, ScalarKind } from './triton-schema';

const MAX_PROBLEMS = 200;

export function validateAgainst(doc: PbDocument, schema: MessageSchema): PbProblem[] {
  const out: PbProblem[] = [];
  checkMessage(doc.root, schema, out);
  return out;
}

function problem(out: PbProblem[], at: { start: number; end: number; range: PbProblem['range'] }, message: string, severity: PbProblem['severity'] = 'error'): void {
  if (out.length >= MAX_PROBLEMS) return;
  out.push({ message, severity, start: at.start, end: at.end, range: at.range });
}

function nameAt(f: PbField) {
  return { start: f.start, end: f.start + (f.extension ? f.name.length + 2 : f.name.length), range: f.nameRange };
}

function checkMessage(msg: PbMessage, schema: MessageSchema, out: PbProblem[]): void {
  if (msg.skipped) return;
  const seen = new Map<string, PbField>();
  const oneofs = new Map<string, PbField>();
  for (const f of msg.fields) {
    if (out.length >= MAX_PROBLEMS) return;
    if (f.extension) {
      problem(out, nameAt(f), `"[${f.name}]": ${schema.name} has no extensions`);
      continue;
    }
    const fs = schema.fields[f.name];
    if (!fs) {
      const hint = suggestion(f.name, Object.keys(schema.fields));
      problem(out, nameAt(f), `unknown field "${f.name}" in ${schema.name}${hint ? `; did you mean "${hint}"?` : ''} (Triton refuses to load a config with unknown fields)`);
      continue;
    }
    const repeated = fs.repeated || fs.type.kind === 'map';
    if (!repeated) {
      const earlier = seen.get(f.name);
      if (earlier) problem(out, nameAt(f), `"${f.name}" is not a repeated field and is already set on line ${earlier.nameRange.start.line + 1}`);
      seen.set(f.name, f);
    }
    if (fs.oneof) {
      const other = oneofs.get(fs.oneof);
      if (other && other.name !== f.name) problem(out, nameAt(f), `"${f.name}" and "${other.name}" are alternatives (oneof ${fs.oneof}); set only one`);
      else oneofs.set(fs.oneof, f);
    }
    if (f.value) checkValue(f, f.value, fs, repeated, out);
  }
}

function checkValue(f: PbField, value: PbValue, fs: FieldSchema, repeated: boolean, out: PbProblem[]): void {
  if (value.type === 'list') {
    if (!repeated) {
      problem(out, value, `"${f.name}" is not a repeated field, so it cannot take a list`);
      return;
    }
    for (const item of value.items) checkSingle(f, item, fs.type, out);
    return;
  }
  checkSingle(f, value, fs.type, out);
}

function checkSingle(f: PbField, value: PbScalar | PbMessage, type: FieldType, out: PbProblem[]): void {
  switch (type.kind) {
    case 'message':
      if (value.type !== 'message') problem(out, value, `"${f.name}" is a message (${type.message.name}); write ${f.name} { … }`);
      else checkMessage(value, type.message, out);
      return;
    case 'map':
      if (value.type !== 'message') {
        problem(out, value, `"${f.name}" is a map; write ${f.name} { key: … value: … }`);
        return;
      }
      checkMapEntry(f, value, type, out);
      return;
    case 'enum':
      if (value.type !== 'scalar') problem(out, value, `"${f.name}" takes one of ${type.name}'s values, not a message`);
      else if (value.kind === 'identifier' ? !type.values.includes(value.value) : !(value.kind === 'number' && value.integer)) {
        const hint = value.kind === 'identifier' ? suggestion(value.value, type.values) : undefined;
        problem(out, value, `"${value.kind === 'string' ? JSON.stringify(value.value) : value.value}" is not a value of ${type.name}${hint ? `; did you mean ${hint}?` : ` (one of ${type.values.join(', ')})`}`);
      }
      return;
    case 'scalar':
      if (value.type !== 'scalar') problem(out, value, `"${f.name}" is a ${type.scalar} field, not a message`);
      else {
        const bad = scalarProblem(value, type.scalar);
        if (bad) problem(out, value, `"${f.name}": ${bad}`);
      }
      return;
  }
}

function checkMapEntry(f: PbField, entry: PbMessage, type: Extract<FieldType, { kind: 'map' }>, out: PbProblem[]): void {
  if (entry.skipped) return;
  let key: PbField | undefined;
  let val: PbField | undefined;
  for (const g of entry.fields) {
    if (!g.extension && (g.name === 'key' || g.name === 'value')) {
      const already = g.name === 'key' ? key : val;
      if (already) problem(out, nameAt(g), `a map entry of "${f.name}" sets "${g.name}" twice`);
      if (g.name === 'key') key = g;
      else val = g;
      if (!g.value) continue;
      if (g.value.type === 'list') {
        problem(out, g.value, `the ${g.name} of a map entry cannot be a list`);
        continue;
      }
      if (g.name === 'key') {
        if (g.value.type !== 'scalar') problem(out, g.value, `a key of "${f.name}" is a ${type.key}, not a message`);
        else {
          const bad = scalarProblem(g.value, type.key);
          if (bad) problem(out, g.value, `key of "${f.name}": ${bad}`);
        }
      } else {
        checkSingle(f, g.value, type.value, out);
      }
    } else {
      problem(out, nameAt(g), `unknown field "${g.extension ? `[${g.name}]` : g.name}" in a map entry of "${f.name}"; an entry has only "key" and "value"`);
    }
  }
  void key;
  void val;
}

const INT_RANGES: Partial<Record<ScalarKind, [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

function parseInteger(text: string): bigint | undefined {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  let v: bigint;
  try {
    if (/^0[xX][0-9a-fA-F]+$/.test(body)) v = BigInt(body);
    else if (/^0[0-7]+$/.test(body)) v = BigInt(`0o${body.slice(1)}`);
    else if (/^\d+$/.test(body)) v = BigInt(body);
    else return undefined;
  } catch {
    return undefined;
  }
  return negative ? -v : v;
}

/** Why a scalar does not fit a field of kind `kind`; undefined when it fits. */
export function scalarProblem(v: PbScalar, kind: ScalarKind): string | undefined {
  switch (kind) {
    case 'string':
      return v.kind === 'string' ? undefined : `expected a quoted string, found ${v.value}`;
    case 'bool':
      if (v.kind === 'identifier' && /^(true|false|True|False|t|f)$/.test(v.value)) return undefined;
      if (v.kind === 'number' && (v.value === '0' || v.value === '1')) return undefined;
      return `expected true or false, found ${v.kind === 'string' ? JSON.stringify(v.value) : v.value}`;
    case 'float':
    case 'double':
      if (v.kind === 'number') return undefined;
      if (v.kind === 'identifier' && /^-?(inf|infinity|nan)$/i.test(v.value)) return undefined;
      return `expected a number, found ${v.kind === 'string' ? JSON.stringify(v.value) : v.value}`;
    default: {
      if (v.kind !== 'number' || !v.integer) return `expected an integer, found ${v.kind === 'string' ? JSON.stringify(v.value) : v.value}`;
      const n = parseInteger(v.value);
      const range = INT_RANGES[kind];
      if (n === undefined || !range) return undefined;
      if (n < range[0] || n > range[1]) return `${v.value} is out of range for ${kind}`;
      return undefined;
    }
  }
}

/** A known name within edit distance 2 (or differing only in case/underscores). */
function suggestion(name: string, known: readonly string[]): string | undefined {
  const norm = (x: string) => x.toLowerCase().replace(/[_-]/g, '');
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    if (norm(k) === norm(name)) return k;
    const d = distance(name.toLowerCase(), k.toLowerCase(), 3);
    if (d < bestScore) {
      bestScore = d;
      best = k;
    }
  }
  return bestScore <= 2 ? best : undefined;
}

/** Levenshtein distance, giving up (returning `cap`) once it exceeds `cap`. */
function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return Math.min(prev[b.length], cap);
}
