/**
 * A small central-directory ZIP reader over a ByteSource (formats.md §0 rule 3, §2.1, §10):
 * EOCD search in the last 64 KiB + 22 bytes, ZIP64 locator/EOCD64, central-directory entries, and
 * the local header read only to find where an entry's data starts. Tolerant like torch/miniz and
 * picklescan's RelaxedZipFile — flag bits, local names and CRCs never stop it — but every such
 * anomaly is reported, because scanners and loaders that disagree on them have been bypassed
 * (CVE-2025-1944, CVE-2025-1945, CVE-2025-10156).
 */
import * as zlib from 'node:zlib';
import { MemoryByteSource, SliceByteSource, type ByteSource } from '../byte-source';
import type { ScanLimits } from '../limits';
import { crc32 as crc32Js } from './crc32';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;

const nativeCrc = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
export const crc32 = (d: Uint8Array): number => (nativeCrc ? nativeCrc(d, 0) >>> 0 : crc32Js(d));

export type ZipAnomalyKind =
  | 'flag-encrypted' | 'flag-patched' | 'flag-strong-encryption' | 'name-mismatch' | 'crc-mismatch' | 'duplicate-name'
  | 'overlap' | 'trailing-data' | 'prefix-data' | 'bad-local-header' | 'size-mismatch' | 'unsupported-method'
  | 'entry-count-mismatch' | 'central-directory-size' | 'entries-capped' | 'high-ratio' | 'deflate-truncated'
  | 'entry-out-of-bounds' | 'suspicious-name';

export interface ZipAnomaly {
  kind: ZipAnomalyKind;
  entry?: string;
  message: string;
}

export interface ZipEntry {
  index: number;
  name: string;
  nameBytes: Buffer;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Absolute offset of the local header in the source (archive prefix already added). */
  localHeaderOffset: number;
  /** Set once the local header was read. */
  dataOffset?: number;
  /** What content sniffing found, when the entry was examined (for the report). */
  content?: string;
  /** Set when the entry's data was read. */
  read?: boolean;
}

export interface ZipArchive {
  source: ByteSource;
  entries: ZipEntry[];
  declaredEntryCount: number;
  zip64: boolean;
  /** Absolute offset of the central directory. */
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  eocdOffset: number;
  /** Bytes before the archive's logical start (junk prefix / polyglot). */
  prefixBytes: number;
  /** Offset of the first local header (≥ prefixBytes). */
  firstEntryOffset: number;
  trailingBytes: number;
  comment: string;
  anomalies: ZipAnomaly[];
}

export type ZipOpenResult = { ok: true; zip: ZipArchive } | { ok: false; error: string; truncated: boolean };

/** Finds the end-of-central-directory record; undefined when there is none. */
export function findEocd(source: ByteSource): { offset: number; commentLength: number; tail: Buffer; tailStart: number } | undefined {
  if (source.size < 22) return undefined;
  const tailLen = Math.min(source.size, 0xffff + 22);
  const tailStart = source.size - tailLen;
  const tail = source.read(tailStart, tailLen);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] !== 0x50 || tail[i + 1] !== 0x4b || tail[i + 2] !== 0x05 || tail[i + 3] !== 0x06) continue;
    const commentLength = tail.readUInt16LE(i + 20);
    if (i + 22 + commentLength <= tail.length) return { offset: tailStart + i, commentLength, tail, tailStart };
  }
  return undefined;
}

/** Reads the archive's central directory. Never throws on malformed input. */
export function openZip(source: ByteSource, limits: ScanLimits): ZipOpenResult {
  const eocd = findEocd(source);
  if (!eocd) return { ok: false, error: 'no end-of-central-directory record (truncated or not a zip)', truncated: true };
  const anomalies: ZipAnomaly[] = [];
  const rec = eocd.tail.subarray(eocd.offset - eocd.tailStart, eocd.offset - eocd.tailStart + 22);
  let declaredEntryCount = rec.readUInt16LE(10);
  let cdSize = rec.readUInt32LE(12);
  let cdOffset = rec.readUInt32LE(16);
  const comment = eocd.tail.subarray(eocd.offset - eocd.tailStart + 22, eocd.offset - eocd.tailStart + 22 + eocd.commentLength).toString('latin1');
  const trailingBytes = source.size - (eocd.offset + 22 + eocd.commentLength);
  let zip64 = false;
  let cdEnd = eocd.offset; // where the central directory should end (start of EOCD64 or EOCD)

  // ZIP64: the locator sits right before the EOCD, the EOCD64 record right before the locator
  if (eocd.offset >= 20) {
    const loc = source.read(eocd.offset - 20, 20);
    if (loc.length === 20 && loc.readUInt32LE(0) === SIG_LOCATOR64) {
      const declared = Number(loc.readBigUInt64LE(8));
      const candidates = [eocd.offset - 20 - 56, declared];
      for (const at of candidates) {
        if (!Number.isSafeInteger(at) || at < 0 || at + 56 > source.size) continue;
        const r = source.read(at, 56);
        if (r.length === 56 && r.readUInt32LE(0) === SIG_EOCD64) {
          zip64 = true;
          const count = r.readBigUInt64LE(32);
          const size = r.readBigUInt64LE(40);
          const off = r.readBigUInt64LE(48);
          if (count > BigInt(Number.MAX_SAFE_INTEGER) || size > BigInt(Number.MAX_SAFE_INTEGER) || off > BigInt(Number.MAX_SAFE_INTEGER)) {
            return { ok: false, error: 'ZIP64 end record declares sizes beyond the file', truncated: false };
          }
          declaredEntryCount = Number(count);
          cdSize = Number(size);
          cdOffset = Number(off);
          cdEnd = at;
          break;
        }
      }
      if (!zip64) anomalies.push({ kind: 'central-directory-size', message: 'ZIP64 locator present but no valid ZIP64 end record' });
    }
  }

  // Junk before the archive: the central directory is found relative to where it should end.
  let prefix = cdEnd - cdSize - cdOffset;
  if (prefix < 0) {
    if (cdOffset + cdSize > source.size) return { ok: false, error: `central directory (${cdSize} bytes at ${cdOffset}) lies beyond the end of the file`, truncated: true };
    anomalies.push({ kind: 'central-directory-size', message: `central directory ends at ${cdOffset + cdSize}, after the end record at ${cdEnd}` });
    prefix = 0;
  }
  const cdStart = cdOffset + prefix;
  if (cdSize > limits.zipCentralDirectoryBytes) return { ok: false, error: `central directory of ${cdSize} bytes exceeds the ${limits.zipCentralDirectoryBytes}-byte cap`, truncated: false };
  const cd = source.read(cdStart, cdSize);
  if (cd.length < cdSize) return { ok: false, error: 'central directory is truncated', truncated: true };

  const entries: ZipEntry[] = [];
  let pos = 0;
  while (pos + 46 <= cd.length) {
    if (cd.readUInt32LE(pos) !== SIG_CENTRAL) break;
    const flags = cd.readUInt16LE(pos + 8);
    const method = cd.readUInt16LE(pos + 10);
    const crc = cd.readUInt32LE(pos + 16);
    let compressedSize = cd.readUInt32LE(pos + 20);
    let uncompressedSize = cd.readUInt32LE(pos + 24);
    const nameLen = cd.readUInt16LE(pos + 28);
    const extraLen = cd.readUInt16LE(pos + 30);
    const commentLen = cd.readUInt16LE(pos + 32);
    let localOffset = cd.readUInt32LE(pos + 42);
    const next = pos + 46 + nameLen + extraLen + commentLen;
    if (next > cd.length) break;
    const nameBytes = cd.subarray(pos + 46, pos + 46 + nameLen);
    const extra = cd.subarray(pos + 46 + nameLen, pos + 46 + nameLen + extraLen);
    // ZIP64 extended information extra field
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const size = extra.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number | undefined => {
          if (q + 8 > e + 4 + size || q + 8 > extra.length) return undefined;
          const v = extra.readBigUInt64LE(q);
          q += 8;
          return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take() ?? uncompressedSize;
        if (compressedSize === 0xffffffff) compressedSize = take() ?? compressedSize;
        if (localOffset === 0xffffffff) localOffset = take() ?? localOffset;
      }
      e += 4 + size;
    }
    const name = flags & 0x800 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
    if (entries.length >= limits.zipEntries) {
      anomalies.push({ kind: 'entries-capped', message: `more than ${limits.zipEntries} entries; the rest were not listed or examined` });
      break;
    }
    entries.push({ index: entries.length, name, nameBytes, method, flags, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset: localOffset + prefix });
    pos = next;
  }
  if (entries.length !== declaredEntryCount && !anomalies.some((a) => a.kind === 'entries-capped')) {
    anomalies.push({ kind: 'entry-count-mismatch', message: `end record declares ${declaredEntryCount} entries, the central directory holds ${entries.length}` });
  }
  if (pos !== cd.length && !anomalies.some((a) => a.kind === 'entries-capped')) {
    anomalies.push({ kind: 'central-directory-size', message: `${cd.length - pos} unparsed bytes in the central directory` });
  }

  // per-entry and archive-level checks from the central directory alone
  const seen = new Map<string, number>();
  for (const e of entries) {
    if (e.flags & 0x1) anomalies.push({ kind: 'flag-encrypted', entry: e.name, message: `entry "${e.name}" has the encryption flag (0x1) set; torch ignores it, Python's zipfile refuses the entry (CVE-2025-1945)` });
    if (e.flags & 0x20) anomalies.push({ kind: 'flag-patched', entry: e.name, message: `entry "${e.name}" has the compressed-patched-data flag (0x20) set (CVE-2025-1945)` });
    if (e.flags & 0x40) anomalies.push({ kind: 'flag-strong-encryption', entry: e.name, message: `entry "${e.name}" has the strong-encryption flag (0x40) set (CVE-2025-1945)` });
    if (e.method !== 0 && e.method !== 8) anomalies.push({ kind: 'unsupported-method', entry: e.name, message: `entry "${e.name}" uses compression method ${e.method}; it cannot be examined` });
    if (e.method === 0 && e.compressedSize !== e.uncompressedSize) anomalies.push({ kind: 'size-mismatch', entry: e.name, message: `stored entry "${e.name}" has compressed size ${e.compressedSize} ≠ uncompressed size ${e.uncompressedSize}` });
    if (/(^|[\\/])\.\.([\\/]|$)/.test(e.name) || e.name.startsWith('/') || /^[A-Za-z]:/.test(e.name) || e.name.includes('\u0000')) {
      anomalies.push({ kind: 'suspicious-name', entry: e.name, message: `entry name "${e.name}" is absolute or escapes the archive (path traversal if extracted)` });
    }
    if (e.localHeaderOffset + 30 + e.nameBytes.length + e.compressedSize > cdStart) {
      anomalies.push({ kind: 'entry-out-of-bounds', entry: e.name, message: `entry "${e.name}" (${e.compressedSize} bytes at ${e.localHeaderOffset}) runs into the central directory or past the file` });
    }
    seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
  }
  for (const [name, n] of seen) {
    if (n > 1) anomalies.push({ kind: 'duplicate-name', entry: name, message: `${n} entries are named "${name}"; readers disagree on which one they use (all were examined)` });
  }
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i + 1 < byOffset.length; i++) {
    const a = byOffset[i];
    const b = byOffset[i + 1];
    if (b.localHeaderOffset < a.localHeaderOffset + 30 + a.nameBytes.length + a.compressedSize) {
      anomalies.push({ kind: 'overlap', entry: b.name, message: `entries "${a.name}" and "${b.name}" overlap (local headers at ${a.localHeaderOffset} and ${b.localHeaderOffset})` });
      if (anomalies.length > 10_000) break;
    }
  }
  const firstEntryOffset = byOffset.length > 0 ? byOffset[0].localHeaderOffset : cdStart;
  if (prefix > 0) anomalies.push({ kind: 'prefix-data', message: `${prefix} bytes precede the archive (junk prefix or polyglot); Python's zipfile still opens it, torch does not` });
  else if (firstEntryOffset > 0) anomalies.push({ kind: 'prefix-data', message: `${firstEntryOffset} bytes before the first entry are not part of any entry` });
  if (trailingBytes > 0) anomalies.push({ kind: 'trailing-data', message: `${trailingBytes} bytes follow the end-of-central-directory record` });

  return {
    ok: true,
    zip: {
      source, entries, declaredEntryCount, zip64, centralDirectoryOffset: cdStart, centralDirectorySize: cdSize, eocdOffset: eocd.offset,
      prefixBytes: prefix, firstEntryOffset, trailingBytes, comment, anomalies,
    },
  };
}

/** Reads the local header of `entry` (sets `dataOffset`); reports a name mismatch. */
export function locateData(zip: ZipArchive, entry: ZipEntry): { ok: true; dataOffset: number } | { ok: false; error: string } {
  if (entry.dataOffset !== undefined) return { ok: true, dataOffset: entry.dataOffset };
  const h = zip.source.read(entry.localHeaderOffset, 30);
  if (h.length < 30 || h.readUInt32LE(0) !== SIG_LOCAL) {
    zip.anomalies.push({ kind: 'bad-local-header', entry: entry.name, message: `entry "${entry.name}": no local header at ${entry.localHeaderOffset}` });
    return { ok: false, error: `no local header at ${entry.localHeaderOffset}` };
  }
  const nameLen = h.readUInt16LE(26);
  const extraLen = h.readUInt16LE(28);
  const localName = zip.source.read(entry.localHeaderOffset + 30, nameLen);
  if (!localName.equals(entry.nameBytes)) {
    zip.anomalies.push({ kind: 'name-mismatch', entry: entry.name, message: `entry "${entry.name}" is named "${localName.toString('latin1')}" in its local header; torch uses the central directory name, Python's zipfile refuses (CVE-2025-1944)` });
  }
  const dataOffset = entry.localHeaderOffset + 30 + nameLen + extraLen;
  if (dataOffset + entry.compressedSize > zip.source.size) {
    return { ok: false, error: `data of "${entry.name}" (${entry.compressedSize} bytes at ${dataOffset}) runs past the end of the file` };
  }
  entry.dataOffset = dataOffset;
  return { ok: true, dataOffset };
}

export interface EntryContent {
  /** The entry's (uncompressed) bytes: a slice of the file for large stored entries, else memory. */
  source: ByteSource;
  /** False when the data is only a prefix (truncated deflate stream). */
  complete: boolean;
}

/** Opens an entry's data, inflating deflate entries with `maxOutputLength` = `cap`. Never throws. */
export function openEntry(zip: ZipArchive, entry: ZipEntry, cap: number, limits: ScanLimits): { ok: true; content: EntryContent } | { ok: false; error: string } {
  const loc = locateData(zip, entry);
  if (!loc.ok) return loc;
  entry.read = true;
  if (entry.method === 0) {
    if (entry.compressedSize > cap) return { ok: false, error: `entry "${entry.name}" is ${entry.compressedSize} bytes, over the ${cap}-byte cap` };
    if (entry.compressedSize > limits.crcCheckBytes) {
      return { ok: true, content: { source: new SliceByteSource(zip.source, loc.dataOffset, entry.compressedSize), complete: true } };
    }
    const data = zip.source.read(loc.dataOffset, entry.compressedSize);
    checkCrc(zip, entry, data);
    return { ok: true, content: { source: new MemoryByteSource(data), complete: data.length === entry.compressedSize } };
  }
  if (entry.method !== 8) return { ok: false, error: `entry "${entry.name}" uses unsupported compression method ${entry.method}` };
  if (entry.compressedSize > cap) return { ok: false, error: `entry "${entry.name}" is ${entry.compressedSize} compressed bytes, over the ${cap}-byte cap` };
  const packed = zip.source.read(loc.dataOffset, entry.compressedSize);
  let out: Buffer;
  let complete = true;
  try {
    out = zlib.inflateRawSync(packed, { maxOutputLength: Math.max(1, cap) });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) return { ok: false, error: `entry "${entry.name}" inflates beyond the ${cap}-byte cap (possible zip bomb)` };
    try {
      out = zlib.inflateRawSync(packed, { maxOutputLength: Math.max(1, cap), finishFlush: zlib.constants.Z_SYNC_FLUSH });
      complete = false;
      zip.anomalies.push({ kind: 'deflate-truncated', entry: entry.name, message: `deflate data of "${entry.name}" is truncated or corrupt (${(e as Error).message}); ${out.length} bytes recovered` });
    } catch {
      return { ok: false, error: `entry "${entry.name}" cannot be inflated: ${(e as Error).message}` };
    }
  }
  if (complete && out.length !== entry.uncompressedSize) {
    zip.anomalies.push({ kind: 'size-mismatch', entry: entry.name, message: `entry "${entry.name}" inflates to ${out.length} bytes, the central directory says ${entry.uncompressedSize}` });
  }
  if (entry.compressedSize > 0 && out.length / entry.compressedSize > limits.inflateRatioWarning) {
    zip.anomalies.push({ kind: 'high-ratio', entry: entry.name, message: `entry "${entry.name}" inflates ${Math.round(out.length / entry.compressedSize)}× (${entry.compressedSize} → ${out.length} bytes): possible zip bomb` });
  }
  if (complete) checkCrc(zip, entry, out);
  return { ok: true, content: { source: new MemoryByteSource(out), complete } };
}

function checkCrc(zip: ZipArchive, entry: ZipEntry, data: Buffer): void {
  const actual = crc32(data);
  if (actual !== entry.crc32) {
    zip.anomalies.push({ kind: 'crc-mismatch', entry: entry.name, message: `entry "${entry.name}" has CRC-32 ${hex(actual)}, the central directory says ${hex(entry.crc32)}; torch ignores CRCs, Python's zipfile raises (CVE-2025-10156)` });
  }
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** The first `n` uncompressed bytes of an entry (partial inflate for deflate entries), for sniffing. */
export function entryHead(zip: ZipArchive, entry: ZipEntry, n: number): Buffer | undefined {
  const loc = locateData(zip, entry);
  if (!loc.ok) return undefined;
  if (entry.method === 0) return zip.source.read(loc.dataOffset, Math.min(n, entry.compressedSize));
  if (entry.method !== 8) return undefined;
  let best: Buffer | undefined;
  for (const take of [256, 4096, 65536]) {
    const packed = zip.source.read(loc.dataOffset, Math.min(take, entry.compressedSize));
    try {
      best = zlib.inflateRawSync(packed, { maxOutputLength: 80 * 1024 * 1024, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      return best;
    }
    if (best.length >= n || packed.length >= entry.compressedSize) break;
  }
  return best?.subarray(0, n);
}
