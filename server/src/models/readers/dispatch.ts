/**
 * Chooses readers by content (detect.ts) and runs them; the single registry of format readers.
 *
 * Adding a format: write `readers/<format>.ts` exporting a FormatReader, and register it in
 * READERS under its candidate kind (for zip-based formats, in ZIP_FORMAT_READERS in zip-file.ts).
 * Kinds in DETECTED_ONLY are recognized but have no reader yet: the report names the format and
 * is marked incomplete (verdict at least suspicious) — remove the kind there when its reader lands.
 */
import type { ByteSource } from '../byte-source';
import { detectFormats } from '../detect';
import type { InspectContext } from '../inspect-context';
import type { CandidateKind, FormatCandidate, ModelFormat } from '../types';
import { readCompressed, readUninspectable } from './compressed';
import { readGgmlLegacy, readGguf } from './gguf';
import { readHdf5 } from './hdf5';
import { readJsonFile } from './json-file';
import { readAllZero, readEmpty, readHtml, readLfsPointer } from './non-model';
import { readNpy } from './numpy';
import { readOnnx } from './onnx';
import { readPickleFile } from './pickle-file';
import { readSafetensors } from './safetensors';
import { readZipFile } from './zip-file';

/**
 * A format reader: examines `source` (the file, a zip member, decompressed or nested data) and
 * reports into `ctx.report`. It must not throw on malformed input (report a finding instead), must
 * bound every read by ctx.limits, and should call ctx.checkTime() in loops. Set the format with
 * ctx.setFormat (ignored unless the source is the file itself) and metadata only when ctx.isTop.
 */
export type FormatReader = (ctx: InspectContext, source: ByteSource, candidate: FormatCandidate) => void;

export const READERS: Partial<Record<CandidateKind, FormatReader>> = {
  empty: (ctx) => readEmpty(ctx),
  'all-zero': readAllZero,
  'git-lfs-pointer': (ctx, source) => readLfsPointer(ctx, source),
  html: (ctx, source) => readHtml(ctx, source),
  zip: (ctx, source, c) => readZipFile(ctx, source, c),
  pickle: readPickleFile,
  'pytorch-legacy': readPickleFile,
  npy: readNpy,
  gzip: readCompressed,
  zlib: readCompressed,
  bz2: readUninspectable,
  xz: readUninspectable,
  lzma: readUninspectable,
  lz4: readUninspectable,
  zstd: readUninspectable,
  'joblib-zf': readUninspectable,
  safetensors: readSafetensors,
  gguf: readGguf,
  'ggml-legacy': readGgmlLegacy,
  onnx: readOnnx,
  hdf5: readHdf5,
  json: readJsonFile,
};

/** Recognized formats without a reader yet (see the module comment). */
export const DETECTED_ONLY: Partial<Record<CandidateKind, ModelFormat>> = {
  tar: 'tar',
};

function hexStart(source: ByteSource): string {
  return [...source.read(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Examines `source` as every format its content matches (polyglots: the primary one plus an embedded zip). */
export function dispatch(ctx: InspectContext, source: ByteSource): void {
  ctx.checkTime();
  const candidates = detectFormats(source);
  if (ctx.isTop && ctx.transform === undefined) ctx.report.candidates = candidates;
  const primary = candidates.find((c) => c.kind !== 'zip-eocd' && (READERS[c.kind] !== undefined || DETECTED_ONLY[c.kind] !== undefined));
  const eocd = candidates.find((c) => c.kind === 'zip-eocd');

  if (primary) {
    const reader = READERS[primary.kind];
    if (reader) reader(ctx, source, primary);
    else {
      const format = DETECTED_ONLY[primary.kind]!;
      ctx.setFormat(format, `${primary.kind} (detected by content; no reader yet)`);
      if (ctx.isTop) ctx.report.incomplete(`the ${primary.kind} structure (its reader is not available yet): only the format was detected`);
      else ctx.report.note(`${ctx.entry ?? 'Nested data'} is ${primary.kind} (not examined further).`);
    }
  }
  const h5 = candidates.find((c) => c.kind === 'hdf5' && c.offset > 0);
  // (not for zips: their members are examined by content, and a stored .h5 member may start at 512·2ⁿ)
  if (primary && h5 && primary !== h5 && !['empty', 'all-zero', 'zip'].includes(primary.kind)) {
    ctx.report.malformed('suspicious', `Polyglot: the content is ${primary.kind} from offset 0 and also an HDF5 file after a ${h5.offset}-byte user block; both were examined`, { reason: 'polyglot', offset: h5.offset, entry: ctx.entry }, 'error');
    const inner = ctx.nested(`HDF5 at ${h5.offset}`);
    if (inner) readHdf5(inner, source, { ...h5, note: 'secondary' });
    else ctx.report.incomplete(`the HDF5 file at ${h5.offset} (nesting cap)`);
  }
  if (eocd) {
    if (!primary) {
      readZipFile(ctx, source, eocd);
    } else if (primary.kind !== 'zip' && primary.kind !== 'empty' && primary.kind !== 'all-zero') {
      ctx.report.malformed('suspicious', `Polyglot: the content is ${primary.kind} from offset 0 and also a zip archive (end record at ${eocd.offset}). Loaders that check the start (torch.load) and tools that look for the end record (Python's zipfile) see different files; both were examined.`, { reason: 'polyglot', offset: eocd.offset, entry: ctx.entry }, 'error');
      readZipFile(ctx, source, eocd, true);
    }
  }
  if (!primary && !eocd) {
    if (ctx.isTop) {
      ctx.setFormat('unknown', 'unrecognized content');
      ctx.report.malformed('invalid', `Not a recognized model format (first bytes: ${hexStart(source)}); nothing in it was examined as a model`, { reason: 'not-a-model' });
    } else {
      ctx.report.note(`${ctx.entry ?? 'Nested data'}: unrecognized content (first bytes ${hexStart(source)}), not examined further.`);
    }
  }
}
