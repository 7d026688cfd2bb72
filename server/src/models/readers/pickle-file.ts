/**
 * Plain pickles, joblib files and legacy (pre-1.6) torch files: all are pickle streams read from
 * offset 0 (formats.md §2.1 legacy format, §3, §7.2).
 *
 * Legacy torch: five stacked pickles (magic number, protocol version 1001, sys_info, the object with
 * `('storage', …)` persistent ids, the storage keys), then each storage as an 8-byte element count
 * and its raw bytes. Only the 8-byte counts of the storages are read (to locate tensors).
 */
import type { ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import { scanPickle, type PickleScan } from '../pickle/analyze';
import { describe, intValue, seqItems, type PValue } from '../pickle/values';
import type { StreamResult } from '../pickle/disassembler';
import type { FormatCandidate, JsonValue, TensorInfo } from '../types';
import { walkObject } from './object-tree';
import { recoverTensors, storageFromPid, TORCH_ELEMENT_SIZE, tensorBytes, viewExtent, type RecoveredTensor, type StorageRef } from './torch-tensors';

const LEGACY_MAGIC = '119547037146038801333356';
const LEGACY_PROTOCOL_VERSION = 1001;

function protocolOf(streams: StreamResult[]): number {
  return streams[0]?.protocol ?? 0;
}

/** JSON view of a small constant value (sys_info), bounded. */
function toJson(v: PValue | undefined, depth = 0): JsonValue {
  if (!v || depth > 4) return null;
  switch (v.t) {
    case 'none': return null;
    case 'bool': return v.v;
    case 'int': return v.big ?? v.v;
    case 'float': return Number.isFinite(v.v) ? v.v : String(v.v);
    case 'str': return v.v.slice(0, 200);
    case 'tuple':
    case 'list': return v.items.slice(0, 32).map((x) => toJson(x, depth + 1));
    case 'dict': {
      const o: Record<string, JsonValue> = {};
      for (const [k, x] of v.entries.slice(0, 32)) o[k.t === 'str' ? k.v : describe(k)] = toJson(x, depth + 1);
      return o;
    }
    default: return describe(v);
  }
}

/** Adds recovered tensors to the report; `locate` gives a storage's absolute data offset when known. */
export function reportTensors(ctx: InspectContext, tensors: RecoveredTensor[], locate: (s: StorageRef) => number | undefined): void {
  for (const t of tensors) {
    const info: TensorInfo = { name: t.name, dtype: t.dtype, shape: t.shape };
    const bytes = tensorBytes(t.dtype, t.shape);
    if (bytes !== undefined) info.bytes = bytes;
    if (t.storage) {
      info.storage = t.storage.key;
      if (t.storage.location) info.device = t.storage.location;
      const base = locate(t.storage);
      const size = TORCH_ELEMENT_SIZE[t.dtype];
      if (base !== undefined && size !== undefined) info.offset = base + (t.storageOffset ?? 0) * size;
    }
    if (t.storageOffset !== undefined) info.storageOffset = t.storageOffset;
    if (t.stride) info.stride = t.stride;
    if (t.requiresGrad !== undefined) info.requiresGrad = t.requiresGrad;
    ctx.report.addTensor(info);
  }
}

/** Checks each tensor view fits its storage (torch raises when it does not). */
export function checkViews(ctx: InspectContext, tensors: RecoveredTensor[], entry?: string): void {
  for (const t of tensors) {
    const numel = t.storage?.numel;
    if (numel === undefined || t.storage?.untyped) continue;
    const extent = viewExtent(t.shape, t.stride, t.storageOffset ?? 0);
    if (extent !== undefined && extent > numel) {
      ctx.report.malformed('invalid', `Tensor "${t.name}" (shape ${JSON.stringify(t.shape)}, offset ${t.storageOffset ?? 0}) reaches element ${extent} of storage ${t.storage!.key}, which holds ${numel}`, { reason: 'storage-mismatch', entry });
    }
  }
}

export function readPickleFile(ctx: InspectContext, source: ByteSource, candidate: FormatCandidate): void {
  if (candidate.kind === 'pytorch-legacy') {
    readLegacyTorch(ctx, source);
    return;
  }
  const scan = scanPickle(ctx, source, 0, source.size);
  const proto = protocolOf(scan.streams);
  const n = scan.streams.length;
  const complete = scan.streams.filter((s) => s.complete).length;
  const streamsNote = complete > 1 ? `, ${complete} streams` : '';
  if (scan.usesJoblib) {
    ctx.setFormat('joblib', `joblib pickle, protocol ${proto}${streamsNote}`);
    reportJoblibArrays(ctx, scan);
  } else {
    const noProto = scan.streams[0] !== undefined && !scan.streams[0].counts.has('PROTO');
    const op = scan.streams[0]?.opcodeProtocol ?? 0;
    const shown = noProto ? (op <= 1 ? `${op} (no PROTO)` : `0/1 with protocol-${op} opcodes (no PROTO)`) : String(proto);
    ctx.setFormat('pickle', `pickle protocol ${shown}${streamsNote}`);
  }
  const result = scan.streams[0]?.result;
  if (ctx.isTop) {
    ctx.report.meta('pickle.protocol', proto);
    ctx.report.meta('pickle.streams', n);
    if (result) ctx.report.meta('pickle.object', describe(result));
  }
  if (result && !scan.usesJoblib) {
    const tensors = recoverTensors(result, ctx.limits.tensorsReported);
    reportTensors(ctx, tensors, () => undefined);
  }
}

/** Names joblib arrays by their key path in the pickled object. */
function reportJoblibArrays(ctx: InspectContext, scan: PickleScan): void {
  const names = new Map<PValue, string>();
  const root = scan.streams[0]?.result;
  if (root) {
    const wanted = new Set<PValue>(scan.joblibArrays.map((a) => a.node));
    walkObject(root, (path, v) => {
      if (wanted.has(v) && !names.has(v)) {
        names.set(v, path.join('.') || '<root>');
        return 'stop';
      }
    });
  }
  scan.joblibArrays.forEach((a, i) => {
    const info: TensorInfo = { name: names.get(a.node) ?? `array ${i}`, dtype: a.dtype, shape: a.shape };
    if (!a.objectArray) info.bytes = a.bytes;
    if (a.fileOffset !== undefined) info.offset = a.fileOffset;
    if (a.order === 'F') info.fortranOrder = true;
    ctx.report.addTensor(info);
  });
}

function readLegacyTorch(ctx: InspectContext, source: ByteSource): void {
  const scan = scanPickle(ctx, source, 0, source.size, { expectedStreams: 5 });
  const [magic, version, sysInfo, object, keys] = scan.streams.map((s) => s.result);
  const proto = protocolOf(scan.streams);
  ctx.setFormat('pytorch-legacy', `torch legacy (stacked pickles), protocol ${proto}`);
  const report = ctx.report;
  if (magic?.t !== 'int' || magic.big !== LEGACY_MAGIC) {
    report.malformed('suspicious', `The first pickle is not torch's legacy magic number (got ${describe(magic)})`, { reason: 'header-invalid', offset: 0, entry: ctx.entry });
  }
  const pv = intValue(version);
  if (ctx.isTop) {
    if (pv !== undefined) report.meta('torch.legacy_protocol_version', pv);
    if (sysInfo) report.meta('torch.sys_info', toJson(sysInfo));
  }
  if (version !== undefined && pv !== LEGACY_PROTOCOL_VERSION) {
    report.malformed('suspicious', `Legacy torch protocol version is ${describe(version)}, expected ${LEGACY_PROTOCOL_VERSION}`, { reason: 'header-invalid', entry: ctx.entry });
  }
  if (scan.streams.some((s) => !s.complete)) return; // the failing stream was reported
  if (scan.streams.length < 5 || !object || !keys) {
    report.malformed('invalid', `Legacy torch file holds ${scan.streams.length} of its 5 pickles (truncated)`, { reason: 'truncated', offset: scan.end, entry: ctx.entry });
    return;
  }
  const tensors = recoverTensors(object, ctx.limits.tensorsReported);
  const storages = new Map<string, StorageRef>();
  for (const t of tensors) if (t.storage && !storages.has(t.storage.key)) storages.set(t.storage.key, t.storage);
  // storages pickled on their own (torch.save(storage), nested _load_from_bytes blobs)
  walkObject(object, (_path, v) => {
    if (v.t !== 'persid') return;
    const s = storageFromPid(v.pid);
    if (s && !storages.has(s.key)) storages.set(s.key, s);
    return 'stop';
  });
  // raw storages: for each key, an 8-byte little-endian element count, then the elements
  const keyList = (seqItems(keys) ?? []).map((k) => (k.t === 'str' ? k.v : describe(k)));
  const offsets = new Map<string, number>();
  let pos = scan.end;
  let ok = true;
  for (const key of keyList.slice(0, 100_000)) {
    ctx.checkTime();
    const head = source.read(pos, 8);
    if (head.length < 8) {
      report.malformed('invalid', `Legacy torch storage "${key}" is missing: the file ends at ${source.size} (truncated)`, { reason: 'truncated', offset: pos, entry: ctx.entry });
      ok = false;
      break;
    }
    const count = head.readBigUInt64LE(0);
    const ref = storages.get(key);
    const size = ref ? (TORCH_ELEMENT_SIZE[ref.dtype] ?? 1) : undefined;
    if (size === undefined || count > BigInt(Number.MAX_SAFE_INTEGER)) {
      report.malformed('suspicious', `Legacy torch storage "${key}" is not referenced by any tensor (or has an unknown size); the storages after it were not located`, { reason: 'storage-mismatch', offset: pos, entry: ctx.entry });
      ok = false;
      break;
    }
    const numel = Number(count);
    if (ref?.numel !== undefined && ref.numel !== numel) {
      report.malformed('invalid', `Legacy torch storage "${key}" holds ${numel} elements, the pickle says ${ref.numel}`, { reason: 'storage-mismatch', offset: pos, entry: ctx.entry });
    }
    offsets.set(key, pos + 8);
    pos += 8 + numel * size;
    if (pos > source.size) {
      report.malformed('invalid', `Legacy torch storage "${key}" runs past the end of the file (truncated)`, { reason: 'truncated', offset: pos, entry: ctx.entry });
      ok = false;
      break;
    }
  }
  if (ok && pos < source.size) {
    report.malformed('suspicious', `${source.size - pos} bytes follow the last legacy torch storage (trailing data)`, { reason: 'trailing-data', offset: pos, entry: ctx.entry });
  }
  checkViews(ctx, tensors, ctx.entry);
  reportTensors(ctx, tensors, (s) => {
    const off = offsets.get(s.key);
    return off === undefined ? undefined : ctx.fileOffset(source, off);
  });
  if (ctx.isTop) report.meta('torch.storages', keyList.length);
}
