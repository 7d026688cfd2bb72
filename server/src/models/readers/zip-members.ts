/**
 * Examines zip members by content (never by name: CVE-2025-1889): pickles in any member are
 * disassembled (also protocol 0/1 pickles without a PROTO prefix), nested archives and compressed
 * members are opened one nesting level deeper, npy members are parsed, and members that can refer
 * to other files or carry templates (GGUF, ONNX, HDF5, safetensors, JSON) are read by their readers
 * — stored ones in place, without reading their tensor data.
 */
import { SliceByteSource } from '../byte-source';
import { HEAD_BYTES, sniff } from '../detect';
import type { InspectContext } from '../inspect-context';
import type { CandidateKind } from '../types';
import { entryHead, locateData, openEntry, type ZipArchive, type ZipEntry } from '../zip/zip-reader';

/** Member contents that can carry code or hide other content, so they are opened. */
const OPENED: ReadonlySet<CandidateKind> = new Set(['pickle', 'pytorch-legacy', 'zip', 'npy', 'gzip', 'zlib', 'bz2', 'xz', 'lz4', 'zstd', 'joblib-zf', 'safetensors', 'gguf', 'ggml-legacy', 'onnx', 'hdf5', 'json']);
/** Of those, formats read with positional reads: a stored member is examined in place (no full read). */
const IN_PLACE: ReadonlySet<CandidateKind> = new Set(['safetensors', 'gguf', 'onnx', 'hdf5']);
/** Of those, the ones that are containers (examined one nesting level deeper). */
const CONTAINERS: ReadonlySet<CandidateKind> = new Set(['zip', 'gzip', 'zlib', 'bz2', 'xz', 'lz4', 'zstd', 'joblib-zf']);

/** Sniffs one member and, when it can carry code, examines it. Returns the sniffed kind. */
export function scanZipMember(ctx: InspectContext, zip: ZipArchive, e: ZipEntry): CandidateKind | undefined {
  if (e.name.endsWith('/') || e.uncompressedSize === 0) return undefined;
  const head = entryHead(zip, e, HEAD_BYTES);
  if (!head) return undefined;
  const cands = sniff(head, e.uncompressedSize);
  const kind = cands.find((c) => OPENED.has(c.kind))?.kind;
  e.content = kind ?? cands[0]?.kind ?? 'data';
  if (!kind) return undefined;
  const child = CONTAINERS.has(kind) ? ctx.nested(e.name) : ctx.member(e.name);
  if (!child) {
    ctx.report.add('model-file-suspicious-pickle', 'suspicious', `Member ${JSON.stringify(e.name)} is a nested ${kind} beyond the nesting cap (${ctx.limits.nestingDepth}); it was not examined`, { reason: 'not-inspectable', entry: e.name });
    ctx.report.incomplete(`nested member ${e.name}`);
    return kind;
  }
  if (IN_PLACE.has(kind) && e.method === 0) {
    const loc = locateData(zip, e);
    if (loc.ok) {
      e.read = true;
      child.dispatch(new SliceByteSource(zip.source, loc.dataOffset, e.compressedSize));
      return kind;
    }
  }
  const opened = openEntry(zip, e, ctx.limits.zipPickleEntryBytes, ctx.limits);
  if (!opened.ok) {
    ctx.report.add('model-file-suspicious-pickle', 'suspicious', `Member ${JSON.stringify(e.name)} looks like ${kind} but cannot be read: ${opened.error}`, { reason: 'not-inspectable', entry: e.name });
    ctx.report.incomplete(`member ${e.name}`);
    return kind;
  }
  if (!opened.content.complete) ctx.report.incomplete(`member ${e.name} (damaged compressed data)`);
  child.dispatch(opened.content.source);
  return kind;
}
