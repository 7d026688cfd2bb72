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

// ---------------------------------------------------------------- the fixture list

const LFS = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 438012934\n';
const HTML = '<!DOCTYPE html>\n<html>\n<head><title>404 Not Found</title></head>\n<body><h1>404 Not Found</h1><p>The requested model file was not found.</p></body>\n</html>\n';

/**
 * Fixtures with their expectations:
 *   verdict, format: exact; reasons: finding reasons that must appear; globals: dangerous globals that
 *   must be named in findings; tensors: [name, dtype, shape] that must be listed; anomalies: zip anomaly kinds.
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
export const writers = { Pickle, P, framed4, deflateStored, zlibStored, crc32, zip, npy, f32, f64, i64, torchDataPkl, torchZip, osSystemP2, legacyTorch, joblibFile, STATE_DICT };

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
  const keep = new Set([...fixtures.map((f) => f.name), 'manifest.json']);
  for (const old of readdirSync(FIXTURE_DIR)) if (!keep.has(old)) rmSync(join(FIXTURE_DIR, old));
  for (const f of fixtures) writeFileSync(join(FIXTURE_DIR, f.name), f.bytes);
  writeFileSync(join(FIXTURE_DIR, 'manifest.json'), manifestText);
  console.log(`wrote ${fixtures.length} model fixtures to ${FIXTURE_DIR}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
