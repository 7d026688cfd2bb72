/**
 * HDF5 files and legacy Keras `.h5` models (formats.md §6.2, §10), with our own bounded reader
 * (hdf5/hdf5-reader.ts; see server/src/models/README.md for why not h5wasm or jsfive).
 *
 * - The superblock is found at 0 or after a user block (512, 1024, …; detect.ts); a user block
 *   holding a pickle or a zip is examined as a polyglot.
 * - The object tree is walked from the root group (hard links followed inside the file, cycles
 *   and the object count capped): datasets become the tensor table (path, dtype, shape, bytes,
 *   offset of contiguous data); external links, virtual datasets and external storage are
 *   references to other files — reported (`model-file-external-data-traversal`), never followed.
 * - Root attributes are decoded (fixed- and variable-length strings, numbers): `keras_version`,
 *   `backend`, `model_config` (JSON walked by the Keras config walker: Lambda layers with
 *   base64-marshalled bytecode → `model-file-keras-lambda`), `training_config`.
 */
import { SliceByteSource, type ByteSource } from '../byte-source';
import { sniff } from '../detect';
import { H5_MESSAGE as M, H5_UNDEF, H5Error, Hdf5File, toH5Error, type H5Attribute, type H5Datatype, type H5Link, type H5Message } from '../hdf5/hdf5-reader';
import type { InspectContext } from '../inspect-context';
import { JsonError, parseJson, toJsonValue } from '../json/json-reader';
import type { FormatCandidate, Hdf5Section, JsonValue, KerasSection, TensorInfo } from '../types';
import { walkKerasConfig } from './keras-config';
import { Checklist, reportReference } from './shared';

const KERAS_ROOT_ATTRS = new Set(['model_config', 'keras_version', 'training_config', 'layer_names']);
const CODE_KINDS = new Set(['pickle', 'pytorch-legacy', 'zip', 'npy', 'gzip', 'zlib']);

interface Queued {
  address: number;
  path: string;
}

export function readHdf5(ctx: InspectContext, source: ByteSource, candidate: FormatCandidate): void {
  const report = ctx.report;
  const L = ctx.limits;
  const checks = new Checklist();
  const sbOffset = candidate.offset;
  let file: Hdf5File;
  try {
    file = new Hdf5File(source, sbOffset, { objects: L.hdf5Objects, attributeBytes: L.hdf5AttributeBytes, chunkBytes: L.hdf5HeaderChunkBytes, checkTime: () => ctx.checkTime() });
  } catch (err) {
    const e = toH5Error(err);
    if (!e) throw err;
    ctx.setFormat('hdf5', 'HDF5 (unreadable superblock)');
    report.malformed('invalid', `HDF5 superblock cannot be read: ${e.message}`, { reason: e.truncated ? 'truncated' : 'header-invalid', offset: e.offset, entry: ctx.entry });
    return;
  }
  const sb = file.sb;
  checks.pass('superblock', `version ${sb.version}, offsets ${sb.offsetSize} bytes, lengths ${sb.lengthSize} bytes`);
  const section: Hdf5Section = {
    superblockOffset: sbOffset, superblockVersion: sb.version, offsetSize: sb.offsetSize, lengthSize: sb.lengthSize,
    rootAttributes: [], objects: 0, groups: 0, datasets: 0, links: { hard: 0, soft: 0, external: 0 }, checks: checks.items,
  };
  ctx.setFormat('hdf5', `HDF5 (superblock v${sb.version})`);

  if (sbOffset > 0 && candidate.note !== 'secondary') {
    report.note(`A ${sbOffset}-byte user block precedes the HDF5 data; HDF5 ignores it.`);
    const head = source.read(0, Math.min(sbOffset, 4096));
    const kinds = sniff(head, sbOffset).map((c) => c.kind).filter((k) => CODE_KINDS.has(k));
    if (kinds.length > 0) {
      report.malformed('suspicious', `The HDF5 user block (the first ${sbOffset} bytes) holds ${kinds[0]} data: the file is also something else (polyglot); that content was examined too`, { reason: 'polyglot', offset: 0, entry: ctx.entry }, 'error');
      const inner = ctx.nested('HDF5 user block');
      if (inner) inner.dispatch(new SliceByteSource(source, 0, sbOffset));
      else report.incomplete('the HDF5 user block (nesting cap)');
    }
  }
  if (sb.eof !== undefined) {
    // the stored end of file is absolute when the stored base address is the superblock's (HDF5 H5F__super_read)
    const end = sb.eof - (sb.storedBase === H5_UNDEF ? 0 : sb.storedBase - sbOffset);
    if (end > source.size) {
      checks.fail('end-of-file', `stored end of file ${end}, actual size ${source.size}`);
      report.malformed('invalid', `HDF5 file is truncated: the superblock says it ends at byte ${end}, the file has ${source.size} (HDF5 refuses it)`, { reason: 'truncated', offset: sbOffset, entry: ctx.entry });
    } else if (end < source.size) {
      checks.fail('end-of-file', `${source.size - end} bytes after the stored end of file`);
      report.malformed('suspicious', `${source.size - end} bytes follow the HDF5 end-of-file address (trailing data: HDF5 ignores it; it can hide another file)`, { reason: 'trailing-data', offset: end, entry: ctx.entry }, 'warning');
    } else checks.pass('end-of-file');
  }

  const visited = new Set<number>();
  const queue: Queued[] = [{ address: sb.rootAddress, path: '/' }];
  let rootAttrs: H5Attribute[] = [];
  let modelWeightsAttrs: H5Attribute[] = [];
  let problems = 0;
  const problem = (err: unknown, where: string) => {
    const e = toH5Error(err);
    if (!e) throw err;
    checks.fail('structure', `${where}: ${e.message}`);
    if (problems++ < 20) report.malformed(e.limit ? 'suspicious' : 'invalid', `HDF5 ${where}: ${e.message}`, { reason: e.truncated ? 'truncated' : e.limit ? 'limit-exceeded' : 'header-invalid', offset: e.offset, entry: ctx.entry }, e.limit ? 'warning' : undefined);
    if (e.limit) report.incomplete(`HDF5 ${where}`);
  };
  let capped = false;
  while (queue.length > 0) {
    const { address, path } = queue.shift()!;
    if (address === H5_UNDEF || visited.has(address)) continue;
    if (visited.size >= L.hdf5Objects) {
      capped = true;
      break;
    }
    visited.add(address);
    ctx.checkTime();
    let messages: H5Message[];
    try {
      messages = file.readObject(address).messages;
    } catch (e) {
      problem(e, `object ${JSON.stringify(path)}`);
      continue;
    }
    section.objects++;
    const of = (t: number) => messages.filter((m) => m.type === t);
    const layoutMsg = of(M.LAYOUT)[0];
    if (layoutMsg) {
      section.datasets++;
      try {
        dataset(ctx, file, path, messages, source);
      } catch (e) {
        problem(e, `dataset ${JSON.stringify(path)}`);
      }
    }
    const isGroup = of(M.SYMBOL_TABLE).length > 0 || of(M.LINK).length > 0 || of(M.LINK_INFO).length > 0;
    if (isGroup) section.groups++;
    // children
    const links: H5Link[] = [];
    try {
      for (const m of of(M.SYMBOL_TABLE)) {
        const btree = uint(m.data, 0, file.O);
        const heap = uint(m.data, file.O, file.O);
        for (const c of file.symbolTable(btree, heap, L.hdf5Objects)) {
          links.push(c.soft !== undefined ? { name: c.name, kind: 'soft', target: c.soft } : { name: c.name, kind: 'hard', address: c.address });
        }
      }
      for (const m of of(M.LINK)) links.push(file.link(m.data));
      for (const m of of(M.LINK_INFO)) {
        const d = m.data;
        let p = 2 + (d[1] & 1 ? 8 : 0);
        const heap = uint(d, p, file.O);
        p += file.O;
        const index = uint(d, p, file.O);
        if (heap !== H5_UNDEF && index !== H5_UNDEF) for (const obj of file.denseObjects(heap, index, 'link', L.hdf5Objects)) links.push(file.link(obj));
      }
    } catch (e) {
      problem(e, `group ${JSON.stringify(path)}`);
    }
    for (const link of links) {
      const child = path === '/' ? `/${link.name}` : `${path}/${link.name}`;
      if (link.kind === 'hard') {
        section.links.hard++;
        if (link.address !== undefined && !visited.has(link.address)) queue.push({ address: link.address, path: child });
      } else if (link.kind === 'soft') section.links.soft++;
      else if (link.kind === 'external') {
        section.links.external++;
        reportReference(ctx, 'hdf5-external-link', child, link.file ?? '', {
          where: `link ${JSON.stringify(child)} → ${JSON.stringify(link.objectPath ?? '')}`,
          inside: { verdict: 'suspicious', severity: 'error', message: `HDF5 external link ${JSON.stringify(child)} points into another file (${JSON.stringify((link.file ?? '').slice(0, 200))}, object ${JSON.stringify((link.objectPath ?? '').slice(0, 200))}): libraries that follow it (h5py, h5wasm) open that file. It was not followed.` },
        });
      }
    }
    // attributes: the root group, and Keras' model_weights group
    if (path === '/' || path === '/model_weights') {
      const attrs: H5Attribute[] = [];
      try {
        for (const m of of(M.ATTRIBUTE)) attrs.push(file.attribute(m.data, m.at));
        for (const m of of(M.ATTRIBUTE_INFO)) {
          const d = m.data;
          let p = 2 + (d[1] & 1 ? 2 : 0);
          const heap = uint(d, p, file.O);
          p += file.O;
          const index = uint(d, p, file.O);
          if (heap !== H5_UNDEF && index !== H5_UNDEF) for (const obj of file.denseObjects(heap, index, 'attribute', 10_000)) attrs.push(file.attribute(obj, m.at));
        }
      } catch (e) {
        problem(e, `attributes of ${JSON.stringify(path)}`);
      }
      if (path === '/') rootAttrs = attrs;
      else modelWeightsAttrs = attrs;
    }
  }
  if (capped) {
    report.malformed('suspicious', `The HDF5 file holds more than ${L.hdf5Objects.toLocaleString('en-US')} objects; the rest were not examined`, { reason: 'limit-exceeded', entry: ctx.entry }, 'warning');
    report.incomplete(`HDF5 objects beyond the first ${L.hdf5Objects}`);
  }
  for (const w of file.warnings) {
    checks.fail(w.kind === 'checksum' ? 'checksums' : 'structure', w.message);
    report.malformed('suspicious', `HDF5: ${w.message}`, { reason: w.kind === 'checksum' ? 'checksum-mismatch' : 'header-invalid', offset: w.offset, entry: ctx.entry }, 'warning');
  }
  checks.pass('checksums');
  checks.pass('structure', `${section.objects} objects`);
  if (section.links.external === 0) checks.pass('no-external-links');
  else checks.fail('no-external-links', `${section.links.external} external links`);

  for (const a of rootAttrs.slice(0, 200)) {
    const entry: Hdf5Section['rootAttributes'][number] = { name: a.name.slice(0, 300), dtype: a.dtype.name, shape: a.space.dims ?? [] };
    if (a.value !== undefined) entry.value = a.value as JsonValue;
    if (a.truncated) entry.truncated = true;
    section.rootAttributes.push(entry);
    if (a.error) {
      report.malformed(/cap/.test(a.error) ? 'suspicious' : 'invalid', `HDF5 root attribute ${JSON.stringify(a.name)} cannot be decoded: ${a.error}`, { reason: /cap/.test(a.error) ? 'limit-exceeded' : 'header-invalid', entry: ctx.entry });
      if (a.name === 'model_config' || a.name === 'training_config') report.incomplete(`the ${a.name} attribute`);
    }
  }

  const isKeras = rootAttrs.some((a) => KERAS_ROOT_ATTRS.has(a.name)) || modelWeightsAttrs.length > 0;
  let keras: KerasSection | undefined;
  if (isKeras) {
    const text = (name: string) => rootAttrs.find((a) => a.name === name)?.strings?.[0];
    const version = text('keras_version');
    const backend = text('backend');
    const modelConfig = text('model_config');
    const trainingConfig = text('training_config');
    if (modelConfig !== undefined) {
      const root = parseConfig(ctx, modelConfig, 'model_config');
      if (root !== undefined) keras = walkKerasConfig(ctx, root, 'model_config', 'HDF5 attribute model_config').section;
    }
    if (trainingConfig !== undefined) {
      const root = parseConfig(ctx, trainingConfig, 'training_config');
      if (root !== undefined) {
        walkKerasConfig(ctx, root, 'model_config', 'HDF5 attribute training_config');
        keras ??= { source: 'model_config', layers: [] };
        keras.compileConfig = toJsonValue(root, 500, 500);
      }
    }
    keras ??= { source: 'model_config', layers: [] };
    if (version !== undefined) keras.kerasVersion = version.slice(0, 100);
    if (backend !== undefined) keras.backend = backend.slice(0, 100);
    const layerNames = modelWeightsAttrs.find((a) => a.name === 'layer_names') ?? rootAttrs.find((a) => a.name === 'layer_names');
    ctx.setFormat('keras-h5', `Keras HDF5 model${modelConfig === undefined ? ' weights' : ''}${version ? ` (keras ${version.slice(0, 40)}${backend ? `, ${backend.slice(0, 40)}` : ''})` : ''}, HDF5 superblock v${sb.version}`);
    if (ctx.isTop) {
      if (version !== undefined) report.meta('keras.version', version.slice(0, 100));
      if (backend !== undefined) report.meta('keras.backend', backend.slice(0, 100));
      if (keras.modelClass) report.meta('keras.model_class', keras.modelClass);
      if (layerNames?.strings) report.meta('keras.layer_names', layerNames.strings.length);
    }
  } else ctx.setFormat('hdf5', `HDF5 (superblock v${sb.version}), ${section.datasets} dataset${section.datasets === 1 ? '' : 's'}`);
  if (ctx.isTop) {
    report.hdf5 = section;
    if (keras) report.keras = keras;
    report.meta('hdf5.superblock_version', sb.version);
    report.meta('hdf5.objects', section.objects);
  }
}

function parseConfig(ctx: InspectContext, text: string, name: string) {
  try {
    return parseJson(text, { maxDepth: ctx.limits.jsonDepth, onDuplicateKey: (path, key) => ctx.report.malformed('suspicious', `HDF5 attribute ${name}: key ${JSON.stringify(key)} appears more than once${path ? ` in ${JSON.stringify(path)}` : ''} (parser differential)`, { reason: 'duplicate-key', entry: ctx.entry }, 'error') });
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    ctx.report.malformed('invalid', `HDF5 attribute ${name} is not valid JSON (${e.message}); Keras cannot load the model and its config was not checked`, { reason: 'parse-error', entry: ctx.entry });
    ctx.report.incomplete(`the ${name} attribute (not valid JSON)`);
    return undefined;
  }
}

/** A little-endian address or length in a message (H5_UNDEF when all ones). */
function uint(b: Buffer, pos: number, size: number): number {
  let v = 0;
  let ones = true;
  if (pos + size > b.length) throw new H5Error('message truncated', 0, true);
  for (let i = size - 1; i >= 0; i--) {
    v = v * 256 + b[pos + i];
    if (b[pos + i] !== 0xff) ones = false;
  }
  if (ones) return H5_UNDEF;
  if (!Number.isSafeInteger(v)) throw new H5Error('address beyond 2^53', 0);
  return v;
}

/** The datatype of a dataset, resolving a shared (committed) datatype through its object header. */
function datatypeOf(file: Hdf5File, m: H5Message): H5Datatype {
  if (!(m.flags & 0x02)) return file.datatype(m.data);
  const v = m.data[0];
  const addrAt = v === 1 ? 8 : 2;
  if (v === 3 && m.data[1] !== 2) return { name: 'shared', cls: -1, size: 0, shared: true };
  const addr = uint(m.data, addrAt, file.O);
  const obj = file.readObject(addr);
  const dt = obj.messages.find((x) => x.type === M.DATATYPE && !(x.flags & 0x02));
  return dt ? file.datatype(dt.data) : { name: 'shared', cls: -1, size: 0, shared: true };
}

function dataset(ctx: InspectContext, file: Hdf5File, path: string, messages: H5Message[], source: ByteSource): void {
  const of = (t: number) => messages.find((m) => m.type === t);
  const dtm = of(M.DATATYPE);
  const dsm = of(M.DATASPACE);
  const lm = of(M.LAYOUT)!;
  const dtype = dtm ? datatypeOf(file, dtm) : { name: 'unknown', cls: -1, size: 0 };
  const space = dsm ? file.dataspace(dsm.data) : { dims: [] };
  const layout = file.layout(lm.data);
  const name = path.replace(/^\//, '');
  const info: TensorInfo = { name, dtype: dtype.name, shape: space.dims ?? [] };
  let nel = 1;
  for (const d of space.dims ?? [0]) nel *= d;
  if (Number.isSafeInteger(nel * dtype.size) && dtype.size > 0) info.bytes = nel * dtype.size;
  if (layout.kind === 'contiguous' && layout.address !== undefined) {
    const abs = file.base + layout.address;
    if (info.bytes !== undefined && abs + info.bytes > source.size) {
      ctx.report.malformed('invalid', `HDF5 dataset ${JSON.stringify(path)} (${info.bytes} bytes at ${abs}) runs past the end of the file (truncated)`, { reason: 'truncated', offset: abs, entry: ctx.entry });
    }
    info.offset = ctx.fileOffset(source, abs) ?? abs;
  }
  if (layout.kind === 'virtual') {
    let target = '';
    let count = 0;
    let dsetName = '';
    try {
      if (layout.heapAddress !== undefined) {
        const obj = file.globalHeapObject(layout.heapAddress, layout.heapIndex ?? 0);
        const version = obj[0];
        count = uint(obj, 1, file.L);
        let p = 1 + file.L + (version >= 1 ? 1 : 0);
        const nul = obj.indexOf(0, p);
        target = obj.toString('utf8', p, nul < 0 ? obj.length : nul);
        p = nul + 1;
        const nul2 = obj.indexOf(0, p);
        dsetName = obj.toString('utf8', p, nul2 < 0 ? obj.length : nul2);
      }
    } catch {
      /* the mapping could not be decoded: the VDS itself is still reported */
    }
    reportReference(ctx, 'hdf5-virtual-dataset', path, target || '<unknown source file>', {
      where: `virtual dataset ${JSON.stringify(path)}${dsetName ? ` ← ${JSON.stringify(dsetName.slice(0, 100))}` : ''}${count > 1 ? ` (+${count - 1} more mappings)` : ''}`,
      inside: { verdict: 'suspicious', severity: 'error', message: `HDF5 virtual dataset ${JSON.stringify(path)} maps data from ${target === '.' ? 'this same file' : `the file ${JSON.stringify(target.slice(0, 200))}`}${count > 1 ? ` and ${count - 1} more source${count > 2 ? 's' : ''}` : ''}: reading it opens other files (Keras 3.13+ refuses virtual datasets: arbitrary file read). It was not followed.` },
    });
    info.external = { location: target.slice(0, 1024) };
  }
  const ext = of(M.EXTERNAL);
  if (ext) {
    for (const slot of file.externalFiles(ext.data).slice(0, 100)) {
      reportReference(ctx, 'hdf5-external-storage', path, slot.name, {
        offset: slot.offset, length: slot.size,
        where: `external storage of dataset ${JSON.stringify(path)}`,
        inside: { verdict: 'suspicious', severity: 'error', message: `HDF5 dataset ${JSON.stringify(path)} keeps its data in the external file ${JSON.stringify(slot.name.slice(0, 200))}: reading it opens that file. It was not opened.` },
      });
      info.external ??= { location: slot.name.slice(0, 1024), offset: slot.offset, length: slot.size };
    }
    delete info.offset;
  }
  ctx.report.addTensor(info);
}
