/**
 * Keras v3 `.keras` archives (formats.md §6.1): a zip with `metadata.json` (keras_version,
 * date_saved), `config.json` (the model config, ≤ 64 MiB, walked by keras-config.ts), the weights
 * (`model.weights.h5`, read by the HDF5 reader without reading the weights themselves, or
 * `model.weights.npz`) and optional `assets/`. Every other member is examined by content.
 */
import { SliceByteSource, type ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import { JNum, JObject, JsonError, JsonReader, type JNode } from '../json/json-reader';
import { entryHead, locateData, openEntry, type ZipArchive, type ZipEntry } from '../zip/zip-reader';
import { HDF5_SIGNATURE } from '../hdf5/hdf5-reader';
import { readHdf5 } from './hdf5';
import { walkKerasConfig } from './keras-config';
import { scanZipMember } from './zip-members';

function parseMember(ctx: InspectContext, zip: ZipArchive, e: ZipEntry, cap: number): JNode | undefined {
  const opened = openEntry(zip, e, cap, ctx.limits);
  e.content = 'json';
  if (!opened.ok) {
    ctx.report.malformed('invalid', `Cannot read ${e.name}: ${opened.error}`, { reason: /cap/.test(opened.error) ? 'limit-exceeded' : 'parse-error', entry: e.name });
    return undefined;
  }
  const src = opened.content.source;
  try {
    const r = new JsonReader(src, 0, src.size, {
      maxDepth: ctx.limits.jsonDepth,
      onDuplicateKey: (path, key, offset) => ctx.report.malformed('suspicious', `${e.name}: key ${JSON.stringify(key.slice(0, 100))} appears more than once${path ? ` in ${JSON.stringify(path.slice(0, 200))}` : ''}: JSON readers disagree on which value wins (parser differential)`, { reason: 'duplicate-key', offset, entry: e.name }, 'error'),
    });
    const v = r.value();
    r.skipWs();
    if (!r.atEnd()) throw new JsonError(`unexpected content after the JSON value at offset ${r.pos}`, r.pos);
    return v;
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    ctx.report.malformed('invalid', `${e.name} is not valid JSON: ${err.message}`, { reason: err.truncated ? 'truncated' : err.limit ? 'limit-exceeded' : 'parse-error', offset: err.offset, entry: e.name });
    return undefined;
  }
}

const text = (v: JNode | undefined) => (typeof v === 'string' ? v.slice(0, 200) : v instanceof JNum ? v.text : undefined);

export function readKerasArchive(ctx: InspectContext, zip: ZipArchive): void {
  const report = ctx.report;
  const files = zip.entries.filter((e) => !e.name.endsWith('/'));
  const byName = (n: string) => files.filter((e) => e.name === n);
  let version: string | undefined;
  let dateSaved: string | undefined;
  const meta = byName('metadata.json')[0];
  if (meta) {
    const m = parseMember(ctx, zip, meta, 1024 * 1024);
    if (m instanceof JObject) {
      version = text(m.get('keras_version'));
      dateSaved = text(m.get('date_saved'));
    }
  }
  ctx.setFormat('keras', `Keras v3 archive${version ? ` (keras ${version})` : ''}`);
  const configs = byName('config.json');
  let walked: ReturnType<typeof walkKerasConfig> | undefined;
  for (const c of configs) {
    const root = parseMember(ctx, zip, c, ctx.limits.zipJsonEntryBytes);
    if (root === undefined) {
      report.incomplete(`${c.name} (the model config) could not be read`);
      continue;
    }
    const w = walkKerasConfig(ctx.member(c.name), root, 'config.json', c.name);
    walked ??= w;
  }
  if (configs.length === 0) report.malformed('invalid', 'The Keras archive has no config.json', { reason: 'header-invalid', entry: ctx.entry });
  const handled = new Set<ZipEntry>([...configs, ...(meta ? [meta] : [])]);
  let weightsFile: string | undefined;
  for (const e of files) {
    ctx.checkTime();
    if (handled.has(e)) continue;
    if (/^model\.weights\.h5$/.test(e.name) || (e.uncompressedSize >= 8 && /\.h5$/.test(e.name))) {
      const head = entryHead(zip, e, 8);
      if (head && head.equals(HDF5_SIGNATURE)) {
        if (e.name === 'model.weights.h5') weightsFile = e.name;
        readWeights(ctx, zip, e);
        continue;
      }
    }
    if (/^model\.weights\./.test(e.name)) weightsFile = e.name;
    scanZipMember(ctx, zip, e);
  }
  const section = walked?.section ?? { source: 'config.json' as const, layers: [] };
  if (version !== undefined) section.kerasVersion = version;
  if (dateSaved !== undefined) section.dateSaved = dateSaved;
  if (weightsFile) section.weightsFile = weightsFile;
  const assets = files.filter((e) => e.name.startsWith('assets/')).map((e) => e.name);
  if (assets.length > 0) section.assets = assets.slice(0, 1000);
  if (ctx.isTop) {
    report.keras = section;
    if (version !== undefined) report.meta('keras.version', version);
    if (dateSaved !== undefined) report.meta('keras.date_saved', dateSaved);
    if (section.modelClass) report.meta('keras.model_class', section.modelClass);
    if (section.modelName) report.meta('keras.model_name', section.modelName);
    report.meta('keras.layers', section.layers.length);
  }
}

/** model.weights.h5: stored members are read in place (positional reads), deflated ones inflated with the cap. */
function readWeights(ctx: InspectContext, zip: ZipArchive, e: ZipEntry): void {
  e.content = 'hdf5';
  let src: ByteSource | undefined;
  if (e.method === 0) {
    const loc = locateData(zip, e);
    if (loc.ok) {
      src = new SliceByteSource(zip.source, loc.dataOffset, e.compressedSize);
      e.read = true;
    } else ctx.report.malformed('invalid', `Cannot read ${e.name}: ${loc.error}`, { reason: 'truncated', entry: e.name });
  } else {
    const opened = openEntry(zip, e, ctx.limits.zipPickleEntryBytes, ctx.limits);
    if (opened.ok) src = opened.content.source;
    else ctx.report.malformed('suspicious', `Cannot read ${e.name}: ${opened.error}`, { reason: /cap/.test(opened.error) ? 'limit-exceeded' : 'parse-error', entry: e.name }, 'warning');
  }
  if (!src) {
    ctx.report.incomplete(`the weights file ${e.name}`);
    return;
  }
  readHdf5(ctx.member(e.name), src, { kind: 'hdf5', offset: 0, confidence: 'certain' });
}
