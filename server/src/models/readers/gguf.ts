/**
 * GGUF v1–v3 (formats.md §5), our own spec-based parser (the @huggingface/gguf reader silently
 * truncates strings and zero-fills truncated files). Reads the header, the metadata key/values
 * and the tensor infos sequentially; tensor data is never read. Every count and length is checked
 * against the bytes that remain and against the caps of formats.md §10 before anything is read
 * or allocated: KVs ≤ 100k, tensors ≤ 10M, arrays ≤ 1M elements nested ≤ 4, strings ≤ 10 MB,
 * ndims ≤ 8 (ggml: 4), dims ≤ 2^32, alignment a power of two.
 *
 * Strings that are not shown are skipped, not read (only their first 4 KiB); numeric arrays are
 * skipped after their first elements; string arrays (vocabularies) need their length prefixes, so
 * their bytes are read through a window. Chat templates (`tokenizer.chat_template`,
 * `tokenizer.chat_template.<name>`) are read whole and scanned for template-injection indicators.
 *
 * v1 uses 32-bit counts and lengths; v3 may be big-endian (detected like @huggingface/gguf: a
 * little-endian read of the version whose low 16 bits are 0). Legacy GGML magics (ggml, ggmf,
 * ggjt, ggla, ggsn) are reported as not loadable by current llama.cpp.
 */
import { SequentialReader, type ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import type { FormatCandidate, GgufKv, GgufSection, JsonValue, TensorInfo } from '../types';
import { Checklist, reportChatTemplate } from './shared';

/** ggml_type → [name, block size (elements), bytes per block]. Removed ids are absent. */
export const GGML_TYPES: Readonly<Record<number, [string, number, number]>> = {
  0: ['F32', 1, 4], 1: ['F16', 1, 2], 2: ['Q4_0', 32, 18], 3: ['Q4_1', 32, 20], 6: ['Q5_0', 32, 22], 7: ['Q5_1', 32, 24],
  8: ['Q8_0', 32, 34], 9: ['Q8_1', 32, 36], 10: ['Q2_K', 256, 84], 11: ['Q3_K', 256, 110], 12: ['Q4_K', 256, 144],
  13: ['Q5_K', 256, 176], 14: ['Q6_K', 256, 210], 15: ['Q8_K', 256, 292], 16: ['IQ2_XXS', 256, 66], 17: ['IQ2_XS', 256, 74],
  18: ['IQ3_XXS', 256, 98], 19: ['IQ1_S', 256, 50], 20: ['IQ4_NL', 32, 18], 21: ['IQ3_S', 256, 110], 22: ['IQ2_S', 256, 82],
  23: ['IQ4_XS', 256, 136], 24: ['I8', 1, 1], 25: ['I16', 1, 2], 26: ['I32', 1, 4], 27: ['I64', 1, 8], 28: ['F64', 1, 8],
  29: ['IQ1_M', 256, 56], 30: ['BF16', 1, 2], 34: ['TQ1_0', 256, 54], 35: ['TQ2_0', 256, 66], 39: ['MXFP4', 32, 17],
};
const PLAIN_DTYPE: Record<string, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64', I8: 'int8', I16: 'int16', I32: 'int32', I64: 'int64' };

const VALUE_TYPES = ['UINT8', 'INT8', 'UINT16', 'INT16', 'UINT32', 'INT32', 'FLOAT32', 'BOOL', 'STRING', 'ARRAY', 'UINT64', 'INT64', 'FLOAT64'] as const;
const FIXED_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const SHOWN_STRING = 4096;
const SHOWN_ARRAY = 16;
const KV_LISTED = 2000;
const MAX_DIM = 1n << 32n;

/** Stops the parse: the reason was already reported. */
class Stop extends Error {}

class Cursor {
  constructor(readonly r: SequentialReader, readonly big: boolean, readonly v1: boolean) {}
  get pos(): number {
    return this.r.pos;
  }
  get remaining(): number {
    return this.r.remaining;
  }
  bytes(n: number): Buffer | undefined {
    return this.r.bytes(n);
  }
  u32(): number | undefined {
    const b = this.r.bytes(4);
    return b ? (this.big ? b.readUInt32BE(0) : b.readUInt32LE(0)) : undefined;
  }
  u64(): bigint | undefined {
    const b = this.r.bytes(8);
    return b ? (this.big ? b.readBigUInt64BE(0) : b.readBigUInt64LE(0)) : undefined;
  }
  /** A count or length: u32 in v1, u64 after. */
  len(): bigint | undefined {
    if (this.v1) {
      const v = this.u32();
      return v === undefined ? undefined : BigInt(v);
    }
    return this.u64();
  }
  scalar(type: number, b: Buffer): JsonValue {
    const be = this.big;
    switch (type) {
      case 0: return b[0];
      case 1: return b.readInt8(0);
      case 2: return be ? b.readUInt16BE(0) : b.readUInt16LE(0);
      case 3: return be ? b.readInt16BE(0) : b.readInt16LE(0);
      case 4: return be ? b.readUInt32BE(0) : b.readUInt32LE(0);
      case 5: return be ? b.readInt32BE(0) : b.readInt32LE(0);
      case 6: return finite(be ? b.readFloatBE(0) : b.readFloatLE(0));
      case 7: return b[0] === 1 ? true : b[0] === 0 ? false : b[0];
      case 10: return safeBig(be ? b.readBigUInt64BE(0) : b.readBigUInt64LE(0));
      case 11: return safeBig(be ? b.readBigInt64BE(0) : b.readBigInt64LE(0));
      case 12: return finite(be ? b.readDoubleBE(0) : b.readDoubleLE(0));
      default: return null;
    }
  }
}

const finite = (x: number): JsonValue => (Number.isFinite(x) ? x : String(x));
const safeBig = (x: bigint): JsonValue => (x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString());
const typeName = (t: number) => VALUE_TYPES[t] ?? `type ${t}`;

export function readGguf(ctx: InspectContext, source: ByteSource, _candidate: FormatCandidate): void {
  const report = ctx.report;
  const L = ctx.limits;
  const where = ctx.entry;
  const checks = new Checklist();
  const head = source.read(0, 24);
  const bad = (verdict: 'invalid' | 'suspicious', msg: string, reason: 'truncated' | 'limit-exceeded' | 'header-invalid' | 'offsets-invalid' | 'duplicate-key' | 'trailing-data' | 'parser-differential', offset?: number, severity?: 'error' | 'warning') =>
    report.malformed(verdict, msg, { reason, offset, entry: where }, severity);
  if (head.length < 8) {
    ctx.setFormat('gguf', 'GGUF (truncated)');
    bad('invalid', `GGUF file of ${source.size} bytes ends inside its 8-byte header (truncated)`, 'truncated', 0);
    return;
  }
  let version = head.readUInt32LE(4);
  let big = false;
  if ((version & 0xffff) === 0 && version !== 0) {
    big = true;
    version = head.readUInt32BE(4);
  }
  const endianness = big ? 'big' : 'little';
  if (version < 1 || version > 3) {
    ctx.setFormat('gguf', `GGUF (unsupported version ${version})`);
    bad('invalid', `GGUF version ${version} is not one of 1, 2, 3; the file cannot be read`, 'header-invalid', 4);
    return;
  }
  const section: GgufSection = { version, endianness, tensorCount: 0, kvCount: 0, alignment: 32, dataOffset: 0, kv: [], checks: checks.items };
  ctx.setFormat('gguf', `GGUF v${version}${big ? ' (big-endian)' : ''}`);
  const cur = new Cursor(new SequentialReader(source, 8, source.size), big, version === 1);
  const truncated = (what: string): never => {
    checks.fail('within-file', what);
    bad('invalid', `GGUF file is truncated: it ends inside ${what} (at ${source.size} bytes)`, 'truncated', cur.pos);
    throw new Stop();
  };
  const finish = () => {
    if (ctx.isTop) report.gguf = section;
  };

  const arch: { name?: string } = {};
  const kvSeen = new Map<string, number>();
  try {
    const tensorCount = cur.len() ?? truncated('the tensor count');
    const kvCount = cur.len() ?? truncated('the metadata count');
    section.tensorCount = Number(tensorCount > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : tensorCount);
    section.kvCount = Number(kvCount > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : kvCount);
    const minKv = version === 1 ? 9 : 13;
    const minTensor = version === 1 ? 20 : 24;
    if (kvCount > BigInt(L.ggufKvCount) || kvCount * BigInt(minKv) > BigInt(cur.remaining)) {
      checks.fail('counts', `${kvCount} metadata entries`);
      bad('invalid', `GGUF declares ${kvCount} metadata entries: ${kvCount > BigInt(L.ggufKvCount) ? `more than the ${L.ggufKvCount.toLocaleString('en-US')} readers accept` : `more than the ${cur.remaining} remaining bytes can hold`}; not parsed further`, 'limit-exceeded', 16);
      throw new Stop();
    }
    if (tensorCount > BigInt(L.ggufTensorCount) || tensorCount * BigInt(minTensor) > BigInt(cur.remaining)) {
      checks.fail('counts', `${tensorCount} tensors`);
      bad('invalid', `GGUF declares ${tensorCount} tensors: ${tensorCount > BigInt(L.ggufTensorCount) ? `more than the ${L.ggufTensorCount.toLocaleString('en-US')} readers accept` : `more than the ${cur.remaining} remaining bytes can hold`}; not parsed further`, 'limit-exceeded', 8);
      throw new Stop();
    }
    checks.pass('counts', `${kvCount} metadata entries, ${tensorCount} tensors`);

    /** Reads a gguf_string: the whole text when `full`, else the first 4 KiB (the rest is skipped). */
    const str = (what: string, full: boolean): { text: string; length: number } => {
      const at = cur.pos;
      const n = cur.len() ?? truncated(`the length of ${what}`);
      if (n > BigInt(L.ggufStringBytes)) {
        checks.fail('limits', `${what}: ${n} bytes`);
        bad('invalid', `GGUF ${what} declares ${n} bytes, more than the ${L.ggufStringBytes.toLocaleString('en-US')}-byte string limit; not parsed further`, 'limit-exceeded', at);
        throw new Stop();
      }
      const len = Number(n);
      if (len > cur.remaining) truncated(`${what} (${len} bytes declared)`);
      const take = full ? len : Math.min(len, SHOWN_STRING);
      const b = cur.bytes(take) ?? truncated(what);
      if (take < len) cur.r.skip(len - take);
      return { text: b.toString('utf8'), length: len };
    };

    /**
     * Skips string elements [from, n) of an array in bulk: lengths are parsed straight from the
     * cursor's buffered window (vocabularies hold 100k+ strings); strings that cross the window are
     * skipped without being read. Returns the index after the last one.
     */
    const skipStrings = (from: number, n: number, key: string): number => {
      const lenSize = version === 1 ? 4 : 8;
      let i = from;
      while (i < n) {
        ctx.checkTime();
        const at = cur.pos;
        const buf = cur.r.buffered();
        let p = 0;
        while (i < n && p + lenSize <= buf.length) {
          let len: number;
          if (lenSize === 4) len = big ? buf.readUInt32BE(p) : buf.readUInt32LE(p);
          else {
            const hi = big ? buf.readUInt32BE(p) : buf.readUInt32LE(p + 4);
            const lo = big ? buf.readUInt32BE(p + 4) : buf.readUInt32LE(p);
            len = hi * 0x100000000 + lo;
          }
          if (len > L.ggufStringBytes) {
            checks.fail('limits', `${key}[${i}]: ${len} bytes`);
            bad('invalid', `GGUF array ${JSON.stringify(key)} element ${i} declares ${len} bytes, beyond the string limit; not parsed further`, 'limit-exceeded', at + p);
            throw new Stop();
          }
          if (p + lenSize + len > buf.length) break;
          p += lenSize + len;
          i++;
        }
        if (p === 0) {
          // one element larger than the read (or the file ends): length, then skip its bytes
          const ln = cur.len() ?? truncated(`element ${i} of ${JSON.stringify(key)}`);
          if (ln > BigInt(L.ggufStringBytes)) {
            bad('invalid', `GGUF array ${JSON.stringify(key)} element ${i} declares ${ln} bytes, beyond the string limit; not parsed further`, 'limit-exceeded', at);
            throw new Stop();
          }
          if (Number(ln) > cur.remaining) truncated(`element ${i} of ${JSON.stringify(key)}`);
          cur.r.skip(Number(ln));
          i++;
        } else cur.r.skip(p);
      }
      return i;
    };

    const templateKey = (k: string) => k === 'tokenizer.chat_template' || k.startsWith('tokenizer.chat_template.');
    /** Reads (or skips) one value; returns its display form. */
    const value = (type: number, key: string, depth: number): { v: JsonValue; length?: number; elementType?: string; truncated?: boolean } => {
      if ((cur.pos & 0xff) === 0) ctx.checkTime();
      if (type === 8) {
        const at = cur.pos;
        const s = str(`the value of ${JSON.stringify(key)}`, depth === 0 && templateKey(key));
        if (depth === 0 && templateKey(key)) reportChatTemplate(ctx, key, s.text, at);
        const cut = s.text.length > 1024 || s.length > s.text.length;
        return { v: cut ? `${s.text.slice(0, 1024)}…` : s.text, length: s.length, truncated: cut || undefined };
      }
      if (type === 9) {
        if (depth + 1 > L.ggufArrayNesting) {
          checks.fail('limits', `${key}: arrays nested deeper than ${L.ggufArrayNesting}`);
          bad('invalid', `GGUF value ${JSON.stringify(key)} nests arrays deeper than ${L.ggufArrayNesting} levels; not parsed further`, 'limit-exceeded', cur.pos);
          throw new Stop();
        }
        const et = cur.u32() ?? truncated(`the array type of ${JSON.stringify(key)}`);
        const at = cur.pos;
        const count = cur.len() ?? truncated(`the array length of ${JSON.stringify(key)}`);
        if (et > 12) {
          checks.fail('value-types', `${key}: element type ${et}`);
          bad('invalid', `GGUF array ${JSON.stringify(key)} has unknown element type ${et}; not parsed further`, 'header-invalid', at - 4);
          throw new Stop();
        }
        if (count > BigInt(L.ggufArrayLength)) {
          checks.fail('limits', `${key}: ${count} elements`);
          bad('invalid', `GGUF array ${JSON.stringify(key)} declares ${count} elements, more than the ${L.ggufArrayLength.toLocaleString('en-US')} readers accept; not parsed further`, 'limit-exceeded', at);
          throw new Stop();
        }
        const n = Number(count);
        const shown: JsonValue[] = [];
        const fixed = FIXED_SIZE[et];
        if (fixed !== undefined) {
          if (n * fixed > cur.remaining) truncated(`array ${JSON.stringify(key)} (${n} × ${fixed} bytes)`);
          const k = Math.min(n, SHOWN_ARRAY);
          const b = cur.bytes(k * fixed) ?? truncated(`array ${JSON.stringify(key)}`);
          for (let i = 0; i < k; i++) shown.push(cur.scalar(et, b.subarray(i * fixed, (i + 1) * fixed)));
          cur.r.skip((n - k) * fixed);
        } else {
          // strings or nested arrays: every element carries its own length
          const minEl = et === 8 ? (version === 1 ? 4 : 8) : (version === 1 ? 8 : 12);
          if (n * minEl > cur.remaining) truncated(`array ${JSON.stringify(key)} (${n} elements)`);
          for (let i = 0; i < n; i++) {
            if ((i & 0x3fff) === 0) ctx.checkTime();
            if (et === 8 && i >= SHOWN_ARRAY) {
              i = skipStrings(i, n, key) - 1;
              continue;
            }
            if (et === 8) {
              const at2 = cur.pos;
              const ln = cur.len() ?? truncated(`element ${i} of ${JSON.stringify(key)}`);
              if (ln > BigInt(L.ggufStringBytes)) {
                bad('invalid', `GGUF array ${JSON.stringify(key)} element ${i} declares ${ln} bytes, beyond the string limit; not parsed further`, 'limit-exceeded', at2);
                throw new Stop();
              }
              const len = Number(ln);
              if (len > cur.remaining) truncated(`element ${i} of ${JSON.stringify(key)}`);
              if (i < SHOWN_ARRAY) {
                const b = cur.bytes(Math.min(len, 256)) ?? truncated(`element ${i} of ${JSON.stringify(key)}`);
                if (len > 256) cur.r.skip(len - 256);
                shown.push(b.toString('utf8') + (len > 256 ? '…' : ''));
              } else cur.r.skip(len);
            } else {
              const inner = value(et, `${key}[${i}]`, depth + 1);
              if (i < SHOWN_ARRAY) shown.push(inner.v);
            }
          }
        }
        if (n > SHOWN_ARRAY) shown.push(`… ${n - SHOWN_ARRAY} more`);
        return { v: shown, length: n, elementType: typeName(et), truncated: n > SHOWN_ARRAY || undefined };
      }
      const size = FIXED_SIZE[type];
      if (size === undefined) {
        checks.fail('value-types', `${key}: type ${type}`);
        bad('invalid', `GGUF value ${JSON.stringify(key)} has unknown type ${type}; not parsed further`, 'header-invalid', cur.pos - 4);
        throw new Stop();
      }
      const b = cur.bytes(size) ?? truncated(`the value of ${JSON.stringify(key)}`);
      const v = cur.scalar(type, b);
      if (type === 7 && typeof v === 'number') {
        checks.fail('value-types', `${key}: BOOL ${v}`);
        bad('suspicious', `GGUF value ${JSON.stringify(key)} is a BOOL holding ${v} (only 0 and 1 are valid): readers disagree on it`, 'parser-differential', cur.pos - 1, 'warning');
      }
      return { v };
    };

    for (let i = 0; i < Number(kvCount); i++) {
      ctx.checkTime();
      const keyAt = cur.pos;
      const key = str(`metadata key ${i}`, false);
      if (key.length > 65535) {
        checks.fail('keys', `key ${i}: ${key.length} bytes`);
        bad('suspicious', `GGUF metadata key ${i} is ${key.length} bytes long (the spec allows 65,535)`, 'header-invalid', keyAt, 'warning');
      }
      const k = key.text;
      const seen = kvSeen.get(k) ?? 0;
      kvSeen.set(k, seen + 1);
      if (seen === 1) {
        checks.fail('unique-keys', k);
        bad('suspicious', `GGUF metadata key ${JSON.stringify(k.slice(0, 200))} appears more than once: llama.cpp refuses the file, other readers keep the first or the last value (parser differential)`, 'duplicate-key', keyAt, 'error');
      }
      const type = cur.u32() ?? truncated(`the type of ${JSON.stringify(k)}`);
      const val = value(type, k, 0);
      if (k === 'general.architecture' && typeof val.v === 'string') arch.name = val.v;
      if (k === 'general.alignment') {
        const a = val.v;
        if (type !== 4) {
          checks.fail('alignment', `general.alignment has type ${typeName(type)}`);
          bad('invalid', `general.alignment has type ${typeName(type)}; readers require UINT32`, 'header-invalid', keyAt);
        } else if (typeof a !== 'number' || a === 0 || (a & (a - 1)) !== 0) {
          checks.fail('alignment', `general.alignment = ${String(a)}`);
          bad('invalid', `general.alignment is ${String(a)}, not a non-zero power of two; llama.cpp and gguf-py refuse the file`, 'header-invalid', keyAt);
        } else {
          section.alignment = a;
          if (a % 8 !== 0) {
            checks.fail('alignment', `general.alignment = ${a} (spec: a multiple of 8)`);
            bad('suspicious', `general.alignment is ${a}; the spec requires a multiple of 8`, 'header-invalid', keyAt, 'warning');
          }
        }
      }
      if (section.kv.length < KV_LISTED) {
        const kv: GgufKv = { key: k.length > 1024 ? `${k.slice(0, 1024)}…` : k, type: typeName(type) };
        if (!(type === 8 && templateKey(k))) kv.value = val.v;
        if (val.length !== undefined) kv.length = val.length;
        if (val.elementType) kv.elementType = val.elementType;
        if (val.truncated || (type === 8 && templateKey(k))) kv.truncated = true;
        section.kv.push(kv);
      } else section.kvTruncated = true;
      if (ctx.isTop && !(type === 8 && templateKey(k)) && Object.keys(report.metadata).length < 500) {
        if (type === 9) report.meta(k, `[${val.length} × ${val.elementType}]`);
        else report.meta(k, val.v);
      }
    }
    checks.pass('unique-keys');
    checks.pass('value-types');
    checks.pass('limits');
    checks.pass('keys');
    checks.pass('alignment', String(section.alignment));

    // tensor infos
    interface TI { name: string; dims: bigint[]; type: number; offset: bigint; nbytes?: bigint; at: number }
    const tis: TI[] = [];
    const names = new Set<string>();
    let dupTensors = 0;
    let badTensors = 0;
    const tensorProblem = (msg: string, reason: 'header-invalid' | 'limit-exceeded' | 'offsets-invalid' | 'truncated', at: number, check: string) => {
      checks.fail(check, msg);
      if (badTensors++ < 20) bad('invalid', msg, reason, at);
    };
    for (let i = 0; i < Number(tensorCount); i++) {
      if ((i & 0x3ff) === 0) ctx.checkTime();
      const at = cur.pos;
      const name = str(`the name of tensor ${i}`, false);
      if (name.length > 64) {
        checks.fail('tensor-names', `${name.length}-byte name`);
        if (badTensors++ < 20) bad('suspicious', `GGUF tensor ${i} has a ${name.length}-byte name; the spec allows 64 and llama.cpp refuses longer names`, 'header-invalid', at, 'warning');
      }
      const nd = cur.u32() ?? truncated(`the dimensions of tensor ${JSON.stringify(name.text)}`);
      if (nd > L.ggufTensorDims) {
        checks.fail('tensor-dims', `${name.text}: ${nd} dimensions`);
        bad('invalid', `GGUF tensor ${JSON.stringify(name.text.slice(0, 200))} declares ${nd} dimensions (limit ${L.ggufTensorDims}); not parsed further`, 'limit-exceeded', at);
        throw new Stop();
      }
      const dims: bigint[] = [];
      for (let d = 0; d < nd; d++) dims.push((version === 1 ? (() => { const v = cur.u32(); return v === undefined ? undefined : BigInt(v); })() : cur.u64()) ?? truncated(`the dimensions of tensor ${JSON.stringify(name.text)}`));
      const type = cur.u32() ?? truncated(`the type of tensor ${JSON.stringify(name.text)}`);
      const offset = cur.u64() ?? truncated(`the offset of tensor ${JSON.stringify(name.text)}`);
      const t: TI = { name: name.text, dims, type, offset, at };
      if (names.has(name.text)) {
        dupTensors++;
        checks.fail('tensor-names', `duplicate ${name.text}`);
        if (dupTensors <= 10) bad('invalid', `GGUF tensor name ${JSON.stringify(name.text.slice(0, 200))} appears more than once; llama.cpp refuses the file`, 'duplicate-key', at, 'error');
      } else names.add(name.text);
      if (nd > 4) tensorProblem(`GGUF tensor ${JSON.stringify(name.text.slice(0, 200))} has ${nd} dimensions; ggml supports at most 4`, 'header-invalid', at, 'tensor-dims');
      if (dims.some((d) => d > MAX_DIM)) tensorProblem(`GGUF tensor ${JSON.stringify(name.text.slice(0, 200))} has a dimension above 2^32 (${dims.join(' × ')})`, 'limit-exceeded', at, 'tensor-dims');
      const gt = GGML_TYPES[type];
      if (!gt) tensorProblem(`GGUF tensor ${JSON.stringify(name.text.slice(0, 200))} has ggml type ${type}, which is unknown or removed`, 'header-invalid', at, 'tensor-types');
      else {
        const [, blck, tsize] = gt;
        const ne0 = dims[0] ?? 1n;
        if (ne0 % BigInt(blck) !== 0n) tensorProblem(`GGUF tensor ${JSON.stringify(name.text.slice(0, 200))}: ${ne0} elements per row is not a multiple of the ${gt[0]} block size ${blck}`, 'header-invalid', at, 'tensor-types');
        else {
          let n = (ne0 / BigInt(blck)) * BigInt(tsize);
          for (const d of dims.slice(1)) n *= d;
          t.nbytes = n;
        }
      }
      if (offset % BigInt(section.alignment) !== 0n) tensorProblem(`GGUF tensor ${JSON.stringify(name.text.slice(0, 200))} has offset ${offset}, not a multiple of the alignment ${section.alignment}; llama.cpp refuses the file`, 'offsets-invalid', at, 'tensor-offsets');
      tis.push(t);
    }
    if (dupTensors > 10) report.note(`${dupTensors} duplicated tensor names in total.`);
    checks.pass('tensor-names');
    checks.pass('tensor-dims');
    checks.pass('tensor-types');

    // data section
    const infoEnd = cur.pos;
    const align = BigInt(section.alignment);
    const dataStart = Number(((BigInt(infoEnd) + align - 1n) / align) * align);
    section.dataOffset = dataStart;
    const dataBytes = BigInt(Math.max(0, source.size - dataStart));
    if (tis.length > 0 && dataStart > source.size) truncated('the padding before the tensor data');
    let expected = 0n;
    let maxEnd = 0n;
    let outside = 0;
    let noncontig = 0;
    for (const t of tis) {
      if (t.nbytes === undefined) continue;
      if (t.offset + t.nbytes > dataBytes) {
        outside++;
        checks.fail('within-file', `${t.name} ends at ${t.offset + t.nbytes} of ${dataBytes} data bytes`);
        if (outside <= 10) bad('invalid', `GGUF tensor ${JSON.stringify(t.name.slice(0, 200))} (${t.nbytes} bytes at data offset ${t.offset}) runs past the end of the file (${dataBytes} data bytes): truncated or lying header`, 'truncated', t.at);
      }
      if (t.offset !== expected) {
        noncontig++;
        checks.fail('tensor-layout', `${t.name} at ${t.offset}, expected ${expected}`);
      }
      expected = t.offset + ((t.nbytes + align - 1n) / align) * align;
      if (t.offset + t.nbytes > maxEnd) maxEnd = t.offset + t.nbytes;
    }
    if (noncontig > 0) bad('suspicious', `${noncontig} GGUF tensor${noncontig === 1 ? ' is' : 's are'} not laid out back to back in declaration order (as llama.cpp's writer does and its reader expects)`, 'offsets-invalid', undefined, 'warning');
    else checks.pass('tensor-layout');
    // overlaps
    const sorted = tis.filter((t) => t.nbytes !== undefined).sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    let overlaps = 0;
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1];
      const b = sorted[i];
      if (b.offset < a.offset + a.nbytes! && b.nbytes! > 0n && a.nbytes! > 0n) {
        overlaps++;
        checks.fail('tensor-offsets', `${b.name} overlaps ${a.name}`);
        if (overlaps <= 10) bad('invalid', `GGUF tensors ${JSON.stringify(a.name.slice(0, 200))} and ${JSON.stringify(b.name.slice(0, 200))} overlap (data offsets ${a.offset} and ${b.offset})`, 'offsets-invalid', b.at);
      }
    }
    checks.pass('tensor-offsets');
    if (outside === 0) checks.pass('within-file');
    const paddedEnd = ((maxEnd + align - 1n) / align) * align;
    if (outside === 0 && tis.length > 0 && dataBytes < paddedEnd) {
      checks.fail('within-file', `the file ends ${paddedEnd - dataBytes} bytes before the end of the last tensor's padding`);
      bad('invalid', `GGUF file is truncated: it ends ${paddedEnd - dataBytes} bytes short of the alignment padding after the last tensor (writers always pad it; ggml's reader reads the padded size)`, 'truncated', source.size);
    }
    if (tis.length === 0 && source.size > infoEnd) {
      // no tensors: nothing but alignment padding may follow the header
      const extra = source.size - infoEnd;
      if (extra >= section.alignment || source.read(infoEnd, extra).some((b) => b !== 0)) {
        checks.fail('no-trailing-data', `${extra} bytes after a header without tensors`);
        bad('suspicious', `${extra} bytes follow a GGUF header that declares no tensors (trailing data: readers ignore it; it can hide another file)`, 'trailing-data', infoEnd, 'warning');
      } else checks.pass('no-trailing-data');
    } else if (tis.length > 0 && dataBytes > paddedEnd) {
      checks.fail('no-trailing-data', `${dataBytes - paddedEnd} bytes`);
      bad('suspicious', `${dataBytes - paddedEnd} bytes follow the last tensor's data (trailing data: readers ignore it; it can hide another file)`, 'trailing-data', dataStart + Number(paddedEnd), 'warning');
    } else checks.pass('no-trailing-data');

    for (const t of tis) {
      const gt = GGML_TYPES[t.type];
      const info: TensorInfo = {
        name: t.name,
        dtype: gt ? (PLAIN_DTYPE[gt[0]] ?? gt[0].toLowerCase()) : `ggml type ${t.type}`,
        shape: t.dims.map((d) => (d > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(d))),
      };
      if (gt) info.quantization = gt[0];
      const abs = BigInt(dataStart) + t.offset;
      if (abs <= BigInt(Number.MAX_SAFE_INTEGER)) info.offset = ctx.fileOffset(source, Number(abs)) ?? Number(abs);
      if (t.nbytes !== undefined && t.nbytes <= BigInt(Number.MAX_SAFE_INTEGER)) info.bytes = Number(t.nbytes);
      report.addTensor(info);
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  if (ctx.isTop) {
    report.meta('gguf.version', version);
    if (big) report.meta('gguf.endianness', 'big');
  }
  const name = report.metadata['general.name'];
  ctx.setFormat('gguf', `GGUF v${version}${big ? ' (big-endian)' : ''}${arch.name ? `, ${arch.name}` : ''}${typeof name === 'string' ? ` (${name.slice(0, 80)})` : ''}`);
  finish();
}

/** Legacy pre-GGUF files (ggml / ggmf / ggjt / ggla / ggsn magics). */
export function readGgmlLegacy(ctx: InspectContext, source: ByteSource, _candidate: FormatCandidate): void {
  const head = source.read(0, 8);
  const magic = head.length >= 4 ? head.readUInt32LE(0) : 0;
  const names: Record<number, string> = { 0x67676d6c: 'ggml (unversioned)', 0x67676d66: 'ggmf', 0x67676a74: 'ggjt', 0x67676c61: 'ggla (LoRA adapter)', 0x6767736e: 'ggsn (saved session)' };
  const name = names[magic] ?? 'GGML';
  const versioned = magic === 0x67676d66 || magic === 0x67676a74;
  const version = versioned && head.length >= 8 ? head.readUInt32LE(4) : undefined;
  ctx.setFormat('ggml-legacy', `legacy GGML file, magic ${name}${version !== undefined ? ` v${version}` : ''}`);
  if (ctx.isTop) {
    ctx.report.meta('ggml.magic', name);
    if (version !== undefined) ctx.report.meta('ggml.version', version);
  }
  ctx.report.malformed('invalid', `This is a legacy GGML file (${name}${version !== undefined ? ` v${version}` : ''}), the pre-GGUF llama.cpp format: current llama.cpp and other GGUF readers refuse it. Convert it to GGUF (convert-llama-ggml-to-gguf.py); its contents were not examined.`, { reason: 'not-a-model', entry: ctx.entry });
}
