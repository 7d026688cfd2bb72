/**
 * Compressed files (formats.md §7.2): joblib's zlib/gzip variants are inflated with a cap and
 * examined like any file; bz2/xz/lzma/lz4/zstd and joblib's legacy "ZF" format cannot be
 * decompressed here, so their content (usually a pickle) is reported as not inspectable.
 */
import * as zlib from 'node:zlib';
import { MemoryByteSource, type ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import type { FormatCandidate } from '../types';

/** Inflates a prefix of the input that fits the output cap (halving the input until it does). */
function inflatePrefix(input: Buffer, gzip: boolean, maxOut: number): { data: Buffer; partial: boolean } | { error: string } {
  let take = input.length;
  for (let attempt = 0; attempt < 12 && take > 0; attempt++) {
    const chunk = input.subarray(0, take);
    try {
      const opts = { maxOutputLength: maxOut, finishFlush: zlib.constants.Z_SYNC_FLUSH };
      const data = gzip ? zlib.gunzipSync(chunk, opts) : zlib.inflateSync(chunk, opts);
      return { data, partial: take < input.length };
    } catch (e) {
      if (!((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)) return { error: (e as Error).message };
      take = Math.floor(take / 4);
    }
  }
  return { error: `decompresses beyond ${maxOut} bytes` };
}

export function readCompressed(ctx: InspectContext, source: ByteSource, candidate: FormatCandidate): void {
  const gzip = candidate.kind === 'gzip';
  const input = source.read(0, Math.min(source.size, ctx.limits.compressedInputBytes));
  const out = inflatePrefix(input, gzip, ctx.limits.compressedOutputBytes);
  const what = gzip ? 'gzip-compressed' : 'zlib-compressed';
  if ('error' in out) {
    ctx.setFormat('compressed', `${what} data`);
    ctx.report.malformed('invalid', `${what} data cannot be decompressed: ${out.error}`, { reason: 'parse-error', entry: ctx.entry });
    return;
  }
  const truncatedInput = input.length < source.size;
  if (out.partial || truncatedInput) {
    ctx.report.incomplete(`only the first ${out.data.length} decompressed bytes of the ${what} content were examined`);
  }
  ctx.report.note(`The file is ${what}; offsets in findings refer to the decompressed data.`);
  ctx.setFormat('compressed', `${what} data`);
  const inner = ctx.isTop ? ctx.transformed(what) : ctx.nested(what);
  if (!inner) {
    ctx.report.incomplete(`${what} content beyond the nesting cap`);
    return;
  }
  inner.dispatch(new MemoryByteSource(out.data));
}

const NAMES: Record<string, string> = { bz2: 'bzip2', xz: 'xz', lzma: 'lzma', lz4: 'LZ4', zstd: 'Zstandard', 'joblib-zf': 'joblib "ZF" (zlib, pre-0.9.3)' };

export function readUninspectable(ctx: InspectContext, _source: ByteSource, candidate: FormatCandidate): void {
  const name = NAMES[candidate.kind] ?? candidate.kind;
  ctx.setFormat('compressed', `${name}-compressed data`);
  ctx.report.add('model-file-suspicious-pickle', 'suspicious', `The content is ${name}-compressed and cannot be inspected without decompressing it; joblib and similar loaders decompress and unpickle such files`, { reason: 'not-inspectable', entry: ctx.entry });
  ctx.report.incomplete(`${name}-compressed content`);
}
