/**
 * Files that are not models at all, with messages that say what happened (formats.md §7.6, §8):
 * a Git LFS pointer instead of the weights, an HTML error page saved by a failed download, an
 * empty or all-zero file.
 */
import type { ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import type { FormatCandidate } from '../types';

export function readLfsPointer(ctx: InspectContext, source: ByteSource): void {
  const text = source.read(0, 1024).toString('utf8');
  const oid = /^oid sha256:([0-9a-f]{64})\s*$/m.exec(text)?.[1];
  const size = /^size (\d+)\s*$/m.exec(text)?.[1];
  const version = /^version (\S+)\s*$/m.exec(text)?.[1];
  ctx.setFormat('git-lfs-pointer', 'Git LFS pointer file');
  if (ctx.isTop) {
    if (version) ctx.report.meta('lfs.version', version);
    if (oid) ctx.report.meta('lfs.oid', `sha256:${oid}`);
    if (size) ctx.report.meta('lfs.size', Number(size));
  }
  ctx.report.malformed('invalid', `This is a Git LFS pointer (${source.size} bytes), not the model: the real file${size ? ` (${Number(size).toLocaleString('en-US')} bytes)` : ''} was never downloaded. Run \`git lfs pull\` (or download the file itself).`, { reason: 'not-a-model', entry: ctx.entry });
}

export function readHtml(ctx: InspectContext, source: ByteSource): void {
  const text = source.read(0, 16 * 1024).toString('utf8');
  const title = /<title[^>]*>([^<]{0,300})/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim();
  ctx.setFormat('html', 'HTML document');
  if (ctx.isTop && title) ctx.report.meta('html.title', title.slice(0, 200));
  ctx.report.malformed('invalid', `This is an HTML page${title ? ` (title: ${JSON.stringify(title.slice(0, 80))})` : ''}, not a model: most likely an error or login page saved by a failed download.`, { reason: 'not-a-model', entry: ctx.entry });
}

export function readEmpty(ctx: InspectContext): void {
  ctx.setFormat('empty', 'empty file');
  ctx.report.malformed('invalid', 'The file is empty (0 bytes): an interrupted or failed download.', { reason: 'not-a-model', entry: ctx.entry });
}

export function readAllZero(ctx: InspectContext, source: ByteSource, candidate: FormatCandidate): void {
  ctx.setFormat('all-zero', 'all-zero bytes');
  const sampled = candidate.note === 'sampled' ? ' (sampled at the start, the end and 7 points in between)' : '';
  ctx.report.malformed('invalid', `The file's ${source.size.toLocaleString('en-US')} bytes are all zero${sampled}: a pre-allocated or unfinished download, not a model.`, { reason: 'not-a-model', entry: ctx.entry });
}
