/**
 * NumPy dtype descriptors (`descr` in .npy headers, `numpy.dtype('f4', …)` in pickles) decoded to
 * a normalized name and an element size, without numpy.
 */

export interface NumpyDtype {
  /** Normalized name: float32, int64, bool, object, unicode<10>, bytes<5>, void<16>, structured{…}, datetime64[ns]… */
  dtype: string;
  itemsize: number;
  hasObject: boolean;
  /** '<', '>', '|', '=' or '' */
  byteorder: string;
}

const KIND_SIZES: Record<string, Record<number, string>> = {
  f: { 2: 'float16', 4: 'float32', 8: 'float64', 10: 'float80', 12: 'float96', 16: 'float128' },
  i: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
  u: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
  c: { 8: 'complex64', 16: 'complex128', 32: 'complex256' },
  b: { 1: 'bool' },
};

/** Single-character type codes (numpy `dtype.char`), on a 64-bit little-endian Linux. */
const CHAR_CODES: Record<string, [string, number]> = {
  '?': ['bool', 1], b: ['int8', 1], B: ['uint8', 1], h: ['int16', 2], H: ['uint16', 2], i: ['int32', 4], I: ['uint32', 4],
  l: ['int64', 8], L: ['uint64', 8], q: ['int64', 8], Q: ['uint64', 8], p: ['int64', 8], P: ['uint64', 8],
  e: ['float16', 2], f: ['float32', 4], d: ['float64', 8], g: ['float128', 16], F: ['complex64', 8], D: ['complex128', 16],
  G: ['complex256', 32], O: ['object', 8],
};

/** Decodes a simple descr string ('<f4', '|O', '<U10', 'S5', '<M8[ns]', 'f4', 'O8'); undefined if unknown. */
export function parseDescrString(descr: string): NumpyDtype | undefined {
  const m = /^([<>|=!]?)([a-zA-Z?])(\d*)(\[[A-Za-z0-9]+\])?$/.exec(descr);
  if (!m) return undefined;
  const [, order, kind, digits, unit] = m;
  const n = digits === '' ? undefined : Number(digits);
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 31)) return undefined;
  if (unit !== undefined && kind !== 'M' && kind !== 'm') return undefined;
  switch (kind) {
    case 'O':
      if (n !== undefined && n !== 8 && n !== 4) return undefined;
      return { dtype: 'object', itemsize: 8, hasObject: true, byteorder: order };
    case 'U':
      return { dtype: `unicode<${n ?? 0}>`, itemsize: 4 * (n ?? 0), hasObject: false, byteorder: order };
    case 'S':
    case 'a':
      return { dtype: `bytes<${n ?? 0}>`, itemsize: n ?? 0, hasObject: false, byteorder: order };
    case 'V':
      return { dtype: `void<${n ?? 0}>`, itemsize: n ?? 0, hasObject: false, byteorder: order };
    case 'M':
    case 'm':
      if (n !== undefined && n !== 8) return undefined;
      return { dtype: `${kind === 'M' ? 'datetime64' : 'timedelta64'}${unit ?? ''}`, itemsize: 8, hasObject: false, byteorder: order };
    default: {
      if (n === undefined) {
        const c = CHAR_CODES[kind];
        return c ? { dtype: c[0], itemsize: c[1], hasObject: c[0] === 'object', byteorder: order } : undefined;
      }
      const name = KIND_SIZES[kind]?.[n];
      return name ? { dtype: name, itemsize: n, hasObject: false, byteorder: order } : undefined;
    }
  }
}

/** A descr that is a string or a structured list [(name, descr[, shape]), …] (as parsed from an npy header). */
export type DescrValue = string | DescrValue[] | number | boolean | null | { [k: string]: DescrValue };

export function parseDescr(descr: DescrValue, depth = 0): NumpyDtype | undefined {
  if (typeof descr === 'string') return parseDescrString(descr);
  if (!Array.isArray(descr) || depth > 8 || descr.length > 10_000) return undefined;
  let itemsize = 0;
  let hasObject = false;
  const names: string[] = [];
  for (const field of descr) {
    if (!Array.isArray(field) || field.length < 2 || field.length > 3) return undefined;
    const [name, sub, shape] = field;
    const fieldName = typeof name === 'string' ? name : Array.isArray(name) && typeof name[1] === 'string' ? name[1] : undefined;
    if (fieldName === undefined) return undefined;
    const d = parseDescr(sub as DescrValue, depth + 1);
    if (!d) return undefined;
    let count = 1;
    if (shape !== undefined) {
      const dims = typeof shape === 'number' ? [shape] : Array.isArray(shape) ? shape : undefined;
      if (!dims || !dims.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) return undefined;
      count = (dims as number[]).reduce((a, b) => a * b, 1);
    }
    itemsize += d.itemsize * count;
    hasObject ||= d.hasObject;
    names.push(fieldName);
  }
  if (!Number.isSafeInteger(itemsize)) return undefined;
  return { dtype: `structured{${names.slice(0, 8).join(',')}${names.length > 8 ? ',…' : ''}}`, itemsize, hasObject, byteorder: '|' };
}

/** Product of dims with overflow detection (undefined when it is not a safe integer). */
export function elementCount(shape: number[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return undefined;
    n *= d;
    if (!Number.isSafeInteger(n)) return undefined;
  }
  return n;
}
