/**
 * Symbolic values of the pickle disassembler: what each opcode would push, without creating any
 * Python object. Containers are shared by reference (DUP, memo), exactly as in the real
 * unpickler, so later APPEND/SETITEM/BUILD mutations are seen through every alias.
 */
import type { ByteSource } from '../byte-source';

export type CallKind = 'REDUCE' | 'NEWOBJ' | 'NEWOBJ_EX' | 'OBJ' | 'INST';

export type PValue =
  | { t: 'none' }
  | { t: 'bool'; v: boolean }
  /** `v` is exact when |x| ≤ 2^53; `big` holds the exact decimal (or a placeholder) for larger ints. */
  | { t: 'int'; v: number; big?: string }
  | { t: 'float'; v: number }
  /** `truncated` when the string was longer than the kept limit (`len` is the full length in bytes). */
  | { t: 'str'; v: string; truncated?: boolean; len?: number }
  /** Raw bytes at [off, off+len) of `src` (not copied). `array` for BYTEARRAY8. */
  | { t: 'bytes'; src: ByteSource; off: number; len: number; array?: boolean }
  | { t: 'tuple'; items: PValue[] }
  | { t: 'list'; items: PValue[] }
  | { t: 'dict'; entries: [PValue, PValue][] }
  | { t: 'set'; items: PValue[]; frozen: boolean }
  /** An imported global (module.name), as found by GLOBAL/STACK_GLOBAL/INST. */
  | { t: 'global'; module: string; name: string; offset: number }
  /** The result of calling/instantiating `callee`. Mutations through APPEND/SETITEM/BUILD are kept here. */
  | PCall
  | { t: 'persid'; pid: PValue; offset: number }
  /** Protocol-5 out-of-band buffer. */
  | { t: 'buffer'; offset: number }
  /** Something the disassembler cannot know (missing memo key, EXT code, …). */
  | { t: 'unknown'; why: string };

export interface PCall {
  t: 'call';
  kind: CallKind;
  callee: PValue;
  args: PValue;
  kwargs?: PValue;
  offset: number;
  /** BUILD state(s) applied to the result. */
  state?: PValue;
  /** APPEND/APPENDS/ADDITEMS items and SETITEM/SETITEMS entries applied to the result. */
  items?: PValue[];
  entries?: [PValue, PValue][];
}

export const NONE: PValue = { t: 'none' };

export function isStr(v: PValue | undefined): v is { t: 'str'; v: string; truncated?: boolean } {
  return v?.t === 'str';
}

export function intValue(v: PValue | undefined): number | undefined {
  if (v?.t === 'int' && v.big === undefined && Number.isSafeInteger(v.v)) return v.v;
  if (v?.t === 'bool') return v.v ? 1 : 0;
  return undefined;
}

export function globalKey(g: { module: string; name: string }): string {
  return `${g.module}.${g.name}`;
}

/** The dotted name of a call's callee when it is a plain global. */
export function calleeName(v: PValue): string | undefined {
  return v.t === 'global' ? globalKey(v) : undefined;
}

/** Items of a tuple/list value, else undefined. */
export function seqItems(v: PValue | undefined): PValue[] | undefined {
  if (!v) return undefined;
  if (v.t === 'tuple' || v.t === 'list') return v.items;
  return undefined;
}

/** A tuple/list of small ints (shapes, strides), else undefined. */
export function intTuple(v: PValue | undefined): number[] | undefined {
  const items = seqItems(v);
  if (!items) return undefined;
  const out: number[] = [];
  for (const it of items) {
    const n = intValue(it);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

/** Key/value pairs of a dict, or of an OrderedDict/dict-like call result (its SETITEM entries). */
export function dictEntries(v: PValue | undefined): [PValue, PValue][] | undefined {
  if (!v) return undefined;
  if (v.t === 'dict') return v.entries;
  if (v.t === 'call') return v.entries ?? [];
  return undefined;
}

/** A value from a dict keyed by a string. Last duplicate wins, as in Python. */
export function dictGet(v: PValue | undefined, key: string): PValue | undefined {
  const entries = dictEntries(v);
  if (!entries) return undefined;
  let found: PValue | undefined;
  for (const [k, val] of entries) if (k.t === 'str' && k.v === key) found = val;
  return found;
}

/** A short, human description for messages and the report ("OrderedDict (12 items)", "'cpu'"). */
export function describe(v: PValue | undefined, depth = 0): string {
  if (!v) return '?';
  switch (v.t) {
    case 'none':
      return 'None';
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'int':
      return v.big ?? String(v.v);
    case 'float':
      return String(v.v);
    case 'str': {
      const s = v.v.length > 40 ? `${v.v.slice(0, 40)}…` : v.v;
      return JSON.stringify(s);
    }
    case 'bytes':
      return `${v.array ? 'bytearray' : 'bytes'}[${v.len}]`;
    case 'tuple':
    case 'list': {
      const open = v.t === 'tuple' ? '(' : '[';
      const close = v.t === 'tuple' ? ')' : ']';
      if (depth > 1 || v.items.length > 4) return `${v.t} (${v.items.length} items)`;
      return `${open}${v.items.map((i) => describe(i, depth + 1)).join(', ')}${close}`;
    }
    case 'dict':
      return `dict (${v.entries.length} items)`;
    case 'set':
      return `${v.frozen ? 'frozenset' : 'set'} (${v.items.length} items)`;
    case 'global':
      return globalKey(v);
    case 'call': {
      const name = v.callee.t === 'global' ? globalKey(v.callee) : depth > 1 ? '…' : `(${describe(v.callee, depth + 1)})`;
      const n = (v.entries?.length ?? 0) + (v.items?.length ?? 0);
      return n > 0 ? `${name}(…) (${n} items)` : `${name}(…)`;
    }
    case 'persid':
      return `persistent_id ${describe(v.pid, depth + 1)}`;
    case 'buffer':
      return 'out-of-band buffer';
    case 'unknown':
      return `<unknown: ${v.why}>`;
  }
}
