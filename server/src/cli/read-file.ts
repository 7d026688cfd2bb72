import * as fs from 'node:fs';

/** Files larger than this are not read at all (architecture.md §13: never read huge files fully). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** How much of the head is searched for NUL bytes to call a file binary. */
const BINARY_PROBE_BYTES = 8192;

export type ReadOutcome = { bytes: Buffer } | { skipped: string };

/**
 * Reads a file with one open/fstat/read/close: the size is checked on the open descriptor
 * before anything is read, so a 50 MB file costs no more than a small one.
 */
export function readBounded(file: string, maxBytes = MAX_FILE_BYTES): ReadOutcome {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    return { skipped: `could not open (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { skipped: 'not a regular file' };
    if (stat.size > maxBytes) return { skipped: `larger than ${Math.round(maxBytes / 1048576)} MiB` };
    const buffer = Buffer.allocUnsafe(stat.size);
    let total = 0;
    while (total < buffer.length) {
      const n = fs.readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
    }
    return { bytes: total === buffer.length ? buffer : buffer.subarray(0, total) };
  } catch (e) {
    return { skipped: `could not read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    fs.closeSync(fd);
  }
}

/** NUL bytes in the head: binary content (or UTF-16/32 text, which Python source never is in practice). */
export function looksBinary(bytes: Buffer): boolean {
  const head = bytes.length > BINARY_PROBE_BYTES ? bytes.subarray(0, BINARY_PROBE_BYTES) : bytes;
  return head.indexOf(0) !== -1;
}

/** UTF-8 decoding that never throws: invalid sequences become U+FFFD; a leading BOM is dropped (editors do not show it). */
export function decodeUtf8(bytes: Buffer): string {
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString('utf8', start);
}
