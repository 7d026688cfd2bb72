/**
 * PyTorch zip archives (torch.save ≥ 1.6) and TorchScript archives (formats.md §2.1). Like torch,
 * the archive root is the first entry's top-level folder and the object is `<root>/data.pkl`.
 * Only the central directory, data.pkl (every copy, if the name is duplicated), the small version
 * records, and members that are not part of the torch layout are read; storages (`data/<key>`) are
 * never read — only their local headers, to give tensor offsets, for up to 1,024 storages.
 */
import type { InspectContext } from '../inspect-context';
import { scanPickle } from '../pickle/analyze';
import { describe } from '../pickle/values';
import { locateData, openEntry, type ZipArchive, type ZipEntry } from '../zip/zip-reader';
import { checkViews, reportTensors } from './pickle-file';
import { recoverTensors, TORCH_ELEMENT_SIZE, type StorageRef } from './torch-tensors';
import { scanZipMember } from './zip-members';

export interface TorchLayout {
  root: string;
  dataPkl: ZipEntry[];
  torchscript: boolean;
  /** Which marker made it TorchScript (constants.pkl, code/, model.json). */
  torchscriptMarker?: string;
}

/** Recognizes a torch/TorchScript archive from its entry names; undefined for other zips. */
export function torchLayout(zip: ZipArchive): TorchLayout | undefined {
  const first = zip.entries[0]?.name;
  if (!first) return undefined;
  const slash = first.indexOf('/');
  let root = slash > 0 ? first.slice(0, slash) : '';
  let dataPkl = zip.entries.filter((e) => e.name === `${root}/data.pkl`);
  if (dataPkl.length === 0) {
    // not where torch looks: still a torch-like archive if some folder holds data.pkl
    const other = zip.entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
    if (other) {
      root = other.name.slice(0, other.name.indexOf('/'));
      dataPkl = zip.entries.filter((e) => e.name === other.name);
    }
  }
  const has = (rel: string) => zip.entries.some((e) => e.name === `${root}/${rel}`);
  const code = zip.entries.some((e) => e.name.startsWith(`${root}/code/`));
  const marker = has('constants.pkl') ? 'constants.pkl' : code ? 'code/' : has('model.json') ? 'model.json' : has('bytecode.pkl') ? 'bytecode.pkl' : undefined;
  if (dataPkl.length === 0 && !marker) return undefined;
  const layout: TorchLayout = { root, dataPkl, torchscript: marker !== undefined };
  if (marker) layout.torchscriptMarker = marker;
  return layout;
}

/** Members that belong to the torch layout and are not pickles run by torch.load. */
function expectedMember(rel: string, torchscript: boolean): boolean {
  if (/^(data\.pkl|version|byteorder|serialization_id|\.format_version|\.storage_alignment)$/.test(rel)) return true;
  if (/^\.data\//.test(rel) || /^data\/\d+$/.test(rel)) return true;
  if (torchscript && (/^code\//.test(rel) || /^extra\//.test(rel) || /^(model\.json|archive_format)$/.test(rel))) return true;
  return false;
}

const PICKLE_MEMBER = /\.(pkl|debug_pkl)$/;

function smallRecord(ctx: InspectContext, zip: ZipArchive, name: string): string | undefined {
  const e = zip.entries.find((x) => x.name === name);
  if (!e || e.uncompressedSize > ctx.limits.zipSmallRecordBytes) return undefined;
  const opened = openEntry(zip, e, ctx.limits.zipSmallRecordBytes, ctx.limits);
  if (!opened.ok) return undefined;
  return opened.content.source.read(0, ctx.limits.zipSmallRecordBytes).toString('utf8').trim().slice(0, 200);
}

export function readTorchZip(ctx: InspectContext, zip: ZipArchive, layout: TorchLayout): void {
  const { root } = layout;
  const report = ctx.report;
  const version = smallRecord(ctx, zip, `${root}/.data/version`) ?? smallRecord(ctx, zip, `${root}/version`);
  const byteorder = smallRecord(ctx, zip, `${root}/byteorder`);
  const serialization = smallRecord(ctx, zip, `${root}/.data/serialization_id`) ?? smallRecord(ctx, zip, `${root}/serialization_id`);
  if (ctx.isTop) {
    report.meta('torch.root', root);
    if (version !== undefined) report.meta('torch.version_record', version);
    if (byteorder !== undefined) report.meta('torch.byteorder', byteorder);
    if (serialization !== undefined) report.meta('torch.serialization_id', serialization);
  }
  if (byteorder !== undefined && byteorder !== 'little' && byteorder !== 'big') {
    report.malformed('suspicious', `byteorder record is ${JSON.stringify(byteorder)}, expected "little" or "big"`, { reason: 'header-invalid', entry: `${root}/byteorder` });
  }
  const outside = zip.entries.filter((e) => !e.name.startsWith(`${root}/`));
  if (outside.length > 0) {
    report.malformed('suspicious', `${outside.length} entr${outside.length === 1 ? 'y is' : 'ies are'} outside the archive folder "${root}/" (torch refuses such archives: "file in archive is not in a subdirectory"), e.g. ${JSON.stringify(outside[0].name)}`, { reason: 'zip-anomaly', entry: outside[0].name });
  }

  let protocol: number | undefined;
  let tensors: ReturnType<typeof recoverTensors> = [];
  for (const e of layout.dataPkl) {
    ctx.checkTime();
    const member = ctx.member(e.name);
    const opened = openEntry(zip, e, ctx.limits.zipPickleEntryBytes, ctx.limits);
    e.content = 'pickle';
    if (!opened.ok) {
      report.malformed('invalid', `Cannot read ${e.name}: ${opened.error}`, { reason: 'parse-error', entry: e.name });
      report.incomplete(e.name);
      continue;
    }
    if (!opened.content.complete) report.incomplete(`${e.name} (damaged compressed data)`);
    const scan = scanPickle(member, opened.content.source, 0, opened.content.source.size);
    protocol ??= scan.streams[0]?.protocol;
    const result = scan.streams[0]?.result;
    if (result && tensors.length === 0) {
      tensors = recoverTensors(result, ctx.limits.tensorsReported);
      if (ctx.isTop) report.meta('torch.object', describe(result));
    }
  }
  if (layout.dataPkl.length === 0 && !layout.torchscript) report.malformed('invalid', `No ${root}/data.pkl in the archive`, { reason: 'header-invalid' });

  const kind = layout.torchscript ? 'TorchScript archive' : 'torch zip';
  ctx.setFormat(layout.torchscript ? 'torchscript' : 'pytorch-zip', `${kind} (root ${JSON.stringify(root)})${protocol !== undefined ? `, data.pkl protocol ${protocol}` : ''}${version !== undefined ? `, format version ${version}` : ''}`);
  if (layout.torchscript) {
    const code = zip.entries.filter((e) => e.name.startsWith(`${root}/code/`) && !e.name.endsWith('/'));
    if (ctx.isTop) report.meta('torchscript.code_files', code.slice(0, 200).map((e) => e.name.slice(root.length + 1)));
    report.add('model-file-suspicious-pickle', 'suspicious', `TorchScript archive (${layout.torchscriptMarker}${code.length > 0 ? `, ${code.length} code file${code.length === 1 ? '' : 's'}` : ''}): torch.load hands it to torch.jit.load, which compiles and runs its code/ on load and has no safe mode — treat it as executable code (PyTorch security guidance)`, { reason: 'torchscript', entry: `${root}/${layout.torchscriptMarker}` });
  }

  // storages: check each tensor's record exists and is large enough; locate data for offsets
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  const located = new Map<string, number | undefined>();
  let locateBudget = 1024;
  const storageEntry = (s: StorageRef) => byName.get(`${root}/data/${s.key}`);
  const checked = new Set<string>();
  for (const t of tensors) {
    if (!t.storage || checked.has(t.storage.key)) continue;
    checked.add(t.storage.key);
    const e = storageEntry(t.storage);
    if (!e) {
      report.malformed('invalid', `Tensor "${t.name}" uses storage ${JSON.stringify(t.storage.key)}, but the archive has no ${root}/data/${t.storage.key}`, { reason: 'storage-mismatch', entry: `${root}/data.pkl` });
      continue;
    }
    const size = TORCH_ELEMENT_SIZE[t.storage.dtype];
    if (t.storage.numel !== undefined && size !== undefined) {
      const need = t.storage.untyped ? t.storage.numel : t.storage.numel * size;
      if (e.uncompressedSize < need) {
        report.malformed('invalid', `Storage ${e.name} holds ${e.uncompressedSize} bytes, but ${need} are declared (${t.storage.numel} × ${t.storage.dtype})`, { reason: 'storage-mismatch', entry: e.name });
      }
    }
  }
  checkViews(ctx, tensors, `${root}/data.pkl`);
  reportTensors(ctx, tensors, (s) => {
    if (located.has(s.key)) return located.get(s.key);
    const e = storageEntry(s);
    let off: number | undefined;
    if (e && e.method === 0 && locateBudget-- > 0) {
      const loc = locateData(zip, e);
      if (loc.ok) off = ctx.fileOffset(zip.source, loc.dataOffset);
    }
    located.set(s.key, off);
    return off;
  });
  if (ctx.isTop) report.meta('torch.storages', zip.entries.filter((e) => e.name.startsWith(`${root}/data/`)).length);

  // every other member: TorchScript pickles by name, anything else by content
  for (const e of zip.entries) {
    ctx.checkTime();
    if (layout.dataPkl.includes(e)) continue;
    const rel = e.name.startsWith(`${root}/`) ? e.name.slice(root.length + 1) : e.name;
    if (PICKLE_MEMBER.test(rel) && e.uncompressedSize > 0) {
      const opened = openEntry(zip, e, ctx.limits.zipPickleEntryBytes, ctx.limits);
      e.content = 'pickle';
      if (!opened.ok) {
        report.malformed('invalid', `Cannot read ${e.name}: ${opened.error}`, { reason: 'parse-error', entry: e.name });
        report.incomplete(e.name);
        continue;
      }
      scanPickle(ctx.member(e.name), opened.content.source, 0, opened.content.source.size);
      continue;
    }
    if (expectedMember(rel, layout.torchscript)) continue;
    scanZipMember(ctx, zip, e);
  }
}
