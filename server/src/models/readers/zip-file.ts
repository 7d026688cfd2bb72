/**
 * Zip-based files: opens the central directory, decides what the archive is from its entry names
 * (torch / TorchScript / npz / Keras v3 / other), runs the matching reader, and reports the
 * archive listing and its anomalies. Zip-based formats other than torch and npz (Keras v3) register
 * in ZIP_FORMAT_READERS.
 */
import type { ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import type { FormatCandidate, ModelFormat, ZipEntrySummary, ZipSection } from '../types';
import { openZip, type ZipAnomalyKind, type ZipArchive } from '../zip/zip-reader';
import { readKerasArchive } from './keras';
import { readNpz } from './numpy';
import { readTorchZip, torchLayout } from './pytorch-zip';
import { scanZipMember } from './zip-members';

export type ZipKind = 'torch' | 'npz' | 'keras' | 'generic';

/** Readers for zip-based formats other than torch and npz (e.g. 'keras': the .keras reader). */
export const ZIP_FORMAT_READERS: Partial<Record<ZipKind, (ctx: InspectContext, zip: ZipArchive) => void>> = {
  keras: readKerasArchive,
};

/** Anomalies on which loaders and scanners behave differently: reported with error severity. */
const DIFFERENTIAL: ReadonlySet<ZipAnomalyKind> = new Set([
  'flag-encrypted', 'flag-patched', 'flag-strong-encryption', 'name-mismatch', 'crc-mismatch', 'duplicate-name', 'overlap', 'prefix-data',
]);

export function zipKind(zip: ZipArchive): ZipKind {
  if (torchLayout(zip)) return 'torch';
  const files = zip.entries.filter((e) => !e.name.endsWith('/'));
  if (files.some((e) => e.name === 'config.json') && files.some((e) => e.name === 'metadata.json' || /^model\.weights\.(h5|npz)$/.test(e.name))) return 'keras';
  if (files.length > 0 && files.every((e) => e.name.endsWith('.npy'))) return 'npz';
  return 'generic';
}

function summary(zip: ZipArchive, root?: string): ZipSection {
  const cap = 10_000;
  const entries: ZipEntrySummary[] = zip.entries.slice(0, cap).map((e) => {
    const s: ZipEntrySummary = {
      name: e.name, method: e.method, flags: e.flags, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize,
      crc32: e.crc32, localHeaderOffset: e.localHeaderOffset,
    };
    if (e.dataOffset !== undefined) s.dataOffset = e.dataOffset;
    if (e.content) s.content = e.content;
    if (e.read) s.read = true;
    const own = zip.anomalies.filter((a) => a.entry === e.name).map((a) => a.kind);
    if (own.length > 0) s.anomalies = [...new Set(own)];
    return s;
  });
  const section: ZipSection = {
    entryCount: zip.entries.length, entries, zip64: zip.zip64, centralDirectoryOffset: zip.centralDirectoryOffset,
    centralDirectorySize: zip.centralDirectorySize, prefixBytes: zip.prefixBytes, trailingBytes: zip.trailingBytes,
    anomalies: zip.anomalies.slice(0, 1000).map((a) => (a.entry !== undefined ? { kind: a.kind, entry: a.entry, message: a.message } : { kind: a.kind, message: a.message })),
  };
  if (zip.entries.length > cap) section.entriesTruncated = true;
  if (zip.comment) section.comment = zip.comment.slice(0, 500);
  if (root !== undefined) section.root = root;
  return section;
}

/**
 * Reads `source` as a zip archive. `asPolyglot` is set when the file is primarily something else
 * (a pickle) and also carries an end-of-central-directory record.
 */
export function readZipFile(ctx: InspectContext, source: ByteSource, _candidate: FormatCandidate, asPolyglot = false): void {
  const opened = openZip(source, ctx.limits);
  if (!opened.ok) {
    if (!asPolyglot) ctx.setFormat('zip', 'unreadable zip archive');
    ctx.report.malformed('invalid', `${asPolyglot ? 'Embedded zip archive' : 'Zip archive'} cannot be read: ${opened.error}`, { reason: opened.truncated ? 'truncated' : 'parse-error', entry: ctx.entry });
    return;
  }
  const zip = opened.zip;
  const kind = asPolyglot ? 'generic' : zipKind(zip);
  let root: string | undefined;
  if (kind === 'torch') {
    const layout = torchLayout(zip)!;
    root = layout.root;
    readTorchZip(ctx, zip, layout);
  } else if (kind === 'npz') {
    readNpz(ctx, zip);
  } else if (ZIP_FORMAT_READERS[kind]) {
    ZIP_FORMAT_READERS[kind]!(ctx, zip);
  } else {
    const format: ModelFormat = kind === 'keras' ? 'keras' : 'zip';
    if (!asPolyglot) ctx.setFormat(format, kind === 'keras' ? 'Keras v3 archive (config reader not available yet)' : `zip archive (${zip.entries.length} entr${zip.entries.length === 1 ? 'y' : 'ies'})`);
    if (kind === 'keras') ctx.report.incomplete('the Keras config (no .keras reader yet); members were examined by content only');
    let examined = 0;
    for (const e of zip.entries) {
      ctx.checkTime();
      if (examined++ >= ctx.limits.zipMembersSniffed) {
        ctx.report.incomplete(`zip members beyond the first ${ctx.limits.zipMembersSniffed}`);
        break;
      }
      scanZipMember(ctx, zip, e);
    }
  }
  for (const a of zip.anomalies) {
    if (asPolyglot && a.kind === 'prefix-data') continue;
    ctx.report.malformed('suspicious', `Zip anomaly: ${a.message}`, { reason: 'zip-anomaly', entry: a.entry !== undefined ? (ctx.entry ? `${ctx.entry} > ${a.entry}` : a.entry) : ctx.entry, extra: a.kind }, DIFFERENTIAL.has(a.kind) ? 'error' : 'warning');
  }
  if (ctx.isTop) {
    ctx.report.zip = summary(zip, root);
    if (zip.prefixBytes > 0) ctx.report.meta('zip.prefix_bytes', zip.prefixBytes);
  }
}
