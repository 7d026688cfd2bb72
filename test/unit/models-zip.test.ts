/**
 * The central-directory zip reader (formats.md §0 rule 3, §10): EOCD search, ZIP64, tolerance with
 * reported anomalies, bounded inflation, CRC checks.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { MemoryByteSource } from '../../server/src/models/byte-source';
import { inspectBytes } from '../../server/src/models/inspect';
import { DEFAULT_LIMITS } from '../../server/src/models/limits';
import { crc32 as crc32Js } from '../../server/src/models/zip/crc32';
import { crc32, entryHead, findEocd, openEntry, openZip } from '../../server/src/models/zip/zip-reader';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
interface ZipEntrySpec { name: string; data: Buffer; method?: number; flags?: number; localName?: string; crc?: number; descriptor?: boolean }
interface Writers {
  zip: (entries: ZipEntrySpec[], opts?: { align?: boolean; zip64?: boolean; prefix?: Buffer; trailing?: Buffer }) => Buffer;
  osSystemP2: () => Buffer;
}
async function writers(): Promise<Writers> {
  return ((await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'make-model-fixtures.mjs')).href)) as { writers: Writers }).writers;
}

/** A one-entry archive whose member x.pkl holds real deflate output (zlib), with matching sizes and CRC. */
function deflateMember(data: Buffer, packed: Buffer): Buffer {
  const name = Buffer.from('x.pkl');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(20, 4);
  cd.writeUInt16LE(20, 6);
  cd.writeUInt16LE(8, 10);
  cd.writeUInt32LE(crc, 16);
  cd.writeUInt32LE(packed.length, 20);
  cd.writeUInt32LE(data.length, 24);
  cd.writeUInt16LE(name.length, 28);
  const cdOffset = 30 + name.length + packed.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + name.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, name, packed, cd, name, eocd]);
}

describe('zip reader', () => {
  it('computes CRC-32 like zlib', () => {
    const v = Buffer.from('123456789');
    assert.equal(crc32Js(v), 0xcbf43926);
    assert.equal(crc32(v), 0xcbf43926);
  });

  it('finds the end record behind a comment and reads ZIP64 archives', async () => {
    const { zip } = await writers();
    const z = zip([{ name: 'a.txt', data: Buffer.from('hello') }], { zip64: true });
    const withComment = Buffer.concat([z.subarray(0, z.length - 2), Buffer.from([5, 0]), Buffer.from('hello')]);
    const eocd = findEocd(new MemoryByteSource(withComment));
    assert.ok(eocd);
    assert.equal(eocd.commentLength, 5);
    const opened = openZip(new MemoryByteSource(withComment), DEFAULT_LIMITS);
    assert.ok(opened.ok);
    assert.equal(opened.zip.zip64, true);
    assert.equal(opened.zip.comment, 'hello');
    assert.deepEqual(opened.zip.entries.map((e) => e.name), ['a.txt']);
    assert.deepEqual(opened.zip.anomalies, []);
    const content = openEntry(opened.zip, opened.zip.entries[0], 1000, DEFAULT_LIMITS);
    assert.ok(content.ok);
    assert.equal(content.content.source.read(0, 100).toString(), 'hello');
  });

  it('reports anomalies instead of failing', async () => {
    const { zip } = await writers();
    const entries: ZipEntrySpec[] = [
      { name: 'a', data: Buffer.from('1'), flags: 0x41 },
      { name: 'a', data: Buffer.from('2'), localName: 'b', crc: 7 },
      { name: '../escape', data: Buffer.from('3') },
    ];
    const opened = openZip(new MemoryByteSource(zip(entries, { trailing: Buffer.from('tail') })), DEFAULT_LIMITS);
    assert.ok(opened.ok);
    for (const e of opened.zip.entries) openEntry(opened.zip, e, 100, DEFAULT_LIMITS);
    const kinds = new Set(opened.zip.anomalies.map((a) => a.kind));
    for (const k of ['flag-encrypted', 'flag-strong-encryption', 'duplicate-name', 'name-mismatch', 'crc-mismatch', 'suspicious-name', 'trailing-data']) {
      assert.ok(kinds.has(k as never), `${k} in ${[...kinds].join(', ')}`);
    }
  });

  it('finds overlapping entries and a wrong entry count', async () => {
    const { zip } = await writers();
    const z = zip([{ name: 'a', data: Buffer.alloc(100) }, { name: 'b', data: Buffer.alloc(10) }]);
    // point b's local header offset into a's data
    const cd = z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 4);
    z.writeUInt32LE(40, cd + 42);
    z.writeUInt16LE(3, z.length - 22 + 10);
    const opened = openZip(new MemoryByteSource(z), DEFAULT_LIMITS);
    assert.ok(opened.ok);
    const kinds = opened.zip.anomalies.map((a) => a.kind);
    assert.ok(kinds.includes('overlap'));
    assert.ok(kinds.includes('entry-count-mismatch'));
    assert.ok(kinds.includes('bad-local-header') || openEntry(opened.zip, opened.zip.entries[1], 100, DEFAULT_LIMITS).ok === false);
  });

  it('inflates with an output cap and a ratio check (zip bombs)', () => {
    const data = Buffer.alloc(4 * 1024 * 1024, 0x4e);
    const packed = zlib.deflateRawSync(data, { level: 9 });
    const archive = deflateMember(data, packed);
    const opened = openZip(new MemoryByteSource(archive), DEFAULT_LIMITS);
    assert.ok(opened.ok);
    const e = opened.zip.entries[0];
    const capped = openEntry(opened.zip, e, 1024 * 1024, DEFAULT_LIMITS);
    assert.equal(capped.ok, false);
    assert.match((capped as { error: string }).error, /cap/);
    const full = openEntry(opened.zip, e, 8 * 1024 * 1024, DEFAULT_LIMITS);
    assert.ok(full.ok);
    assert.ok(opened.zip.anomalies.some((a) => a.kind === 'high-ratio'));
    const head = entryHead(opened.zip, e, 16);
    assert.equal(head?.toString(), 'N'.repeat(16));
    // the whole file: reported, never thrown
    const r = inspectBytes(archive);
    assert.ok(['suspicious', 'invalid'].includes(r.verdict), r.summary);
  });

  it('recovers what it can from a truncated deflate stream and says so', () => {
    const data = Buffer.from('x'.repeat(5000));
    const packed = zlib.deflateRawSync(data).subarray(0, 10);
    const opened = openZip(new MemoryByteSource(deflateMember(data, packed)), DEFAULT_LIMITS);
    assert.ok(opened.ok);
    const r = openEntry(opened.zip, opened.zip.entries[0], 10_000, DEFAULT_LIMITS);
    if (r.ok) {
      assert.equal(r.content.complete, false);
      assert.ok(opened.zip.anomalies.some((a) => a.kind === 'deflate-truncated'));
    }
  });

  it('refuses a central directory beyond the file, and archives without an end record', async () => {
    const { zip } = await writers();
    const z = zip([{ name: 'a', data: Buffer.from('x') }]);
    z.writeUInt32LE(0x7fffffff, z.length - 22 + 16);
    const r = openZip(new MemoryByteSource(z), DEFAULT_LIMITS);
    assert.equal(r.ok, false);
    assert.equal(openZip(new MemoryByteSource(Buffer.from('PK\x03\x04 not really')), DEFAULT_LIMITS).ok, false);
  });

  it('scans pickle members by content whatever their name (CVE-2025-1889), including protocol 0', async () => {
    const { zip, osSystemP2 } = await writers();
    const p0 = Buffer.from("cos\nsystem\n(S'echo pwned'\ntR.", 'latin1');
    const r = inspectBytes(zip([{ name: 'README.txt', data: p0 }, { name: 'weights.bin', data: osSystemP2() }, { name: 'notes.md', data: Buffer.from('# hello\n') }]));
    assert.equal(r.verdict, 'dangerous');
    const entries = new Set(r.findings.filter((f) => f.detail.global === 'os.system').map((f) => f.detail.entry));
    assert.deepEqual(entries, new Set(['README.txt', 'weights.bin']));
    assert.equal(r.zip?.entries.find((e) => e.name === 'notes.md')?.content, 'data');
  });

  it('examines nested zips one level deeper, up to the nesting cap', async () => {
    const { zip, osSystemP2 } = await writers();
    let z = zip([{ name: 'evil.pkl', data: osSystemP2() }]);
    z = zip([{ name: 'inner.zip', data: z }]);
    const r = inspectBytes(z);
    assert.equal(r.verdict, 'dangerous');
    assert.ok(r.findings.some((f) => f.detail.entry === 'inner.zip > evil.pkl'), r.findings.map((f) => f.detail.entry).join(', '));
    let deep = zip([{ name: 'evil.pkl', data: osSystemP2() }]);
    for (let i = 0; i < 5; i++) deep = zip([{ name: `level${i}.zip`, data: deep }]);
    const rd = inspectBytes(deep);
    assert.notEqual(rd.verdict, 'safe');
    assert.equal(rd.complete, false);
  });
});
