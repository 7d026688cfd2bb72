// Byte-exact writers for the model-file scanner's fixtures (test/fixtures/models/).
//
//   node scripts/make-model-fixtures.mjs          rewrite the fixtures and manifest.json
//   node scripts/make-model-fixtures.mjs --check  exit 1 if a committed fixture is stale
//
// Every fixture is built here from opcodes and bytes, deterministically (no zlib: deflate data is
// written as stored deflate blocks). test/unit/models-fixtures.test.ts imports buildFixtures(),
// checks the committed files are up to date, and checks each fixture's expected verdict.
// Hostile payloads are harmless (`echo pwned`) and are NEVER loaded: tests only disassemble them.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'models');

// ---------------------------------------------------------------- pickle opcodes

const u8 = (n) => Buffer.from([n & 0xff]);
const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const i32 = (n) => { const b = Buffer.alloc(4); b.writeInt32LE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const ascii = (s) => Buffer.from(s, 'latin1');
const utf8 = (s) => Buffer.from(s, 'utf8');

/** A pickle written opcode by opcode (names as in pickletools). */
class Pickle {
  constructor() { this.parts = []; }
  raw(...items) { for (const x of items) this.parts.push(typeof x === 'number' ? u8(x) : typeof x === 'string' ? ascii(x) : x); return this; }
  bytes() { return Buffer.concat(this.parts); }
  get length() { return this.parts.reduce((n, p) => n + p.length, 0); }
  // protocol and framing
  proto(n) { return this.raw(0x80, n); }
  frame(len) { return this.raw(0x95, u64(len)); }
  stop() { return this.raw('.'); }
  // imports
  global(m, n) { return this.raw(`c${m}\n${n}\n`); }
  inst(m, n) { return this.raw(`i${m}\n${n}\n`); }
  stackGlobal() { return this.raw(0x93); }
  ext1(code) { return this.raw(0x82, code); }
  // strings and bytes
  sbu(s) { const b = utf8(s); return this.raw(0x8c, b.length, b); }
  bu(s) { const b = utf8(s); return this.raw('X', u32(b.length), b); }
  unicode(s) { return this.raw(`V${s}\n`); }
  string(s) { return this.raw(`S'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'\n`); }
  binstring(s) { const b = ascii(s); return this.raw('T', i32(b.length), b); }
  sbstring(s) { const b = ascii(s); return this.raw('U', b.length, b); }
  sbb(buf) { return this.raw('C', buf.length, buf); }
  binbytes(buf) { return this.raw('B', u32(buf.length), buf); }
  bytearray8(buf) { return this.raw(0x96, u64(buf.length), buf); }
  // numbers and constants
  int(n) {
    if (n >= 0 && n < 256) return this.raw('K', n);
    if (n >= 0 && n < 65536) return this.raw('M', u16(n));
    return this.raw('J', i32(n));
  }
  textInt(n) { return this.raw(`I${n}\n`); }
  long1(big) {
    const out = [];
    let v = BigInt(big);
    while (v !== 0n && v !== -1n) { out.push(Number(v & 0xffn)); v >>= 8n; }
    if (out.length === 0 || (big >= 0n && out[out.length - 1] & 0x80)) out.push(big < 0n ? 0xff : 0);
    return this.raw(0x8a, out.length, Buffer.from(out));
  }
  float(x) { const b = Buffer.alloc(8); b.writeDoubleBE(x); return this.raw('G', b); }
  textFloat(x) { return this.raw(`F${x}\n`); }
  none() { return this.raw('N'); }
  true() { return this.raw(0x88); }
  false() { return this.raw(0x89); }
  // containers
  mark() { return this.raw('('); }
  tuple() { return this.raw('t'); }
  tuple1() { return this.raw(0x85); }
  tuple2() { return this.raw(0x86); }
  tuple3() { return this.raw(0x87); }
  emptyTuple() { return this.raw(')'); }
  emptyList() { return this.raw(']'); }
  emptyDict() { return this.raw('}'); }
  list() { return this.raw('l'); }
  dict() { return this.raw('d'); }
  append() { return this.raw('a'); }
  appends() { return this.raw('e'); }
  setitem() { return this.raw('s'); }
  setitems() { return this.raw('u'); }
  // calls
  reduce() { return this.raw('R'); }
  build() { return this.raw('b'); }
  newobj() { return this.raw(0x81); }
  obj() { return this.raw('o'); }
  binpersid() { return this.raw('Q'); }
  // memo and stack
  put(n) { return this.raw(`p${n}\n`); }
  binput(n) { return this.raw('q', n); }
  memoize() { return this.raw(0x94); }
  binget(n) { return this.raw('h', n); }
  pop() { return this.raw('0'); }
  popMark() { return this.raw('1'); }
}
const P = () => new Pickle();

/** Protocol 4 style: PROTO 4, then one FRAME holding the rest. */
function framed4(body) {
  return Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), u64(body.length), body]);
}

// ---------------------------------------------------------------- containers

/** Deflate data made of stored blocks (valid deflate, deterministic, no zlib). */
function deflateStored(data) {
  const parts = [];
  let off = 0;
  do {
    const n = Math.min(65535, data.length - off);
    const last = off + n >= data.length;
    parts.push(Buffer.from([last ? 1 : 0]), u16(n), u16(~n & 0xffff), data.subarray(off, off + n));
    off += n;
  } while (off < data.length);
  return Buffer.concat(parts);
}

/** A zlib stream (RFC 1950) around stored deflate blocks. */
function zlibStored(data) {
  let a = 1;
  let b = 0;
  for (const byte of data) { a = (a + byte) % 65521; b = (b + a) % 65521; }
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((b << 16) | a) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0x01]), deflateStored(data), adler]);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
  return t;
})();
function crc32(data) {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const DOS_TIME = 0;
const DOS_DATE = 0x21; // 1980-01-01

/**
 * A zip archive. Entries: { name, data, method (0 stored | 8 deflate), flags, localName, crc,
 * descriptor (bit 3 + data descriptor, zero sizes in the local header, like torch/miniz) }.
 * Options: align (torch "FB" padding to 64 bytes), zip64 (EOCD64 + locator), prefix, trailing.
 */
function zip(entries, { align = false, zip64 = false, prefix = Buffer.alloc(0), trailing = Buffer.alloc(0) } = {}) {
  const out = [];
  let pos = 0; // offsets are relative to the archive start (the prefix is not counted, like a concatenation)
  const push = (b) => { out.push(b); pos += b.length; };
  const central = [];
  for (const e of entries) {
    const data = e.data;
    const method = e.method ?? 0;
    const packed = method === 8 ? deflateStored(data) : data;
    const crc = e.crc ?? crc32(data);
    const flags = (e.flags ?? 0) | (e.descriptor ? 0x08 : 0);
    const name = utf8(e.name);
    const localName = utf8(e.localName ?? e.name);
    const headerOffset = pos;
    let extra = Buffer.alloc(0);
    if (align) {
      const base = pos + 30 + localName.length + 4;
      const pad = (64 - (base % 64)) % 64;
      extra = Buffer.concat([u16(0x4246), u16(pad), Buffer.alloc(pad, 'Z')]);
    }
    const local = Buffer.concat([
      u32(0x04034b50), u16(20), u16(flags), u16(method), u16(DOS_TIME), u16(DOS_DATE),
      u32(e.descriptor ? 0 : crc), u32(e.descriptor ? 0 : packed.length), u32(e.descriptor ? 0 : data.length),
      u16(localName.length), u16(extra.length), localName, extra,
    ]);
    push(local);
    push(packed);
    if (e.descriptor) push(Buffer.concat([u32(0x08074b50), u32(crc), u32(packed.length), u32(data.length)]));
    central.push(Buffer.concat([
      u32(0x02014b50), u16(20), u16(20), u16(flags), u16(method), u16(DOS_TIME), u16(DOS_DATE), u32(crc),
      u32(packed.length), u32(data.length), u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(headerOffset), name,
    ]));
  }
  const cdOffset = pos;
  const cd = Buffer.concat(central);
  push(cd);
  if (zip64) {
    const eocd64Offset = pos;
    push(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(entries.length), u64(entries.length), u64(cd.length), u64(cdOffset)]));
    push(Buffer.concat([u32(0x07064b50), u32(0), u64(eocd64Offset), u32(1)]));
  }
  push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(cd.length), u32(cdOffset), u16(0)]));
  return Buffer.concat([prefix, ...out, trailing]);
}

/** An .npy v1.0 file. */
function npy(descr, shape, data, fortran = false) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  return Buffer.concat([Buffer.from([0x93]), ascii('NUMPY'), Buffer.from([1, 0]), u16(header.length), ascii(header), data]);
}

const f32 = (values) => { const b = Buffer.alloc(values.length * 4); values.forEach((v, i) => b.writeFloatLE(v, i * 4)); return b; };
const f64 = (values) => { const b = Buffer.alloc(values.length * 8); values.forEach((v, i) => b.writeDoubleLE(v, i * 8)); return b; };
const i64 = (values) => { const b = Buffer.alloc(values.length * 8); values.forEach((v, i) => b.writeBigInt64LE(BigInt(v), i * 8)); return b; };

// ---------------------------------------------------------------- pickles

/** {'a': 1, 'b': [1.5, 'text'], 'c': None} exactly as CPython pickles it with protocols 0 and 1. */
function benignP0() {
  return P().mark().dict().put(0).unicode('a').put(1).textInt(1).setitem().unicode('b').put(2)
    .mark().list().put(3).textFloat('1.5').append().unicode('text').put(4).append().setitem()
    .unicode('c').put(5).none().setitem().stop().bytes();
}
function benignP1() {
  return P().emptyDict().binput(0).mark().bu('a').binput(1).int(1).bu('b').binput(2).emptyList().binput(3)
    .mark().float(1.5).bu('text').binput(4).appends().bu('c').binput(5).none().setitems().stop().bytes();
}
/** {'a': 1, 'b': [1.5, 'text'], 'c': None, 'd': True, 'e': b'yy'} as CPython pickles it with protocol 2 / 3. */
function benignP2() {
  return P().proto(2).emptyDict().binput(0).mark().bu('a').binput(1).int(1).bu('b').binput(2).emptyList().binput(3)
    .mark().float(1.5).bu('text').binput(4).appends().bu('c').binput(5).none().bu('d').binput(6).true()
    .bu('e').binput(7).global('_codecs', 'encode').binput(8).bu('yy').binput(9).bu('latin1').binput(10).tuple2().binput(11).reduce().binput(12)
    .setitems().stop().bytes();
}
function benignP3() {
  return P().proto(3).emptyDict().binput(0).mark().bu('a').binput(1).int(1).bu('b').binput(2).emptyList().binput(3)
    .mark().float(1.5).bu('text').binput(4).appends().bu('c').binput(5).none().bu('d').binput(6).true()
    .bu('e').binput(7).sbb(ascii('yy')).binput(8).setitems().stop().bytes();
}
function benignP45(proto) {
  const body = P().emptyDict().memoize().mark().sbu('a').memoize().int(1).sbu('b').memoize().emptyList().memoize()
    .mark().float(1.5).sbu('text').memoize().appends().sbu('c').memoize().none().sbu('d').memoize().true()
    .sbu('e').memoize().sbb(ascii('yy')).memoize();
  if (proto === 5) body.sbu('f').memoize().bytearray8(ascii('zz')).memoize();
  body.setitems().stop();
  const b = body.bytes();
  return Buffer.concat([Buffer.from([0x80, proto, 0x95]), u64(b.length), b]);
}

/** A torch state dict data.pkl: OrderedDict of _rebuild_tensor_v2 records (protocol 2, like torch.save). */
function torchDataPkl(tensors) {
  const p = P().proto(2).global('collections', 'OrderedDict').binput(0).emptyTuple().reduce().binput(1).mark();
  let memo = 2;
  tensors.forEach((t, i) => {
    p.bu(t.name).binput(memo++);
    if (i === 0) p.global('torch._utils', '_rebuild_tensor_v2').binput(memo++);
    else p.binget(3);
    p.mark().mark().bu('storage').binput(memo++).global('torch', t.storage).binput(memo++).bu(String(i)).binput(memo++).bu('cpu').binput(memo++)
      .int(t.numel).tuple().binput(memo++).binpersid().int(0);
    for (const d of t.shape) p.int(d);
    p.raw(t.shape.length === 1 ? 0x85 : t.shape.length === 2 ? 0x86 : 0x87).binput(memo++);
    for (const s of t.stride) p.int(s);
    p.raw(t.stride.length === 1 ? 0x85 : t.stride.length === 2 ? 0x86 : 0x87).binput(memo++);
    p.false().binget(0).emptyTuple().reduce().binput(memo++).tuple().binput(memo++).reduce().binput(memo++);
  });
  return p.setitems().stop().bytes();
}

const STATE_DICT = [
  { name: 'fc.weight', storage: 'FloatStorage', numel: 12, shape: [3, 4], stride: [4, 1], data: f32([...Array(12).keys()].map((x) => x / 10)) },
  { name: 'fc.bias', storage: 'FloatStorage', numel: 3, shape: [3], stride: [1], data: f32([0.5, -0.5, 0.25]) },
];

/** A torch.save zip: <root>/data.pkl, data/<key>, version, byteorder, .data/serialization_id (torch's layout). */
function torchZip(dataPkl, { root = 'archive', tensors = STATE_DICT, extra = [], mutate = (e) => e, options = {} } = {}) {
  let entries = [
    { name: `${root}/data.pkl`, data: dataPkl, descriptor: true },
    { name: `${root}/byteorder`, data: ascii('little'), descriptor: true },
    ...tensors.map((t, i) => ({ name: `${root}/data/${i}`, data: t.data, descriptor: true })),
    { name: `${root}/version`, data: ascii('3\n'), descriptor: true },
    { name: `${root}/.data/serialization_id`, data: ascii('1234567890123456789012345678901234567890'), descriptor: true },
    ...extra,
  ];
  entries = mutate(entries);
  return zip(entries, { align: true, zip64: true, ...options });
}

/** os.system('echo pwned') with GLOBAL + REDUCE. */
function osSystemP2(module = 'os') {
  return P().proto(2).global(module, 'system').binput(0).bu('echo pwned').binput(1).tuple1().binput(2).reduce().binput(3).stop().bytes();
}

/** A legacy torch.save: magic, protocol version, sys_info, object, storage keys; then raw storages. */
function legacyTorch() {
  const magic = P().proto(2).long1(0x1950a86a20f9469cfc6cn).stop().bytes();
  const version = P().proto(2).int(1001).stop().bytes();
  const sysInfo = P().proto(2).emptyDict().binput(0).mark().bu('protocol_version').binput(1).int(1001).bu('little_endian').binput(2).true()
    .bu('type_sizes').binput(3).emptyDict().binput(4).mark().bu('short').binput(5).int(2).bu('int').binput(6).int(4).bu('long').binput(7).int(4)
    .setitems().setitems().stop().bytes();
  const object = P().proto(2).global('collections', 'OrderedDict').binput(0).emptyTuple().reduce().binput(1).mark()
    .bu('weight').binput(2).global('torch._utils', '_rebuild_tensor_v2').binput(3)
    .mark().mark().bu('storage').binput(4).global('torch', 'FloatStorage').binput(5).bu('0').binput(6).bu('cpu').binput(7).int(4).none().tuple().binput(8)
    .binpersid().int(0).int(2).int(2).tuple2().binput(9).int(2).int(1).tuple2().binput(10).false().binget(0).emptyTuple().reduce().binput(11)
    .tuple().binput(12).reduce().binput(13).setitems().stop().bytes();
  const keys = P().proto(2).emptyList().binput(0).bu('0').binput(1).append().stop().bytes();
  const storage = Buffer.concat([u64(4), f32([1, 2, 3, 4])]);
  return Buffer.concat([magic, version, sysInfo, object, keys, storage]);
}

/** joblib 1.x (protocol 4): {'coef': array([1., 2., 3.])} with the array bytes inline after the wrapper. */
function joblibFile() {
  const body = P().emptyDict().memoize().sbu('coef').memoize().sbu('joblib.numpy_pickle').memoize().sbu('NumpyArrayWrapper').memoize().stackGlobal().memoize()
    .emptyTuple().newobj().memoize().emptyDict().memoize().mark()
    .sbu('subclass').memoize().sbu('numpy').memoize().sbu('ndarray').memoize().stackGlobal().memoize()
    .sbu('shape').memoize().int(3).tuple1().memoize().sbu('order').memoize().sbu('C').memoize()
    .sbu('dtype').memoize().binget(8).sbu('dtype').memoize().stackGlobal().memoize().sbu('f8').memoize().false().true().tuple3().memoize().reduce().memoize()
    .mark().int(3).sbu('<').memoize().none().none().none().int(-1).int(-1).int(0).tuple().memoize().build()
    .sbu('allow_mmap').memoize().true().sbu('numpy_array_alignment_bytes').memoize().int(16).setitems().build();
  const head = framed4(body.bytes());
  const afterPad = head.length + 1;
  const pad = 16 - (afterPad % 16);
  return Buffer.concat([head, u8(pad), Buffer.alloc(pad, 0xff), f64([1, 2, 3]), ascii('s.')]);
}

// ---------------------------------------------------------------- safetensors

const f16 = (values) => { const b = Buffer.alloc(values.length * 2); values.forEach((v, i) => b.writeUInt16LE(v & 0xffff, i * 2)); return b; };

/**
 * A safetensors file. tensors: [{ name, dtype, shape, data, offsets? }] in data order (offsets default
 * to back-to-back). Options: metadata (the `__metadata__` map), headerText (replaces the JSON),
 * leading (whitespace before '{'), trailing (bytes after the data), declaredLength (a lying N).
 */
function safetensors(tensors, { metadata, headerText, leading = '', trailing = Buffer.alloc(0), declaredLength } = {}) {
  const header = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  for (const t of tensors) {
    const begin = off;
    off += t.data.length;
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: t.offsets ?? [begin, off] };
  }
  let text = leading + (headerText ?? JSON.stringify(header));
  text += ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8); // the writer pads with spaces to a multiple of 8
  const h = utf8(text);
  return Buffer.concat([u64(declaredLength ?? h.length), h, ...tensors.map((t) => t.data), trailing]);
}

const SAFETENSORS_TENSORS = [
  { name: 'fc.weight', dtype: 'F32', shape: [3, 4], data: f32([...Array(12).keys()].map((x) => x / 10)) },
  { name: 'fc.bias', dtype: 'F32', shape: [3], data: f32([0.5, -0.5, 0.25]) },
  { name: 'embed.weight', dtype: 'F16', shape: [2, 2], data: f16([0x3c00, 0x4000, 0x4200, 0x4400]) },
];

// ---------------------------------------------------------------- GGUF

const GGUF = { UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12 };
const ggufString = (s) => { const b = utf8(s); return Buffer.concat([u64(b.length), b]); };
function ggufValue(type, v) {
  switch (type) {
    case GGUF.UINT8: return u8(v);
    case GGUF.UINT32: return u32(v);
    case GGUF.INT32: return i32(v);
    case GGUF.FLOAT32: { const b = Buffer.alloc(4); b.writeFloatLE(v); return b; }
    case GGUF.BOOL: return u8(v ? 1 : 0);
    case GGUF.STRING: return ggufString(v);
    case GGUF.UINT64: return u64(v);
    case GGUF.ARRAY: return Buffer.concat([u32(v[0]), u64(v[1].length), ...v[1].map((x) => ggufValue(v[0], x))]);
    default: throw new Error(`gguf type ${type}`);
  }
}

/**
 * A GGUF v3 file. kv: [[key, type, value]] (arrays: [elementType, values]); tensors: [{ name, dims
 * (ne0 first), type (ggml type id), data }]. Options: kvCount / tensorCount override the counts.
 */
function gguf({ kv = [], tensors = [], alignment = 32, kvCount, tensorCount } = {}) {
  const head = Buffer.concat([ascii('GGUF'), u32(3), u64(tensorCount ?? tensors.length), u64(kvCount ?? kv.length)]);
  const kvs = kv.map(([k, t, v]) => Buffer.concat([ggufString(k), u32(t), ggufValue(t, v)]));
  let off = 0;
  const infos = tensors.map((t) => {
    const info = Buffer.concat([ggufString(t.name), u32(t.dims.length), ...t.dims.map((d) => u64(d)), u32(t.type), u64(off)]);
    off += Math.ceil(t.data.length / alignment) * alignment;
    return info;
  });
  const meta = Buffer.concat([head, ...kvs, ...infos]);
  const pad = (n) => Buffer.alloc((alignment - (n % alignment)) % alignment);
  const data = tensors.map((t) => Buffer.concat([t.data, pad(t.data.length)]));
  return Buffer.concat([meta, pad(meta.length), ...data]);
}

const BENIGN_CHAT_TEMPLATE = "{%- set ns = namespace(system='') -%}{%- for message in messages -%}{%- if message['role'] == 'system' -%}{%- set ns.system = message['content'] -%}{%- else -%}<|{{ message['role'] }}|>\n{{ ns.system ~ message['content'] | trim }}\n{%- endif -%}{%- endfor -%}{%- if add_generation_prompt %}<|assistant|>\n{% endif %}";
const SSTI_CHAT_TEMPLATE = "{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}{% endfor %}{{ ''.__class__.__mro__[1].__subclasses__() }}{{ cycler.__init__.__globals__.os.popen('echo pwned').read() }}";

function ggufModel(template = BENIGN_CHAT_TEMPLATE) {
  return gguf({
    kv: [
      ['general.architecture', GGUF.STRING, 'llama'],
      ['general.name', GGUF.STRING, 'tiny-test'],
      ['general.file_type', GGUF.UINT32, 1],
      ['general.quantization_version', GGUF.UINT32, 2],
      ['llama.context_length', GGUF.UINT32, 128],
      ['llama.embedding_length', GGUF.UINT32, 8],
      ['llama.block_count', GGUF.UINT32, 1],
      ['tokenizer.ggml.model', GGUF.STRING, 'llama'],
      ['tokenizer.ggml.tokens', GGUF.ARRAY, [GGUF.STRING, ['<unk>', '<s>', '</s>', 'a']]],
      ['tokenizer.ggml.scores', GGUF.ARRAY, [GGUF.FLOAT32, [0, 0, 0, -1]]],
      ['tokenizer.ggml.bos_token_id', GGUF.UINT32, 1],
      ['tokenizer.chat_template', GGUF.STRING, template],
    ],
    tensors: [
      { name: 'token_embd.weight', dims: [8, 4], type: 0, data: f32([...Array(32).keys()].map((x) => x / 32)) },
      { name: 'output_norm.weight', dims: [8], type: 1, data: f16(Array(8).fill(0x3c00)) },
    ],
  });
}

// ---------------------------------------------------------------- ONNX (protobuf written by hand)

function pbVarint(n) {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Buffer.from(out);
}
const pbTag = (field, wire) => pbVarint((field << 3) | wire);
const pbInt = (field, n) => Buffer.concat([pbTag(field, 0), pbVarint(n)]);
const pbMsg = (field, ...parts) => { const body = Buffer.concat(parts); return Buffer.concat([pbTag(field, 2), pbVarint(body.length), body]); };
const pbStr = (field, s) => pbMsg(field, utf8(s));

/** A ValueInfoProto of a float tensor; dims: numbers (dim_value) or strings (dim_param). */
const onnxValueInfo = (field, name, dims) => pbMsg(field, pbStr(1, name),
  pbMsg(2, pbMsg(1, pbInt(1, 1), pbMsg(2, ...dims.map((d) => pbMsg(1, typeof d === 'number' ? pbInt(1, d) : pbStr(2, d)))))));

/**
 * A tiny ONNX model: y = x @ W (MatMul), W float32 (2, 3) as an initializer. `external`: the
 * initializer's external_data entries ([key, value] pairs) instead of raw_data.
 */
function onnxMatMul({ external } = {}) {
  const w = f32([1, 2, 3, 4, 5, 6]);
  const tensor = external
    ? pbMsg(5, pbInt(1, 2), pbInt(1, 3), pbInt(2, 1), pbStr(8, 'W'), ...external.map(([k, v]) => pbMsg(13, pbStr(1, k), pbStr(2, v))), pbInt(14, 1))
    : pbMsg(5, pbInt(1, 2), pbInt(1, 3), pbInt(2, 1), pbStr(8, 'W'), pbMsg(9, w));
  const graph = pbMsg(7,
    pbMsg(1, pbStr(1, 'x'), pbStr(1, 'W'), pbStr(2, 'y'), pbStr(3, 'matmul'), pbStr(4, 'MatMul')),
    pbStr(2, 'tiny-matmul'),
    tensor,
    onnxValueInfo(11, 'x', ['N', 2]),
    onnxValueInfo(12, 'y', ['N', 3]));
  return Buffer.concat([pbInt(1, 8), pbStr(2, 'modellint-fixtures'), pbStr(3, '1.0'), graph, pbMsg(8, pbStr(1, ''), pbInt(2, 17))]);
}

// ---------------------------------------------------------------- HDF5 (superblock v0, written by hand)

const H5_UNDEF = Buffer.alloc(8, 0xff);
const pad8 = (b) => Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
/** One v1 object header message (type, data padded to 8). */
const h5msg = (type, data, flags = 0) => { const d = pad8(data); return Buffer.concat([u16(type), u16(d.length), u8(flags), Buffer.alloc(3), d]); };
const h5Dataspace = (dims) => Buffer.concat([u8(1), u8(dims.length), u8(0), Buffer.alloc(5), ...dims.map((d) => u64(d))]);
const H5_FLOAT32 = Buffer.concat([Buffer.from([0x11, 0x20, 0x1f, 0x00]), u32(4), u16(0), u16(32), Buffer.from([23, 8, 0, 23]), u32(127)]);
/** Fixed-length ASCII string type, NULLPAD (what h5py writes for bytes). */
const h5String = (size) => Buffer.concat([Buffer.from([0x13, 0x01, 0x00, 0x00]), u32(size)]);
/** An attribute message (v1): a fixed-length string, or an array of them. */
function h5Attribute(name, value) {
  const strs = Array.isArray(value) ? value.map((s) => utf8(s)) : [utf8(value)];
  const size = Math.max(1, ...strs.map((s) => s.length));
  const dt = h5String(size);
  const ds = h5Dataspace(Array.isArray(value) ? [strs.length] : []);
  const nm = Buffer.concat([utf8(name), u8(0)]);
  const data = Buffer.concat(strs.map((s) => Buffer.concat([s, Buffer.alloc(size - s.length)])));
  return h5msg(0x0c, Buffer.concat([u8(1), u8(0), u16(nm.length), u16(dt.length), u16(ds.length), pad8(nm), pad8(dt), pad8(ds), data]));
}

/**
 * A minimal HDF5 file as h5py writes it with the default (earliest) format: superblock v0, version 1
 * object headers, old-style groups (symbol table → v1 B-tree → one symbol table node + local heap),
 * contiguous float32 datasets, fixed-length string attributes. Nodes: { attrs: [[name, value]],
 * children: [[name, node]], links: [[name, file, path]] } for groups (links: external links, which
 * make the group new-style), { data: Float32 values, shape } for datasets.
 */
function hdf5(root) {
  const blobs = [];
  let cursor = 96; // the superblock
  const alloc = (n) => { const a = cursor; cursor += (n + 7) & ~7; return a; };
  const place = (addr, buf) => blobs.push([addr, buf]);
  const header = (msgs) => { const body = Buffer.concat(msgs); return Buffer.concat([u8(1), u8(0), u16(msgs.length), u32(1), u32(body.length), Buffer.alloc(4), body]); };
  const K_LEAF = 4;
  const K_NODE = 16;
  function dataset(node) {
    const data = f32(node.data);
    const msgs = (addr) => [
      h5msg(0x01, h5Dataspace(node.shape)),
      h5msg(0x03, H5_FLOAT32, 1),
      h5msg(0x05, Buffer.from([2, 2, 2, 0])),
      h5msg(0x08, Buffer.concat([u8(3), u8(1), u64(addr), u64(data.length)])),
    ];
    const hdrAddr = alloc(header(msgs(0)).length);
    const dataAddr = alloc(data.length);
    place(hdrAddr, header(msgs(dataAddr)));
    place(dataAddr, data);
    return hdrAddr;
  }
  function group(node) {
    const attrs = (node.attrs ?? []).map(([n, v]) => h5Attribute(n, v));
    if (node.links) {
      // new-style group: link info + group info + one link message per (external) link
      const linkMsgs = node.links.map(([name, file, path]) => {
        const info = Buffer.concat([u8(0), utf8(file), u8(0), utf8(path), u8(0)]);
        const nm = utf8(name);
        return h5msg(0x06, Buffer.concat([u8(1), u8(0x08), u8(64), u8(nm.length), nm, u16(info.length), info]));
      });
      const msgs = [h5msg(0x02, Buffer.concat([u8(0), u8(0), H5_UNDEF, H5_UNDEF])), h5msg(0x0a, Buffer.concat([u8(0), u8(0)])), ...linkMsgs, ...attrs];
      const hdrAddr = alloc(header(msgs).length);
      place(hdrAddr, header(msgs));
      return { hdrAddr };
    }
    const children = [...(node.children ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (children.length > 2 * K_LEAF) throw new Error('hdf5 writer: at most 8 children per group');
    // local heap: "" at 0, then each name NUL-terminated and padded to 8
    const names = [Buffer.alloc(8)];
    const nameOff = [];
    let heapSize = 8;
    for (const [name] of children) { const b = pad8(Buffer.concat([utf8(name), u8(0)])); nameOff.push(heapSize); heapSize += b.length; names.push(b); }
    const heapData = Buffer.concat(names);
    const btreeSize = 24 + (2 * K_NODE + 1) * 8 + 2 * K_NODE * 8;
    const snodSize = 8 + 2 * K_LEAF * 40;
    const msgsFor = (btree, heap) => [h5msg(0x11, Buffer.concat([u64(btree), u64(heap)])), ...attrs];
    const hdrAddr = alloc(header(msgsFor(0, 0)).length);
    const heapAddr = alloc(32);
    const heapDataAddr = alloc(heapData.length);
    const btreeAddr = alloc(btreeSize);
    const snodAddr = children.length > 0 ? alloc(snodSize) : 0;
    const entries = children.map(([name, child], i) => {
      const sub = child.data ? { hdrAddr: dataset(child) } : group(child);
      const scratch = sub.btreeAddr !== undefined ? Buffer.concat([u64(sub.btreeAddr), u64(sub.heapAddr)]) : Buffer.alloc(16);
      return Buffer.concat([u64(nameOff[i]), u64(sub.hdrAddr), u32(sub.btreeAddr !== undefined ? 1 : 0), u32(0), scratch]);
    });
    place(hdrAddr, header(msgsFor(btreeAddr, heapAddr)));
    place(heapAddr, Buffer.concat([ascii('HEAP'), u8(0), Buffer.alloc(3), u64(heapData.length), u64(1) /* H5HL_FREE_NULL: no free block */, u64(heapDataAddr)]));
    place(heapDataAddr, heapData);
    const btree = Buffer.alloc(btreeSize);
    Buffer.concat([ascii('TREE'), u8(0), u8(0), u16(children.length > 0 ? 1 : 0), H5_UNDEF, H5_UNDEF,
      ...(children.length > 0 ? [u64(0), u64(snodAddr), u64(nameOff[nameOff.length - 1])] : [u64(0)])]).copy(btree);
    place(btreeAddr, btree);
    if (children.length > 0) {
      const snod = Buffer.alloc(snodSize);
      Buffer.concat([ascii('SNOD'), u8(1), u8(0), u16(children.length), ...entries]).copy(snod);
      place(snodAddr, snod);
    }
    return { hdrAddr, btreeAddr, heapAddr };
  }
  const r = group(root);
  const sb = Buffer.concat([
    Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from([0, 0, 0, 0, 0, 8, 8, 0]), u16(K_LEAF), u16(K_NODE), u32(0),
    u64(0), H5_UNDEF, u64(cursor), H5_UNDEF,
    // root group symbol table entry (cache type 1: B-tree and heap addresses in the scratch pad)
    u64(0), u64(r.hdrAddr), u32(r.btreeAddr !== undefined ? 1 : 0), u32(0), r.btreeAddr !== undefined ? Buffer.concat([u64(r.btreeAddr), u64(r.heapAddr)]) : Buffer.alloc(16),
  ]);
  const out = Buffer.alloc(cursor);
  sb.copy(out, 0);
  for (const [addr, buf] of blobs) buf.copy(out, addr);
  return out;
}

// ---------------------------------------------------------------- Keras

const kerasLayer = (cls, config, module = 'keras.layers') => ({ module, class_name: cls, config, registered_name: null });
function kerasSequential(extraLayers = []) {
  return {
    module: 'keras', class_name: 'Sequential',
    config: {
      name: 'sequential', trainable: true, dtype: 'float32',
      layers: [
        kerasLayer('InputLayer', { batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'input_layer' }),
        kerasLayer('Dense', {
          name: 'dense', trainable: true, dtype: 'float32', units: 2, activation: 'relu', use_bias: true,
          kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
          bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
        }),
        ...extraLayers,
      ],
      build_input_shape: [null, 4],
    },
    registered_name: null,
    build_config: { input_shape: [null, 4] },
    compile_config: { optimizer: 'adam', loss: { module: 'keras.losses', class_name: 'MeanSquaredError', config: { name: 'mean_squared_error', reduction: 'sum_over_batch_size' }, registered_name: null }, metrics: null },
  };
}
/** The weights file Keras 3 writes for that model: /layers/dense/vars/{0,1}. */
const kerasWeightsH5 = () => hdf5({ children: [
  ['layers', { children: [['dense', { children: [['vars', { children: [
    ['0', { shape: [4, 2], data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] }],
    ['1', { shape: [2], data: [0, 0] }],
  ] }]] }]] }],
  ['optimizer', { children: [['vars', { children: [] }]] }],
] });
/** A .keras archive (Keras writes it with zipfile, stored). */
const kerasArchive = (config) => zip([
  { name: 'metadata.json', data: utf8(JSON.stringify({ keras_version: '3.5.0', date_saved: '2025-01-01@00:00:00' })) },
  { name: 'config.json', data: utf8(JSON.stringify(config)) },
  { name: 'model.weights.h5', data: kerasWeightsH5() },
]);
/** Harmless base64 "bytecode": the text of a comment, never decoded or run by anything. */
const LAMBDA_CODE = Buffer.from('# harmless ModelLint fixture text standing in for marshalled bytecode; never executed').toString('base64');

/** A legacy Keras 2 .h5: root attributes keras_version, backend, model_config (+ model_weights). */
function kerasLegacyH5(layers) {
  const config = { class_name: 'Sequential', config: { name: 'sequential', layers } };
  return hdf5({
    attrs: [['keras_version', '2.12.0'], ['backend', 'tensorflow'], ['model_config', JSON.stringify(config)]],
    children: [['model_weights', { attrs: [['layer_names', ['dense']], ['backend', 'tensorflow'], ['keras_version', '2.12.0']], children: [
      ['dense', { attrs: [['weight_names', ['dense/kernel:0']]], children: [['dense', { children: [['kernel:0', { shape: [4, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] }]] }]] }],
    ] }]],
  });
}
const LEGACY_DENSE = { class_name: 'Dense', config: { name: 'dense', trainable: true, units: 2, activation: 'linear', use_bias: false } };
const LEGACY_LAMBDA = { class_name: 'Lambda', config: { name: 'lambda', trainable: true, function: [LAMBDA_CODE, null, null], function_type: 'lambda', module: '__main__', output_shape: null, output_shape_type: 'raw', arguments: {} } };

// ---------------------------------------------------------------- the fixture list

const LFS = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 438012934\n';
const HTML = '<!DOCTYPE html>\n<html>\n<head><title>404 Not Found</title></head>\n<body><h1>404 Not Found</h1><p>The requested model file was not found.</p></body>\n</html>\n';

/**
 * Fixtures with their expectations:
 *   verdict, format: exact; reasons: finding reasons that must appear; globals: dangerous globals that
 *   must be named in findings; tensors: [name, dtype, shape] that must be listed; anomalies: zip anomaly kinds;
 *   references: [kind, status] of references to other files that must be listed; metadata: report.metadata
 *   entries that must be present with these values.
 */
export function buildFixtures() {
  const list = [];
  const add = (name, description, bytes, expect) => list.push({ name, description, bytes, expect });
  const evilTorch = torchZip(osSystemP2());

  // ---- benign
  add('benign-pickle-p0.pkl', "{'a': 1, 'b': [1.5, 'text'], 'c': None}, protocol 0 (text opcodes)", benignP0(), { verdict: 'safe', format: 'pickle' });
  add('benign-pickle-p1.pkl', 'the same dict, protocol 1 (binary, no PROTO)', benignP1(), { verdict: 'safe', format: 'pickle' });
  add('benign-pickle-p2.pkl', 'a dict with bytes via _codecs.encode, protocol 2', benignP2(), { verdict: 'safe', format: 'pickle' });
  add('benign-pickle-p3.pkl', 'a dict with SHORT_BINBYTES, protocol 3', benignP3(), { verdict: 'safe', format: 'pickle' });
  add('benign-pickle-p4.pkl', 'a dict, protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE)', benignP45(4), { verdict: 'safe', format: 'pickle' });
  add('benign-pickle-p5.pkl', 'a dict with a bytearray (BYTEARRAY8), protocol 5', benignP45(5), { verdict: 'safe', format: 'pickle' });
  add('benign-torch-state-dict.pt', 'torch.save zip of a state dict: fc.weight float32 (3, 4), fc.bias float32 (3)', torchZip(torchDataPkl(STATE_DICT)), {
    verdict: 'safe', format: 'pytorch-zip', tensors: [['fc.weight', 'float32', [3, 4]], ['fc.bias', 'float32', [3]]],
  });
  add('benign-torch-legacy.pt', 'legacy torch.save (5 pickles + raw storage): weight float32 (2, 2)', legacyTorch(), {
    verdict: 'safe', format: 'pytorch-legacy', tensors: [['weight', 'float32', [2, 2]]],
  });
  add('benign-array.npy', 'NumPy float32 (2, 3)', npy('<f4', [2, 3], f32([0, 1, 2, 3, 4, 5])), { verdict: 'safe', format: 'numpy-npy', tensors: [['array', 'float32', [2, 3]]] });
  add('benign-arrays.npz', 'npz with a stored float32 (2, 3) and a deflated int64 (4,)', zip([
    { name: 'a.npy', data: npy('<f4', [2, 3], f32([0, 1, 2, 3, 4, 5])) },
    { name: 'b.npy', data: npy('<i8', [4], i64([1, 2, 3, 4])), method: 8 },
  ]), { verdict: 'safe', format: 'numpy-npz', tensors: [['a', 'float32', [2, 3]], ['b', 'int64', [4]]] });
  add('benign-model.joblib', "joblib.dump({'coef': np.array([1., 2., 3.])}): NumpyArrayWrapper + inline float64 data", joblibFile(), {
    verdict: 'safe', format: 'joblib', tensors: [['coef', 'float64', [3]]],
  });
  add('benign-model-zlib.joblib', 'the same joblib file, zlib-compressed', zlibStored(joblibFile()), { verdict: 'safe', format: 'joblib', tensors: [['coef', 'float64', [3]]] });

  // ---- hostile pickles
  add('evil-os-system-p0.pkl', "os.system('echo pwned') with GLOBAL + REDUCE, protocol 0", P().global('os', 'system').put(0).mark().string('echo pwned').put(1).tuple().put(2).reduce().put(3).stop().bytes(), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['os.system'],
  });
  add('evil-os-system-p2.pkl', "os.system('echo pwned') with GLOBAL + REDUCE, protocol 2", osSystemP2(), { verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['os.system'] });
  add('evil-os-system-p4.pkl', "os.system('echo pwned') with STACK_GLOBAL, protocol 4", framed4(P().sbu('os').memoize().sbu('system').memoize().stackGlobal().memoize().sbu('echo pwned').memoize().tuple1().memoize().reduce().memoize().stop().bytes()), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['os.system'],
  });
  add('evil-builtins-eval.pkl', 'builtins.eval of a string', P().proto(2).global('builtins', 'eval').bu("__import__('os').system('echo pwned')").tuple1().reduce().stop().bytes(), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['builtins.eval'],
  });
  add('evil-subprocess-popen.pkl', "subprocess.Popen(['echo', 'pwned'])", P().proto(2).global('subprocess', 'Popen').emptyList().mark().bu('echo').bu('pwned').appends().tuple1().reduce().stop().bytes(), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['subprocess.Popen'],
  });
  add('evil-submodule-bypass.pkl', 'asyncio.unix_events._UnixSubprocessTransport._start (submodule of a deny-listed module, CVE-2025-10157)', framed4(
    P().sbu('asyncio.unix_events').memoize().sbu('_UnixSubprocessTransport._start').memoize().stackGlobal().memoize().none().bu('echo pwned').tuple2().reduce().stop().bytes()), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['asyncio.unix_events._UnixSubprocessTransport._start'],
  });
  add('evil-dotted-traversal.pkl', "STACK_GLOBAL('pathlib', 'os.system'): a dotted name reaching os (fickling GHSA-5j3x-jp52-966f)", framed4(
    P().sbu('pathlib').sbu('os.system').stackGlobal().sbu('echo pwned').tuple1().reduce().stop().bytes()), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['pathlib.os.system'],
  });
  add('evil-memo-trick.pkl', 'STACK_GLOBAL operands from the memo after keys were overwritten and MEMOIZE reused a key (bypass #1)', framed4(
    P().sbu('builtins').binput(0).sbu('len').binput(1).pop().pop()
      .sbu('os').binput(0).sbu('system').binput(1).pop().pop()
      .sbu('x').binput(5).memoize().pop() // MEMOIZE stores at len(memo) = 3, not 6
      .binget(0).binget(1).stackGlobal().sbu('echo pwned').tuple1().reduce().stop().bytes()), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['os.system'],
  });
  add('evil-binget-missing.pkl', 'BINGET of a memo key that was never stored, used as a STACK_GLOBAL operand (keyerror-exploit)', framed4(
    P().sbu('os').binput(0).binget(0).binget(9).stackGlobal().sbu('echo pwned').tuple1().reduce().stop().bytes()), {
    verdict: 'dangerous', reasons: ['memo-missing-key', 'unresolved-import'],
  });
  add('evil-stack-global-binstring.pkl', 'STACK_GLOBAL at opcode index 2 with SHORT_BINSTRING operands and no PROTO (GHSA-9gvj-pp9x-gcfr)',
    P().sbstring('os').sbstring('system').stackGlobal().string('echo pwned').tuple1().reduce().stop().bytes(), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['os.system'],
  });
  add('evil-stack-global-string.pkl', 'STACK_GLOBAL with STRING and BINSTRING operands', P().proto(2).string('subprocess').binstring('check_output').stackGlobal().emptyList().mark().string('echo').string('pwned').appends().tuple1().reduce().stop().bytes(), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['subprocess.check_output'],
  });
  add('evil-ext1.pkl', 'EXT1: an import through the copyreg extension registry', P().proto(2).ext1(1).bu('echo pwned').tuple1().reduce().stop().bytes(), { verdict: 'dangerous', reasons: ['ext-opcode'] });
  add('evil-inst.pkl', "INST: imports and calls os.system('echo pwned') in one opcode", P().mark().string('echo pwned').inst('os', 'system').stop().bytes(), {
    verdict: 'dangerous', reasons: ['inst-opcode', 'deny-listed-global'], globals: ['os.system'],
  });
  add('evil-invisible-call.pkl', 'OBJ on a non-allowlisted class whose result is POPped (fickling GHSA-mxhj-88fx-4pcv)', P().proto(2).mark().global('mypackage.hooks', 'Hook').bu('echo pwned').obj().pop().emptyDict().stop().bytes(), {
    verdict: 'dangerous', reasons: ['invisible-call', 'object-creation'],
  });
  add('evil-frame-divergence.pkl', 'FRAME declares 3 bytes but the SHORT_BINUNICODE inside runs past it; a GLOBAL/REDUCE follows (frame divergence)',
    Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), u64(3), P().sbu('hello').pop().global('os', 'system').bu('echo pwned').tuple1().reduce().stop().bytes()]), {
    verdict: 'dangerous', reasons: ['frame-violation', 'deny-listed-global'], globals: ['os.system'],
  });
  add('evil-nested-pickle.pkl', 'pickle.loads(<bytes of a pickle calling os.system>)', P().proto(3).global('pickle', 'loads').binbytes(osSystemP2()).tuple1().reduce().stop().bytes(), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['pickle.loads', 'os.system'],
  });
  add('evil-scanner-deactivation.pkl', 'imports a scanner module (fickling), bypass #15', P().proto(2).global('fickling.analysis', 'Severity').emptyTuple().reduce().pop().global('os', 'system').bu('echo pwned').tuple1().reduce().stop().bytes(), {
    verdict: 'dangerous', reasons: ['scanner-deactivation'], globals: ['fickling.analysis.Severity', 'os.system'],
  });
  add('evil-legacy-magic-eval.pt', "legacy torch layout whose magic number is computed with eval (GHSA-97f8-7cmv-76j2)", Buffer.concat([
    P().proto(2).global('builtins', 'eval').bu('0x1950a86a20f9469cfc6c').tuple1().reduce().stop().bytes(), legacyTorch().subarray(15)]), {
    verdict: 'dangerous', reasons: ['deny-listed-global'], globals: ['builtins.eval'],
  });
  add('evil-torch-zip.pt', 'torch zip whose data.pkl calls os.system', evilTorch, { verdict: 'dangerous', format: 'pytorch-zip', reasons: ['deny-listed-global'], globals: ['os.system'] });
  add('evil-object-array.npy', 'npy with object dtype whose pickle calls os.system', npy('|O', [1], osSystemP2()), {
    verdict: 'dangerous', format: 'numpy-npy', reasons: ['deny-listed-global'], globals: ['os.system'],
  });
  add('torchscript-minimal.pt', 'a minimal TorchScript-shaped archive (code/ + constants.pkl): code runs on load', zip([
    { name: 'model/data.pkl', data: P().proto(2).global('__torch__', 'Model').emptyTuple().newobj().emptyDict().build().stop().bytes() },
    { name: 'model/code/__torch__.py', data: ascii('class Model(Module):\n  def forward(self, x):\n    return x\n') },
    { name: 'model/constants.pkl', data: P().proto(2).emptyTuple().stop().bytes() },
    { name: 'model/version', data: ascii('3\n') },
  ]), { verdict: 'suspicious', format: 'torchscript', reasons: ['torchscript'] });

  // ---- zip anomalies (the CVE reproductions carry a malicious data.pkl: it must still be found)
  const flag = (f) => (entries) => entries.map((e) => (e.name.endsWith('data.pkl') ? { ...e, flags: f } : e));
  add('zip-flag-encrypted.pt', 'torch zip with the encryption flag (0x1) on data.pkl (CVE-2025-1945)', torchZip(osSystemP2(), { mutate: flag(0x1) }), {
    verdict: 'dangerous', format: 'pytorch-zip', globals: ['os.system'], anomalies: ['flag-encrypted'],
  });
  add('zip-flag-0x20.pt', 'torch zip with flag 0x20 on data.pkl (CVE-2025-1945)', torchZip(osSystemP2(), { mutate: flag(0x20) }), {
    verdict: 'dangerous', format: 'pytorch-zip', globals: ['os.system'], anomalies: ['flag-patched'],
  });
  add('zip-flag-0x40.pt', 'torch zip with flag 0x40 on data.pkl (CVE-2025-1945)', torchZip(osSystemP2(), { mutate: flag(0x40) }), {
    verdict: 'dangerous', format: 'pytorch-zip', globals: ['os.system'], anomalies: ['flag-strong-encryption'],
  });
  add('zip-name-mismatch.pt', 'local header names data.pkl differently from the central directory (CVE-2025-1944)', torchZip(osSystemP2(), {
    mutate: (entries) => entries.map((e) => (e.name.endsWith('data.pkl') ? { ...e, localName: 'archive/data.txt' } : e)),
  }), { verdict: 'dangerous', format: 'pytorch-zip', globals: ['os.system'], anomalies: ['name-mismatch'] });
  add('zip-crc-mismatch.pt', 'data.pkl with a wrong CRC-32 (CVE-2025-10156)', torchZip(osSystemP2(), {
    mutate: (entries) => entries.map((e) => (e.name.endsWith('data.pkl') ? { ...e, crc: 0x12345678 } : e)),
  }), { verdict: 'dangerous', format: 'pytorch-zip', globals: ['os.system'], anomalies: ['crc-mismatch'] });
  add('zip-duplicate-names.pt', 'two archive/data.pkl entries: a benign one, then a malicious one', torchZip(torchDataPkl(STATE_DICT), {
    extra: [{ name: 'archive/data.pkl', data: osSystemP2(), descriptor: true }],
  }), { verdict: 'dangerous', format: 'pytorch-zip', globals: ['os.system'], anomalies: ['duplicate-name'] });
  add('zip-trailing-data.pt', 'benign torch zip followed by 64 bytes after the end record', torchZip(torchDataPkl(STATE_DICT), { options: { trailing: Buffer.alloc(64, 0x41) } }), {
    verdict: 'suspicious', format: 'pytorch-zip', anomalies: ['trailing-data'], tensors: [['fc.weight', 'float32', [3, 4]]],
  });
  add('zip-junk-prefix.zip', '100 junk bytes before a zip holding a malicious pickle member named notes.txt', zip([
    { name: 'notes.txt', data: osSystemP2() },
  ], { prefix: Buffer.alloc(100, 0x2e) }), { verdict: 'dangerous', format: 'zip', globals: ['os.system'], anomalies: ['prefix-data'] });
  add('polyglot-pickle-zip.pkl', 'a benign pickle followed by a zip whose member is a malicious pickle', Buffer.concat([
    benignP2(), zip([{ name: 'payload.pkl', data: osSystemP2() }]),
  ]), { verdict: 'dangerous', format: 'pickle', reasons: ['polyglot', 'deny-listed-global'], globals: ['os.system'] });

  // ---- safetensors (formats.md §1)
  const st = SAFETENSORS_TENSORS;
  const stTensors = [['fc.weight', 'float32', [3, 4]], ['fc.bias', 'float32', [3]], ['embed.weight', 'float16', [2, 2]]];
  add('benign-model.safetensors', 'safetensors with three tensors (float32, float16) and __metadata__ {format: pt}', safetensors(st, { metadata: { format: 'pt' } }), {
    verdict: 'safe', format: 'safetensors', tensors: stTensors, metadata: { format: 'pt', 'safetensors.tensors': 3 },
  });
  add('safetensors-metadata-html.safetensors', '__metadata__ holding <img src=x onerror=alert(1)>: just a string (the panel must show it as text)', safetensors(st.slice(0, 1), {
    metadata: { format: 'pt', description: '<img src=x onerror=alert(1)>' },
  }), { verdict: 'safe', format: 'safetensors', metadata: { 'safetensors.__metadata__': { format: 'pt', description: '<img src=x onerror=alert(1)>' } } });
  add('safetensors-overlap.safetensors', 'two float32 (4,) tensors whose data_offsets overlap ([0,16] and [8,24])', safetensors([
    { name: 'a', dtype: 'F32', shape: [4], data: f32([1, 2, 3, 4]), offsets: [0, 16] },
    { name: 'b', dtype: 'F32', shape: [4], data: f32([5, 6]), offsets: [8, 24] },
  ]), { verdict: 'invalid', format: 'safetensors', reasons: ['offsets-invalid'] });
  add('safetensors-gap.safetensors', 'data_offsets leave 8 unused bytes between two tensors (not contiguous)', safetensors([
    { name: 'a', dtype: 'F32', shape: [4], data: f32([1, 2, 3, 4, 0, 0]), offsets: [0, 16] },
    { name: 'b', dtype: 'F32', shape: [4], data: f32([5, 6, 7, 8]), offsets: [24, 40] },
  ]), { verdict: 'invalid', format: 'safetensors', reasons: ['offsets-invalid'] });
  add('safetensors-trailing.safetensors', 'a valid file followed by 16 bytes after the last tensor (polyglot room)', safetensors(st, { metadata: { format: 'pt' }, trailing: ascii('PK\x03\x04 trailing!') }), {
    verdict: 'invalid', format: 'safetensors', reasons: ['trailing-data'],
  });
  add('safetensors-header-too-long.safetensors', 'header length N = 4096 in a 72-byte file', safetensors(st.slice(1, 2), { declaredLength: 4096 }), {
    verdict: 'invalid', format: 'safetensors', reasons: ['truncated'],
  });
  add('safetensors-duplicate-keys.safetensors', 'tensor "w" twice in the header (JSON readers keep different ones)', safetensors([{ name: 'w', dtype: 'F32', shape: [4], data: f32([1, 2, 3, 4]) }], {
    headerText: '{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}',
  }), { verdict: 'suspicious', format: 'safetensors', reasons: ['duplicate-key'], tensors: [['w', 'float32', [4]]] });
  add('safetensors-leading-space.safetensors', "a header starting with spaces before '{' (Rust accepts, the spec and Netron do not)", safetensors(st.slice(0, 1), { leading: '   ' }), {
    verdict: 'suspicious', format: 'safetensors', reasons: ['parser-differential'],
  });
  add('model.safetensors.index.json', 'sharded index whose weight_map names ../model-00002-of-00002.safetensors', utf8(JSON.stringify({
    metadata: { total_size: 64 },
    weight_map: { 'fc.weight': 'model-00001-of-00002.safetensors', 'fc.bias': 'model-00001-of-00002.safetensors', 'embed.weight': '../model-00002-of-00002.safetensors' },
  }, null, 2)), { verdict: 'dangerous', format: 'safetensors-index', reasons: ['path-traversal'], references: [['safetensors-shard', 'inside'], ['safetensors-shard', 'escapes']] });

  // ---- GGUF (formats.md §5)
  add('benign-model.gguf', 'GGUF v3: llama metadata, a 4-token vocabulary, a harmless chat template (namespace, system role), F32 and F16 tensors', ggufModel(), {
    verdict: 'safe', format: 'gguf', tensors: [['token_embd.weight', 'float32', [8, 4]], ['output_norm.weight', 'float16', [8]]],
    metadata: { 'general.architecture': 'llama', 'general.name': 'tiny-test', 'llama.context_length': 128 },
  });
  add('gguf-chat-template-ssti.gguf', "GGUF whose chat template reaches ''.__class__.__mro__[1].__subclasses__() and cycler.__init__.__globals__.os.popen (CVE-2024-34359 class)", ggufModel(SSTI_CHAT_TEMPLATE), {
    verdict: 'dangerous', format: 'gguf', reasons: ['template-injection'],
  });
  add('gguf-truncated.gguf', 'the benign GGUF cut inside its metadata', ggufModel().subarray(0, 200), { verdict: 'invalid', format: 'gguf', reasons: ['truncated'] });
  add('gguf-huge-kv-count.gguf', 'GGUF declaring 2^40 metadata entries', gguf({ kv: [['general.architecture', GGUF.STRING, 'llama']], kvCount: 2 ** 40 }), {
    verdict: 'invalid', format: 'gguf', reasons: ['limit-exceeded'],
  });
  add('ggml-legacy.bin', "a pre-GGUF 'ggjt' v3 file header", Buffer.concat([u32(0x67676a74), u32(3), Buffer.alloc(56)]), { verdict: 'invalid', format: 'ggml-legacy', reasons: ['not-a-model'] });

  // ---- ONNX (formats.md §4)
  add('benign-matmul.onnx', 'ONNX: y = x @ W (MatMul), W float32 (2, 3) inline, opset 17', onnxMatMul(), {
    verdict: 'safe', format: 'onnx', tensors: [['W', 'float32', [2, 3]]], metadata: { 'onnx.ir_version': 8, 'onnx.opset': 17, 'onnx.producer_name': 'modellint-fixtures' },
  });
  add('onnx-external-traversal.onnx', 'ONNX initializer stored externally at ../../etc/passwd (CVE-2022-25882 class)', onnxMatMul({ external: [['location', '../../etc/passwd'], ['offset', '0'], ['length', '24']] }), {
    verdict: 'dangerous', format: 'onnx', reasons: ['path-traversal'], references: [['onnx-external-data', 'escapes']],
  });
  add('onnx-external-absolute.onnx', 'ONNX initializer stored externally at the absolute path /etc/shadow', onnxMatMul({ external: [['location', '/etc/shadow']] }), {
    verdict: 'dangerous', format: 'onnx', reasons: ['path-traversal'], references: [['onnx-external-data', 'escapes']],
  });
  add('onnx-external-unknown-key.onnx', 'ONNX external data in weights.bin (inside) with an unknown key __class__ (CVE-2026-34445 class)', onnxMatMul({ external: [['location', 'weights.bin'], ['length', '24'], ['__class__', 'x']] }), {
    verdict: 'suspicious', format: 'onnx', reasons: ['unknown-external-data-key'], references: [['onnx-external-data', 'inside']],
  });

  // ---- Keras (formats.md §6)
  add('benign-dense.keras', 'Keras v3 archive: Sequential(InputLayer, Dense(2)) with model.weights.h5 (HDF5 written by hand)', kerasArchive(kerasSequential()), {
    verdict: 'safe', format: 'keras', tensors: [['layers/dense/vars/0', 'float32', [4, 2]], ['layers/dense/vars/1', 'float32', [2]]], metadata: { 'keras.version': '3.5.0', 'keras.model_class': 'Sequential' },
  });
  add('keras-lambda.keras', 'Keras v3 archive with a Lambda layer holding a __lambda__ (harmless base64 text standing in for marshalled bytecode)', kerasArchive(kerasSequential([
    kerasLayer('Lambda', { name: 'lambda', trainable: true, dtype: 'float32', function: { class_name: '__lambda__', config: { value: [LAMBDA_CODE, null, null] } }, arguments: {} }),
  ])), { verdict: 'dangerous', format: 'keras', reasons: ['keras-lambda'] });
  add('keras-unsafe-module.keras', 'Keras v3 config naming module "os" and a builtins function reference (CVE-2025-1550 class)', kerasArchive(kerasSequential([
    kerasLayer('Activation', { name: 'act', activation: { module: 'builtins', class_name: 'function', config: 'exec', registered_name: 'function' } }),
    { module: 'os', class_name: 'system', config: { command: 'echo pwned' }, registered_name: null },
  ])), { verdict: 'dangerous', format: 'keras', reasons: ['keras-function-reference', 'keras-unsafe-module'] });
  add('keras-legacy-lambda.h5', 'legacy Keras 2 HDF5 (superblock v0) whose root model_config holds a Lambda with base64-marshal function', kerasLegacyH5([LEGACY_DENSE, LEGACY_LAMBDA]), {
    verdict: 'dangerous', format: 'keras-h5', reasons: ['keras-lambda'], tensors: [['model_weights/dense/dense/kernel:0', 'float32', [4, 2]]], metadata: { 'keras.version': '2.12.0', 'keras.backend': 'tensorflow' },
  });
  add('benign-keras-legacy.h5', 'legacy Keras 2 HDF5 with a Dense layer only', kerasLegacyH5([LEGACY_DENSE]), {
    verdict: 'safe', format: 'keras-h5', tensors: [['model_weights/dense/dense/kernel:0', 'float32', [4, 2]]],
  });
  add('hdf5-external-link.h5', 'HDF5 root group with an external link to ../../etc/secret.h5 (never followed)', hdf5({ links: [['weights', '../../etc/secret.h5', '/x']] }), {
    verdict: 'dangerous', format: 'hdf5', reasons: ['path-traversal'], references: [['hdf5-external-link', 'escapes']],
  });
  add('tokenizer_config.json', 'tokenizer_config.json whose chat_template uses lipsum.__globals__ (CVE-2026-5760 class)', utf8(JSON.stringify({
    tokenizer_class: 'PreTrainedTokenizerFast', chat_template: "{% for m in messages %}{{ m['content'] }}{% endfor %}{{ lipsum.__globals__['os'].popen('echo pwned').read() }}",
  })), { verdict: 'dangerous', format: 'tokenizer-config', reasons: ['template-injection'] });

  // ---- truncated and wrong files
  const benignTorch = torchZip(torchDataPkl(STATE_DICT));
  add('truncated-pickle.pkl', 'a protocol 2 pickle cut in the middle', benignP2().subarray(0, 40), { verdict: 'invalid', format: 'pickle', reasons: ['truncated'] });
  add('truncated-zip.pt', 'a torch zip cut before its central directory', benignTorch.subarray(0, Math.floor(benignTorch.length * 0.6)), { verdict: 'invalid', reasons: ['truncated'] });
  add('git-lfs-pointer.bin', 'a Git LFS pointer instead of the weights', ascii(LFS), { verdict: 'invalid', format: 'git-lfs-pointer', reasons: ['not-a-model'] });
  add('html-404.bin', 'an HTML 404 page saved as a model', ascii(HTML), { verdict: 'invalid', format: 'html', reasons: ['not-a-model'] });
  add('empty.bin', 'an empty file', Buffer.alloc(0), { verdict: 'invalid', format: 'empty', reasons: ['not-a-model'] });
  add('all-zero.bin', '4 KiB of zero bytes', Buffer.alloc(4096), { verdict: 'invalid', format: 'all-zero', reasons: ['not-a-model'] });
  return list;
}

/** The writers, for tests that build their own inputs (fuzzing, limits, large files). */
export const writers = {
  Pickle, P, framed4, deflateStored, zlibStored, crc32, zip, npy, f32, f64, i64, f16, torchDataPkl, torchZip, osSystemP2, legacyTorch, joblibFile, STATE_DICT,
  safetensors, SAFETENSORS_TENSORS, gguf, GGUF, ggufModel, BENIGN_CHAT_TEMPLATE, SSTI_CHAT_TEMPLATE, pbVarint, pbInt, pbMsg, pbStr, onnxMatMul,
  hdf5, kerasSequential, kerasLayer, kerasArchive, kerasWeightsH5, kerasLegacyH5, LEGACY_DENSE, LEGACY_LAMBDA, LAMBDA_CODE,
};

function main() {
  const check = process.argv.includes('--check');
  const fixtures = buildFixtures();
  const manifest = fixtures.map(({ name, description, bytes, expect }) => ({ name, description, size: bytes.length, expect }));
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  if (check) {
    const stale = fixtures.filter((f) => { try { return !readFileSync(join(FIXTURE_DIR, f.name)).equals(f.bytes); } catch { return true; } }).map((f) => f.name);
    let manifestStale = false;
    try { manifestStale = readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8') !== manifestText; } catch { manifestStale = true; }
    if (stale.length || manifestStale) {
      console.error(`stale model fixtures: ${[...stale, ...(manifestStale ? ['manifest.json'] : [])].join(', ')}\nrun: node scripts/make-model-fixtures.mjs`);
      process.exit(1);
    }
    console.log(`${fixtures.length} model fixtures are up to date`);
    return;
  }
  mkdirSync(FIXTURE_DIR, { recursive: true });
  // real/ holds files written by the Python libraries (real/generate.py); they are not generated here
  const keep = new Set([...fixtures.map((f) => f.name), 'manifest.json', 'real']);
  for (const old of readdirSync(FIXTURE_DIR)) if (!keep.has(old)) rmSync(join(FIXTURE_DIR, old));
  for (const f of fixtures) writeFileSync(join(FIXTURE_DIR, f.name), f.bytes);
  writeFileSync(join(FIXTURE_DIR, 'manifest.json'), manifestText);
  console.log(`wrote ${fixtures.length} model fixtures to ${FIXTURE_DIR}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
