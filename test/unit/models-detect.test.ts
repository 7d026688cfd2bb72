/**
 * Detection by content (never by extension), the .npy header parser, compressed files, and the
 * formats that are detected but have no reader yet.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { MemoryByteSource } from '../../server/src/models/byte-source';
import { detectFormats, sniff } from '../../server/src/models/detect';
import { inspectBytes } from '../../server/src/models/inspect';
import { parseNpyHeader, parsePythonLiteral } from '../../server/src/models/readers/numpy';
import { parseDescr, parseDescrString } from '../../server/src/models/readers/numpy-dtype';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
interface Writers {
  npy: (descr: string, shape: number[], data: Buffer) => Buffer;
  osSystemP2: () => Buffer;
  zip: (entries: { name: string; data: Buffer }[]) => Buffer;
  joblibFile: () => Buffer;
}
async function writers(): Promise<Writers> {
  return ((await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'make-model-fixtures.mjs')).href)) as { writers: Writers }).writers;
}

const kinds = (b: Buffer) => detectFormats(new MemoryByteSource(b)).map((c) => c.kind);

function safetensors(): Buffer {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }).padEnd(48, ' '));
  const n = Buffer.alloc(8);
  n.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([n, header, Buffer.alloc(4)]);
}

describe('content detection', () => {
  it('recognizes formats by their bytes', async () => {
    const { npy, osSystemP2, zip } = await writers();
    assert.deepEqual(kinds(osSystemP2()), ['pickle']);
    assert.deepEqual(kinds(Buffer.from("cos\nsystem\n(S'x'\ntR.")), ['pickle']);
    assert.deepEqual(kinds(Buffer.from('(dp0\nVa\np1\nI1\ns.')), ['pickle']);
    assert.deepEqual(kinds(npy('<f4', [1], Buffer.alloc(4))), ['npy']);
    assert.deepEqual(kinds(zip([{ name: 'a', data: Buffer.from('x') }])), ['zip']);
    assert.deepEqual(kinds(safetensors()), ['safetensors']);
    assert.deepEqual(kinds(Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(16)])), ['gguf']);
    assert.deepEqual(kinds(Buffer.from([0x08, 0x07, 0x12, 0x07, ...Buffer.from('pytorch'), 0x1a, 0x03])), ['onnx']);
    assert.deepEqual(kinds(zlib.gzipSync(Buffer.from('x'))), ['gzip']);
    assert.deepEqual(kinds(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])), ['xz']);
    assert.ok(kinds(Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize 1\n')).includes('git-lfs-pointer'));
    assert.ok(kinds(Buffer.from('\uFEFF  <!doctype HTML><html><title>x</title>')).includes('html'));
    assert.deepEqual(kinds(Buffer.alloc(0)), ['empty']);
    assert.deepEqual(kinds(Buffer.alloc(100_000)), ['all-zero']);
    assert.deepEqual(kinds(Buffer.from('just some text file\n')), []);
  });

  it('finds HDF5 superblocks after a user block and zips after junk', async () => {
    const { zip } = await writers();
    const h5 = Buffer.concat([Buffer.alloc(1024, 0x20), Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)]);
    const c = detectFormats(new MemoryByteSource(h5));
    assert.deepEqual(c.map((x) => [x.kind, x.offset]), [['hdf5', 1024]]);
    const junk = Buffer.concat([Buffer.from('junk junk junk'), zip([{ name: 'a', data: Buffer.from('x') }])]);
    assert.deepEqual(kinds(junk), ['zip-eocd']);
  });

  it('sees a pickle+zip polyglot as both', async () => {
    const { osSystemP2, zip } = await writers();
    assert.deepEqual(kinds(Buffer.concat([osSystemP2(), zip([{ name: 'a', data: Buffer.from('x') }])])), ['pickle', 'zip-eocd']);
  });

  it('checks the legacy torch magic', () => {
    const c = sniff(Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]), 15);
    assert.deepEqual(c.map((x) => x.kind), ['pytorch-legacy']);
  });

  it('reports recognized formats that have no reader yet as not fully examined', () => {
    const tar = Buffer.alloc(1024);
    Buffer.from('model.pkl').copy(tar, 0);
    Buffer.from('ustar').copy(tar, 257);
    const r = inspectBytes(tar);
    assert.equal(r.format, 'tar');
    assert.equal(r.complete, false);
    assert.equal(r.verdict, 'suspicious');
    assert.equal(inspectBytes(safetensors()).verdict, 'safe', 'safetensors has a reader');
    const unknown = inspectBytes(Buffer.from('just some text file\n'));
    assert.equal(unknown.format, 'unknown');
    assert.equal(unknown.verdict, 'invalid');
  });
});

describe('npy header parser', () => {
  it('parses the dict literal strictly, without eval', () => {
    assert.deepEqual(parsePythonLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), { descr: '<f4', fortran_order: false, shape: [2, 3] });
    assert.deepEqual(parsePythonLiteral("{'descr': [('x', '<f4'), ('y', '<i8', (2,))], 'fortran_order': True, 'shape': (), }"), {
      descr: [['x', '<f4'], ['y', '<i8', [2]]], fortran_order: true, shape: [],
    });
    for (const bad of ["{'descr': __import__('os').system('x')}", "{'a': 1} + 1", "{'a': 1, 'a': 2}", "{'a': f'x'}", "{'a': 1.5}", "{'a'  1}"]) {
      assert.throws(() => parsePythonLiteral(bad), /./, bad);
    }
  });

  it('enforces numpy rules: exact keys, header size, version', async () => {
    const { npy } = await writers();
    const good = parseNpyHeader(npy('<f4', [2, 3], Buffer.alloc(24)), 10_000);
    assert.ok(!('error' in good));
    assert.equal(good.dataOffset, 128, 'header padded to a multiple of 64');
    assert.deepEqual(good.shape, [2, 3]);
    const extraKey = Buffer.from("\x93NUMPY\x01\x00\x40\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}          \n", 'latin1');
    const e1 = parseNpyHeader(extraKey, 10_000);
    assert.ok('error' in e1 && /keys/.test(e1.error));
    const huge = Buffer.concat([Buffer.from('\x93NUMPY\x02\x00', 'latin1'), Buffer.from([0x20, 0x4e, 0, 0])]);
    const e2 = parseNpyHeader(huge, 10_000);
    assert.ok('error' in e2 && /limit/.test(e2.error));
    assert.ok('error' in parseNpyHeader(Buffer.from('\x93NUMPY\x09\x00', 'latin1'), 10_000));
  });

  it('decodes dtypes', () => {
    assert.deepEqual(parseDescrString('<f4'), { dtype: 'float32', itemsize: 4, hasObject: false, byteorder: '<' });
    assert.equal(parseDescrString('|O')?.hasObject, true);
    assert.equal(parseDescrString('<U10')?.itemsize, 40);
    assert.equal(parseDescrString('<M8[ns]')?.dtype, 'datetime64[ns]');
    assert.equal(parseDescrString('<f3'), undefined);
    assert.equal(parseDescr([['a', '<f4'], ['b', '|O']])?.hasObject, true);
    assert.equal(parseDescr([['a', '<f4'], ['b', '<i2', [3]]])?.itemsize, 10);
  });

  it('reports truncated and over-long array data', async () => {
    const { npy } = await writers();
    const short = inspectBytes(npy('<f8', [10], Buffer.alloc(40)));
    assert.equal(short.verdict, 'invalid');
    assert.equal(short.numpy?.expectedDataBytes, 80);
    assert.equal(short.numpy?.actualDataBytes, 40);
    const long = inspectBytes(npy('<f8', [1], Buffer.alloc(16)));
    assert.equal(long.verdict, 'suspicious');
  });
});

describe('compressed files', () => {
  it('inflates zlib/gzip joblib files and scans the pickle inside', async () => {
    const { osSystemP2, joblibFile } = await writers();
    const evil = inspectBytes(zlib.gzipSync(osSystemP2()));
    assert.equal(evil.verdict, 'dangerous');
    assert.match(evil.variant, /^gzip-compressed pickle/);
    const good = inspectBytes(zlib.deflateSync(joblibFile()));
    assert.equal(good.verdict, 'safe');
    assert.equal(good.format, 'joblib');
    assert.deepEqual(good.tensors.map((t) => t.name), ['coef']);
  });

  it('says so when the content cannot be decompressed here', () => {
    const r = inspectBytes(Buffer.from([0x04, 0x22, 0x4d, 0x18, 1, 2, 3, 4]));
    assert.equal(r.format, 'compressed');
    assert.equal(r.verdict, 'suspicious');
    assert.ok(r.findings.some((f) => f.detail.reason === 'not-inspectable'));
  });

  it('caps decompression output', () => {
    const bomb = zlib.deflateSync(Buffer.alloc(32 * 1024 * 1024));
    const r = inspectBytes(bomb, { limits: { compressedOutputBytes: 1024 * 1024 } });
    assert.notEqual(r.verdict, 'safe');
    assert.equal(r.complete, false);
  });
});
