/**
 * Recovers PyTorch tensors symbolically from a disassembled data.pkl / legacy object pickle
 * (formats.md §2.1): `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks)`
 * where `storage` is a persistent id `('storage', storage_type, key, location, numel)`.
 */
import { STORAGE_DTYPES } from '../pickle/allowlists';
import { globalKey, intTuple, intValue, seqItems, type PCall, type PValue } from '../pickle/values';
import { elementCount } from './numpy-dtype';
import { walkObject } from './object-tree';

/** Element sizes of torch dtypes (bytes). */
export const TORCH_ELEMENT_SIZE: Readonly<Record<string, number>> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, complex32: 4, complex64: 8, complex128: 16,
  uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8, uint16: 2, uint32: 4, uint64: 8, bool: 1,
  qint8: 1, quint8: 1, qint32: 4, quint4x2: 1, quint2x4: 1,
  float8_e5m2: 1, float8_e4m3fn: 1, float8_e5m2fnuz: 1, float8_e4m3fnuz: 1, float8_e8m0fnu: 1, float4_e2m1fn_x2: 1,
  bits1x8: 1, bits2x4: 1, bits4x2: 1, bits8: 1, bits16: 2,
};

/** torch dtype aliases (`torch.float` is float32…) → canonical names. */
const DTYPE_ALIASES: Record<string, string> = {
  float: 'float32', double: 'float64', half: 'float16', cfloat: 'complex64', cdouble: 'complex128', chalf: 'complex32',
  short: 'int16', int: 'int32', long: 'int64',
};

export interface StorageRef {
  key: string;
  /** dtype of the storage elements (from the storage class; uint8 for UntypedStorage). */
  dtype: string;
  location?: string;
  /** Elements (bytes for UntypedStorage) the storage holds. */
  numel?: number;
  untyped: boolean;
}

export interface RecoveredTensor {
  name: string;
  dtype: string;
  shape: number[];
  stride?: number[];
  storage?: StorageRef;
  storageOffset?: number;
  requiresGrad?: boolean;
  quantized?: boolean;
}

/** Parses a persistent id `('storage', storage_type, key, location, numel[, view_metadata])`. */
export function storageFromPid(pid: PValue): StorageRef | undefined {
  const items = seqItems(pid);
  if (!items || items.length < 5 || items[0].t !== 'str' || items[0].v !== 'storage') return undefined;
  const type = items[1];
  const key = items[2];
  if (key.t !== 'str' && key.t !== 'int') return undefined;
  const keyText = key.t === 'str' ? key.v : String(key.v);
  let dtype = 'unknown';
  let untyped = false;
  if (type.t === 'global' && (type.module === 'torch' || type.module === 'torch.cuda' || type.module === 'torch.storage')) {
    dtype = STORAGE_DTYPES[type.name] ?? 'unknown';
    untyped = type.name === 'UntypedStorage';
  }
  const location = items[3].t === 'str' ? items[3].v : undefined;
  const numel = intValue(items[4]);
  const ref: StorageRef = { key: keyText, dtype, untyped };
  if (location !== undefined) ref.location = location;
  if (numel !== undefined) ref.numel = numel;
  return ref;
}

function dtypeFromGlobal(v: PValue | undefined): string | undefined {
  if (v?.t !== 'global' || v.module !== 'torch') return undefined;
  return DTYPE_ALIASES[v.name] ?? (TORCH_ELEMENT_SIZE[v.name] !== undefined ? v.name : undefined);
}

const REBUILD = new Set(['torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor_v3', 'torch._utils._rebuild_qtensor']);
const PARAMETER = new Set(['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state']);

/** The tensor a rebuild call produces, when it can be recovered from constants. */
export function tensorFromCall(call: PCall, depth = 0): Omit<RecoveredTensor, 'name'> | undefined {
  if (call.callee.t !== 'global' || depth > 4) return undefined;
  const key = globalKey(call.callee);
  const args = seqItems(call.args);
  if (!args) return undefined;
  if (PARAMETER.has(key)) {
    const inner = args[0];
    if (inner?.t !== 'call') return undefined;
    const t = tensorFromCall(inner, depth + 1);
    if (t && args[1]?.t === 'bool') t.requiresGrad = args[1].v;
    return t;
  }
  if (key === 'torch._tensor._rebuild_from_type_v2') {
    const fn = args[0];
    const fnArgs = args[2];
    if (fn?.t !== 'global' || !fnArgs) return undefined;
    return tensorFromCall({ t: 'call', kind: 'REDUCE', callee: fn, args: fnArgs, offset: call.offset }, depth + 1);
  }
  if (!REBUILD.has(key)) return undefined;
  const storageVal = args[0];
  const storage = storageVal?.t === 'persid' ? storageFromPid(storageVal.pid) : undefined;
  const shape = intTuple(args[2]);
  if (!shape) return undefined;
  const stride = intTuple(args[3]);
  const out: Omit<RecoveredTensor, 'name'> = { dtype: storage?.dtype ?? 'unknown', shape };
  if (stride) out.stride = stride;
  if (storage) out.storage = storage;
  const off = intValue(args[1]);
  if (off !== undefined) out.storageOffset = off;
  if (key === 'torch._utils._rebuild_tensor_v3') {
    const d = dtypeFromGlobal(args[6]);
    if (d) out.dtype = d;
  }
  if (key === 'torch._utils._rebuild_qtensor') out.quantized = true;
  const rg = key === 'torch._utils._rebuild_qtensor' ? args[5] : args[4];
  if (rg?.t === 'bool') out.requiresGrad = rg.v;
  return out;
}

/** Every tensor reachable from `root`, named by key path. */
export function recoverTensors(root: PValue, max: number): RecoveredTensor[] {
  const out: RecoveredTensor[] = [];
  walkObject(root, (path, v) => {
    if (out.length >= max) return 'stop';
    if (v.t !== 'call') return;
    const t = tensorFromCall(v);
    if (!t) return;
    out.push({ name: path.join('.') || '<root>', ...t });
    return 'stop';
  });
  return out;
}

/** Bytes covered by a tensor's own elements. */
export function tensorBytes(dtype: string, shape: number[]): number | undefined {
  const size = TORCH_ELEMENT_SIZE[dtype];
  const n = elementCount(shape);
  return size === undefined || n === undefined ? undefined : n * size;
}

/** Elements of the storage a view reaches: storage_offset + Σ (size_i − 1) × stride_i + 1. */
export function viewExtent(shape: number[], stride: number[] | undefined, storageOffset: number): number | undefined {
  if (shape.some((d) => d === 0)) return storageOffset;
  if (!stride || stride.length !== shape.length) {
    const n = elementCount(shape);
    return n === undefined ? undefined : storageOffset + n;
  }
  let extent = storageOffset + 1;
  for (let i = 0; i < shape.length; i++) extent += (shape[i] - 1) * Math.abs(stride[i]);
  return Number.isSafeInteger(extent) ? extent : undefined;
}
