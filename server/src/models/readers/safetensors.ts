/**
 * safetensors (formats.md §1): `u64 N | N bytes of JSON | byte buffer`. Only the 8-byte length and
 * the header are read; tensor data is never touched. The header is parsed by the strict JSON
 * reader (duplicate keys, exact integers, UTF-8, depth cap) — in one piece up to 25 MB, in 1 MiB
 * windows up to the 100 MB cap of the Rust reader — and validated like `Metadata::validate`:
 * known dtypes, checked (BigInt) element and bit counts, offsets sorted and contiguous from 0,
 * `end - begin` equal to the tensor's size, and the last end exactly at the end of the file.
 *
 * Severities: what the reference implementation refuses (bad header, offsets, dtypes, sizes,
 * trailing bytes, non-string `__metadata__`) is `invalid`/error; parser differentials it accepts
 * (duplicate keys, leading whitespace, unknown fields) are `suspicious` — error for duplicate keys
 * (readers keep different values), warning for the others.
 */
import type { ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import { JNum, JObject, JsonError, JsonReader, type JNode } from '../json/json-reader';
import type { FormatCandidate, SafetensorsSection, TensorInfo } from '../types';
import { Checklist } from './shared';

/** Rust `Dtype` → (bits, report name). */
export const SAFETENSORS_DTYPES: Readonly<Record<string, [number, string]>> = {
  BOOL: [8, 'bool'],
  F4: [4, 'float4_e2m1fn'],
  F6_E2M3: [6, 'float6_e2m3fn'],
  F6_E3M2: [6, 'float6_e3m2fn'],
  U8: [8, 'uint8'],
  I8: [8, 'int8'],
  F8_E5M2: [8, 'float8_e5m2'],
  F8_E4M3: [8, 'float8_e4m3fn'],
  F8_E8M0: [8, 'float8_e8m0fnu'],
  F8_E4M3FNUZ: [8, 'float8_e4m3fnuz'],
  F8_E5M2FNUZ: [8, 'float8_e5m2fnuz'],
  I16: [16, 'int16'],
  U16: [16, 'uint16'],
  F16: [16, 'float16'],
  BF16: [16, 'bfloat16'],
  I32: [32, 'int32'],
  U32: [32, 'uint32'],
  F32: [32, 'float32'],
  C64: [64, 'complex64'],
  F64: [64, 'float64'],
  I64: [64, 'int64'],
  U64: [64, 'uint64'],
};

const U64_MAX = (1n << 64n) - 1n;
const MAX_DIM = 1n << 32n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TENSOR_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);
/** Per-category cap on individual findings (the rest are counted in one message). */
const PER_KIND = 10;

interface Entry {
  name: string;
  begin: bigint;
  end: bigint;
}

export function readSafetensors(ctx: InspectContext, source: ByteSource, _candidate: FormatCandidate): void {
  const report = ctx.report;
  const L = ctx.limits;
  const where = ctx.entry;
  const checks = new Checklist();
  const head = source.read(0, 8);
  if (head.length < 8) {
    ctx.setFormat('safetensors', 'safetensors (truncated)');
    report.malformed('invalid', `safetensors file of ${source.size} bytes is shorter than its 8-byte header length (HeaderTooSmall)`, { reason: 'truncated', entry: where });
    return;
  }
  const n = head.readBigUInt64LE(0);
  const section: SafetensorsSection = { headerLength: 0, dataOffset: 0, dataBytes: 0, tensorCount: 0, checks: checks.items };
  const finish = () => {
    if (ctx.isTop) report.safetensors = section;
  };
  if (n > BigInt(L.safetensorsHeaderBytes)) {
    ctx.setFormat('safetensors', 'safetensors (header too large)');
    checks.fail('header-size', `N = ${n} > ${L.safetensorsHeaderBytes}`);
    report.malformed('invalid', `safetensors header length ${n} exceeds the ${L.safetensorsHeaderBytes.toLocaleString('en-US')}-byte limit of the reference reader (HeaderTooLarge); the header was not parsed`, { reason: 'limit-exceeded', offset: 0, entry: where });
    section.headerLength = Number(n > SAFE ? SAFE : n);
    finish();
    return;
  }
  const N = Number(n);
  section.headerLength = N;
  section.dataOffset = 8 + N;
  checks.pass('header-size', `${N} bytes`);
  if (8 + N > source.size) {
    ctx.setFormat('safetensors', 'safetensors (truncated header)');
    checks.fail('header-bounds', `header ends at ${8 + N}, the file at ${source.size}`);
    report.malformed('invalid', `safetensors header length ${N} runs past the end of the file (${source.size} bytes): truncated download or not safetensors (InvalidHeaderLength)`, { reason: 'truncated', offset: 0, entry: where });
    finish();
    return;
  }
  checks.pass('header-bounds');
  section.dataBytes = source.size - 8 - N;
  ctx.setFormat('safetensors', `safetensors (header ${N.toLocaleString('en-US')} bytes${N > L.safetensorsEagerHeaderBytes ? ', parsed in windows' : ''})`);

  const duplicates: { path: string; key: string; offset: number }[] = [];
  const reader = new JsonReader(source, 8, 8 + N, {
    maxDepth: Math.min(L.jsonDepth, 64),
    maxNodes: 1_000_000,
    windowBytes: N <= L.safetensorsEagerHeaderBytes ? Math.max(1, N) : 1024 * 1024,
    onDuplicateKey: (path, key, offset) => {
      if (duplicates.length < 1000) duplicates.push({ path, key, offset });
    },
  });
  const leading = reader.skipWs();
  if (leading > 0) {
    checks.fail('starts-with-brace', `${leading} whitespace bytes before '{'`);
    report.malformed('suspicious', `The safetensors header starts with ${leading} whitespace byte${leading === 1 ? '' : 's'} before '{': the Rust reader accepts it, the format says the header MUST begin with '{' and some readers (Netron) refuse it — a parser differential`, { reason: 'parser-differential', offset: 8, entry: where }, 'warning');
  } else checks.pass('starts-with-brace');

  const byName = new Map<string, number>();
  const entries: Entry[] = [];
  const infos: TensorInfo[] = [];
  const problems = new Map<string, { count: number; first: string }>();
  const problem = (kind: string, msg: string, verdict: 'invalid' | 'suspicious' = 'invalid', severity?: 'error' | 'warning') => {
    const p = problems.get(kind);
    if (p) {
      p.count++;
      return;
    }
    problems.set(kind, { count: 1, first: msg });
    if (problems.size <= 64) report.malformed(verdict, msg, { reason: kind === 'unknown-fields' ? 'header-invalid' : kind.startsWith('offset') ? 'offsets-invalid' : kind === 'dim-limit' ? 'limit-exceeded' : 'header-invalid', entry: where }, severity);
  };
  let metadata: Record<string, string> | undefined;
  let parsed = false;
  try {
    reader.entries(0, '', (key) => {
      ctx.checkTime();
      reader.nodes = 0; // each tensor entry is small: cap entries one by one
      const v = reader.value(1, key);
      if (key === '__metadata__') {
        metadata = readMetadata(v, problem, checks);
        return;
      }
      const e = tensorEntry(key, v, problem, checks);
      if (!e) return;
      const prev = byName.get(key);
      if (prev !== undefined) {
        entries[prev] = e.entry; // JSON.parse and serde keep the last value
        infos[prev] = e.info;
      } else {
        byName.set(key, entries.length);
        entries.push(e.entry);
        infos.push(e.info);
      }
    });
    reader.skipWs();
    if (!reader.atEnd()) {
      const at = reader.pos;
      const b = source.read(at, 1)[0];
      checks.fail('json', `content after the JSON object at ${at}`);
      report.malformed('invalid', `The safetensors header holds more than one JSON value: ${b === 0 ? 'NUL bytes' : 'other content'} follow the object at offset ${at} (InvalidHeaderDeserialization; padding must be spaces)`, { reason: 'header-invalid', offset: at, entry: where });
    } else {
      checks.pass('json');
      parsed = true;
    }
    checks.pass('utf8');
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    const utf8 = /UTF-8/.test(e.message);
    checks.fail(utf8 ? 'utf8' : 'json', e.message);
    if (e.limit) report.malformed('invalid', `The safetensors header exceeds the scanner's limits (${e.message}); it was not examined further`, { reason: 'limit-exceeded', offset: e.offset, entry: where });
    else report.malformed('invalid', `The safetensors header is not ${utf8 ? 'valid UTF-8' : 'valid JSON'}: ${e.message} (${utf8 ? 'InvalidHeader' : 'InvalidHeaderDeserialization'}); the reference reader refuses the file`, { reason: 'header-invalid', offset: e.offset, entry: where });
  }

  // duplicate keys: parser differential
  if (duplicates.length === 0) checks.pass('no-duplicate-keys');
  for (const d of duplicates.slice(0, PER_KIND)) {
    checks.fail('no-duplicate-keys', `${JSON.stringify(d.key)}${d.path ? ` in ${d.path}` : ''}`);
    report.malformed('suspicious', `Key ${JSON.stringify(d.key)} appears more than once ${d.path ? `in ${JSON.stringify(d.path)} ` : ''}in the safetensors header: the format forbids duplicates, and readers disagree on which value wins (parser differential)`, { reason: 'duplicate-key', offset: d.offset, entry: where }, 'error');
  }
  if (duplicates.length > PER_KIND) report.note(`${duplicates.length - PER_KIND} further duplicated keys in the safetensors header were not listed.`);

  // offsets: sorted, contiguous from 0, exact coverage
  if (parsed) validateOffsets(ctx, entries, section.dataBytes, 8 + N, checks, problem);
  for (const p of problems.values()) {
    if (p.count > 1) report.note(`${p.count - 1} more safetensors tensors have the same problem as: ${p.first.slice(0, 200)}`);
  }
  for (const check of ['tensor-info', 'dtypes', 'shapes', 'sizes', 'metadata-strings', 'no-unknown-fields']) checks.pass(check);

  for (const info of infos) {
    if (info.offset !== undefined) {
      const abs = 8 + N + info.offset;
      info.offset = ctx.fileOffset(source, abs) ?? abs;
    }
    report.addTensor(info);
  }
  section.tensorCount = entries.length;
  if (metadata) section.metadata = metadata;
  if (ctx.isTop) {
    report.meta('safetensors.header_bytes', N);
    report.meta('safetensors.tensors', entries.length);
    if (metadata) {
      report.meta('safetensors.__metadata__', metadata);
      if (metadata.format !== undefined) report.meta('format', metadata.format);
    }
  }
  finish();
}

type Problem = (kind: string, msg: string, verdict?: 'invalid' | 'suspicious', severity?: 'error' | 'warning') => void;

function readMetadata(v: JNode, problem: Problem, checks: Checklist): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(v instanceof JObject)) {
    checks.fail('metadata-strings', '__metadata__ is not an object');
    problem('metadata', '`__metadata__` is not a JSON object: the reference reader (Option<HashMap<String, String>>) refuses the file');
    return out;
  }
  let shown = 0;
  for (const [k, x] of v.entries()) {
    if (typeof x !== 'string') {
      checks.fail('metadata-strings', `__metadata__.${k} is not a string`);
      problem('metadata', `\`__metadata__\` value ${JSON.stringify(k)} is not a string: the format allows only string → string, and the reference reader refuses the whole file`);
    }
    if (shown++ < 1000) {
      const text = typeof x === 'string' ? x : x instanceof JNum ? x.text : JSON.stringify(x === null || typeof x === 'boolean' ? x : '<' + (Array.isArray(x) ? 'array' : 'object') + '>');
      out[k] = text.length > 4096 ? `${text.slice(0, 4096)}…` : text;
    }
  }
  return out;
}

function tensorEntry(name: string, v: JNode, problem: Problem, checks: Checklist): { entry: Entry; info: TensorInfo } | undefined {
  const bad = (what: string) => {
    checks.fail('tensor-info', `${name}: ${what}`);
    problem('tensor-info', `Tensor ${JSON.stringify(name)}: ${what} (the reference reader refuses the file)`);
    return undefined;
  };
  if (!(v instanceof JObject)) return bad('its entry is not an object');
  const unknown = v.keys.filter((k) => !TENSOR_FIELDS.has(k));
  if (unknown.length > 0) {
    checks.fail('no-unknown-fields', `${name}: ${unknown.join(', ')}`);
    problem('unknown-fields', `Tensor ${JSON.stringify(name)} has fields outside dtype/shape/data_offsets (${unknown.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}): the Rust reader ignores them, the schema forbids them`, 'suspicious', 'warning');
  }
  const dtype = v.get('dtype');
  const shape = v.get('shape');
  const offsets = v.get('data_offsets');
  if (typeof dtype !== 'string') return bad('dtype is missing or not a string');
  if (!Array.isArray(shape)) return bad('shape is missing or not an array');
  if (!Array.isArray(offsets) || offsets.length !== 2) return bad('data_offsets is not a [begin, end] pair');
  const dims: bigint[] = [];
  for (const d of shape) {
    const b = d instanceof JNum ? d.bigint() : undefined;
    if (b === undefined || b < 0n) return bad(`shape ${shortJson(shape)} holds something other than non-negative integers`);
    dims.push(b);
  }
  const [b0, b1] = offsets.map((o) => (o instanceof JNum ? o.bigint() : undefined));
  if (b0 === undefined || b1 === undefined || b0 < 0n || b1 < 0n) return bad(`data_offsets ${shortJson(offsets)} are not non-negative integers`);
  const dt = SAFETENSORS_DTYPES[dtype];
  const info: TensorInfo = { name, dtype: dt ? dt[1] : dtype, shape: dims.map((d) => (d > SAFE ? Number.MAX_SAFE_INTEGER : Number(d))) };
  const entry: Entry = { name, begin: b0, end: b1 };
  if (!dt) {
    checks.fail('dtypes', `${name}: ${dtype}`);
    problem('dtype', `Tensor ${JSON.stringify(name)} has dtype ${JSON.stringify(dtype.slice(0, 40))}, which the reference reader does not know (it refuses the file)`);
  }
  if (dims.some((d) => d > MAX_DIM)) {
    checks.fail('shapes', `${name}: a dimension above 2^32`);
    problem('dim-limit', `Tensor ${JSON.stringify(name)} has a dimension above 2^32 (${shortJson(shape)}): beyond the limits readers enforce`);
  }
  let nel = 1n;
  let overflow = false;
  for (const d of dims) {
    nel *= d;
    if (nel > U64_MAX) {
      overflow = true;
      break;
    }
  }
  if (overflow) {
    checks.fail('sizes', `${name}: element count overflows 64 bits`);
    problem('overflow', `Tensor ${JSON.stringify(name)}: the element count of shape ${shortJson(shape)} overflows 64 bits (ValidationOverflow)`);
  } else if (dt) {
    const bits = nel * BigInt(dt[0]);
    if (bits > U64_MAX) {
      checks.fail('sizes', `${name}: bit count overflows 64 bits`);
      problem('overflow', `Tensor ${JSON.stringify(name)}: the bit count of shape ${shortJson(shape)} overflows 64 bits (ValidationOverflow)`);
    } else if (bits % 8n !== 0n) {
      checks.fail('sizes', `${name}: ${bits} bits is not a whole number of bytes`);
      problem('misaligned', `Tensor ${JSON.stringify(name)}: ${nel} elements of ${dtype} are ${bits} bits, not a whole number of bytes (MisalignedSlice)`);
    } else if (b1 >= b0 && b1 - b0 !== bits / 8n) {
      checks.fail('sizes', `${name}: ${b1 - b0} bytes for ${bits / 8n}`);
      problem('size', `Tensor ${JSON.stringify(name)}: data_offsets cover ${b1 - b0} bytes, but ${shortJson(shape)} × ${dtype} needs ${bits / 8n} (TensorInfoInvalid)`);
    }
  }
  if (b1 < b0) {
    checks.fail('offsets-contiguous', `${name}: end ${b1} < begin ${b0}`);
    problem('offset-order', `Tensor ${JSON.stringify(name)}: data_offsets end ${b1} is before begin ${b0} (InvalidOffset)`);
  }
  if (b0 <= SAFE && b1 <= SAFE) {
    info.offset = Number(b0); // made absolute by the caller
    if (b1 >= b0) info.bytes = Number(b1 - b0);
  } else {
    checks.fail('offsets-contiguous', `${name}: offsets above 2^53`);
    problem('offset-range', `Tensor ${JSON.stringify(name)}: data_offsets ${shortJson(offsets)} exceed 2^53 − 1 (JavaScript readers lose precision)`);
  }
  return { entry, info };
}

function validateOffsets(ctx: InspectContext, entries: Entry[], dataBytes: number, dataStart: number, checks: Checklist, problem: Problem): void {
  const order = entries.map((_, i) => i).sort((a, b) => {
    const x = entries[a];
    const y = entries[b];
    return x.begin < y.begin ? -1 : x.begin > y.begin ? 1 : x.end < y.end ? -1 : x.end > y.end ? 1 : 0;
  });
  let expected = 0n;
  let prev: Entry | undefined;
  let overlaps = 0;
  let holes = 0;
  for (const i of order) {
    const e = entries[i];
    if (e.begin < expected) {
      overlaps++;
      checks.fail('offsets-contiguous', `${e.name} overlaps ${prev?.name}`);
      if (overlaps <= PER_KIND) problem(`offset-overlap-${overlaps}`, `Tensor ${JSON.stringify(e.name)} (bytes ${e.begin}–${e.end}) overlaps ${prev ? JSON.stringify(prev.name) : 'the previous tensor'} (which ends at ${expected}): overlapping or aliased data is refused by the reference reader (InvalidOffset) and was a parser DoS`);
    } else if (e.begin > expected) {
      holes++;
      checks.fail('offsets-contiguous', `${e.begin - expected} unused bytes before ${e.name}`);
      if (holes <= PER_KIND) problem(`offset-hole-${holes}`, `${e.begin - expected} bytes before tensor ${JSON.stringify(e.name)} (at ${expected}–${e.begin} of the data) belong to no tensor: the data is not contiguous (InvalidOffset); holes can hide another file (polyglot)`);
    }
    if (e.end > expected) expected = e.end;
    prev = e;
  }
  if (overlaps > PER_KIND || holes > PER_KIND) ctx.report.note(`${overlaps} overlapping tensors and ${holes} gaps in the safetensors data in total.`);
  checks.pass('offsets-contiguous');
  const total = BigInt(dataBytes);
  if (expected < total) {
    checks.fail('exact-coverage', `${total - expected} trailing bytes`);
    ctx.report.malformed('invalid', `${total - expected} bytes follow the last tensor's data (the tensors end at ${expected} of ${total} data bytes): the reference reader refuses trailing bytes (MetadataIncompleteBuffer), which could hold another file (polyglot)`, { reason: 'trailing-data', offset: dataStart + Number(expected), entry: ctx.entry }, 'error');
  } else if (expected > total) {
    checks.fail('exact-coverage', `tensors need ${expected} bytes, the file has ${total}`);
    ctx.report.malformed('invalid', `The tensors' data_offsets reach byte ${expected} of the data, but the file holds only ${total} data bytes: truncated (MetadataIncompleteBuffer)`, { reason: 'truncated', entry: ctx.entry });
  } else checks.pass('exact-coverage', `${total} data bytes`);
}

function shortJson(v: JNode): string {
  const s = JSON.stringify(v, (_k, x) => (x instanceof JNum ? Number(x.text) : x instanceof JObject ? '{…}' : x));
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
