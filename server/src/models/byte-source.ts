/**
 * Bounded positional reads over a model file (formats.md §0 rule 4): readers never load a whole
 * model; they ask for windows at positions, and every byte read is counted for the report.
 */
import * as fs from 'node:fs';

/** Shared counter: sub-sources (slices) add to their parent's count. */
export interface ReadStats { bytes: number; reads: number }

export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /**
   * Up to `length` bytes at `position`, clamped to the end of the source (a short or empty buffer
   * at the end, never an exception for out-of-range positions). The returned buffer may be shared:
   * callers must not modify it.
   */
  read(position: number, length: number): Buffer;
  /** Counter of bytes actually read from the underlying storage. */
  readonly stats: ReadStats;
}

/** Refuse single reads above this; callers cap their windows well below it. */
export const MAX_SINGLE_READ = 512 * 1024 * 1024;

function clamp(size: number, position: number, length: number): [number, number] {
  if (!Number.isFinite(position) || position < 0 || position >= size || !(length > 0)) return [0, 0];
  const n = Math.min(length, size - position, MAX_SINGLE_READ);
  return [position, Math.max(0, Math.floor(n))];
}

/** A file opened read-only; reads with `fs.readSync(fd, buf, 0, n, position)`. Close it when done. */
export class FileByteSource implements ByteSource {
  readonly stats: ReadStats = { bytes: 0, reads: 0 };
  private fd: number | undefined;

  private constructor(fd: number, readonly size: number) {
    this.fd = fd;
  }

  /** Opens `path` if it is a regular file (never a FIFO or device), else throws with a clear message. */
  static open(path: string): FileByteSource {
    // refuse FIFOs and devices before opening (opening a FIFO for reading blocks), and open without blocking
    const pre = fs.statSync(path);
    if (!pre.isFile()) throw Object.assign(new Error('not a regular file'), { code: pre.isDirectory() ? 'EISDIR' : 'ENOTREG' });
    const fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new Error('not a regular file');
      return new FileByteSource(fd, st.size);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Recent small reads (head, tail, central directory…), so re-reads are neither repeated nor counted. */
  private cache: { pos: number; buf: Buffer }[] = [];

  read(position: number, length: number): Buffer {
    const [pos, n] = clamp(this.size, position, length);
    if (n === 0 || this.fd === undefined) return Buffer.alloc(0);
    for (const c of this.cache) {
      if (pos >= c.pos && pos + n <= c.pos + c.buf.length) return c.buf.subarray(pos - c.pos, pos - c.pos + n);
    }
    const buf = this.readUncached(pos, n);
    if (buf.length <= FileByteSource.CACHE_ENTRY) {
      this.cache.push({ pos, buf });
      if (this.cache.length > 4) this.cache.shift();
    }
    return buf;
  }

  private static readonly CACHE_ENTRY = 128 * 1024;

  private readUncached(pos: number, n: number): Buffer {
    if (this.fd === undefined) return Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const r = fs.readSync(this.fd, buf, got, n - got, pos + got);
      if (r <= 0) break; // the file shrank while we read it
      got += r;
    }
    this.stats.bytes += got;
    this.stats.reads += 1;
    return got === n ? buf : buf.subarray(0, got);
  }

  close(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = undefined;
    }
  }
}

/** Bytes already in memory (tests, fuzzing, inflated zip members, decompressed joblib). */
export class MemoryByteSource implements ByteSource {
  readonly stats: ReadStats;
  readonly size: number;

  constructor(private readonly data: Buffer, stats?: ReadStats) {
    this.size = data.length;
    this.stats = stats ?? { bytes: 0, reads: 0 };
  }

  read(position: number, length: number): Buffer {
    const [pos, n] = clamp(this.size, position, length);
    this.stats.bytes += n;
    this.stats.reads += 1;
    return this.data.subarray(pos, pos + n);
  }
}

/** A window [offset, offset + length) of another source, addressed from 0; reads count on the parent. */
export class SliceByteSource implements ByteSource {
  readonly size: number;
  readonly offset: number;

  constructor(readonly parent: ByteSource, offset: number, length: number) {
    const start = Math.max(0, Math.min(offset, parent.size));
    this.offset = start;
    this.size = Math.max(0, Math.min(length, parent.size - start));
  }

  get stats(): ReadStats {
    return this.parent.stats;
  }

  read(position: number, length: number): Buffer {
    const [pos, n] = clamp(this.size, position, length);
    if (n === 0) return Buffer.alloc(0);
    return this.parent.read(this.offset + pos, n);
  }
}

/**
 * The offset in `root` of `position` in `source`, when `source` is `root` or a chain of slices over
 * it (so tensor offsets can be given in file coordinates); undefined for inflated/decompressed data.
 */
export function offsetIn(root: ByteSource, source: ByteSource, position: number): number | undefined {
  let s: ByteSource = source;
  let p = position;
  for (let depth = 0; depth < 64; depth++) {
    if (s === root) return p;
    if (!(s instanceof SliceByteSource)) return undefined;
    p += s.offset;
    s = s.parent;
  }
  return undefined;
}

/**
 * Sequential reader over a source range with a read-ahead window, for parsers that walk a stream
 * (pickle). `skip` moves past large payloads without reading them.
 */
export class SequentialReader {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  pos: number;

  constructor(readonly source: ByteSource, start: number, readonly end: number, private readonly chunk = 64 * 1024) {
    this.pos = start;
  }

  get remaining(): number {
    return Math.max(0, this.end - this.pos);
  }

  /** Ensures `n` bytes at `pos` are in the window; returns false when fewer remain. */
  private ensure(n: number): boolean {
    if (n > this.end - this.pos) return false;
    const off = this.pos - this.windowStart;
    if (off >= 0 && off + n <= this.window.length) return true;
    const want = Math.min(Math.max(n, this.chunk), this.end - this.pos);
    this.window = this.source.read(this.pos, want);
    this.windowStart = this.pos;
    return this.window.length >= n;
  }

  /** Next byte, or -1 at the end. */
  u8(): number {
    if (!this.ensure(1)) return -1;
    const b = this.window[this.pos - this.windowStart];
    this.pos += 1;
    return b;
  }

  /** `n` bytes (a view of the window or a fresh read), or undefined when fewer remain. */
  bytes(n: number): Buffer | undefined {
    if (n < 0 || n > this.end - this.pos) return undefined;
    if (n > this.chunk * 4) {
      const b = this.source.read(this.pos, n);
      if (b.length < n) return undefined;
      this.pos += n;
      return b;
    }
    if (!this.ensure(n)) return undefined;
    const off = this.pos - this.windowStart;
    this.pos += n;
    return this.window.subarray(off, off + n);
  }

  /** Peeks up to `n` bytes without moving. */
  peek(n: number): Buffer {
    const take = Math.min(n, this.end - this.pos);
    if (take <= 0) return Buffer.alloc(0);
    if (!this.ensure(take)) return Buffer.alloc(0);
    const off = this.pos - this.windowStart;
    return this.window.subarray(off, off + take);
  }

  /**
   * The bytes already buffered from `pos` on, refilling the window (one chunk) only when it is
   * exhausted; empty at the end. Does not move. For parsers that scan many small records in bulk.
   */
  buffered(): Buffer {
    const off = this.pos - this.windowStart;
    if (off >= 0 && off < this.window.length) return this.window.subarray(off);
    if (this.pos >= this.end) return Buffer.alloc(0);
    this.window = this.source.read(this.pos, Math.min(this.chunk, this.end - this.pos));
    this.windowStart = this.pos;
    return this.window;
  }

  /** Skips `n` bytes without reading them; false (and no move) when fewer remain. */
  skip(n: number): boolean {
    if (n < 0 || n > this.end - this.pos) return false;
    this.pos += n;
    return true;
  }

  /**
   * Bytes up to (not including) the next '\n', consuming the newline. Undefined when no newline
   * occurs within `max` bytes or before the end.
   */
  line(max: number): { text: Buffer } | { error: 'eof' | 'too-long' } {
    const limit = Math.min(max + 1, this.end - this.pos);
    let scanned = 0;
    while (scanned < limit) {
      const step = Math.min(limit, scanned + this.chunk);
      if (!this.ensure(step)) return { error: 'eof' };
      const off = this.pos - this.windowStart;
      const idx = this.window.indexOf(0x0a, off + scanned);
      if (idx !== -1 && idx < off + step) {
        const len = idx - off;
        const text = this.window.subarray(off, idx);
        this.pos += len + 1;
        return { text };
      }
      scanned = step;
    }
    return limit < max + 1 ? { error: 'eof' } : { error: 'too-long' };
  }
}
