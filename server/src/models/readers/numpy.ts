/**
 * NumPy `.npy` and `.npz` (formats.md §7.1). The .npy header is a Python dict literal; it is read
 * by a strict literal parser (strings, ints, booleans, None, tuples, lists, dicts — never eval),
 * limited to 10,000 characters like numpy, with exactly the keys descr, fortran_order and shape.
 * Object arrays (`|O`) are followed by a pickle: it is disassembled like any other.
 */
import type { ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import { scanPickle } from '../pickle/analyze';
import type { FormatCandidate, JsonValue, NumpySection, TensorInfo } from '../types';
import { entryHead, openEntry, type ZipArchive } from '../zip/zip-reader';
import { elementCount, parseDescr, type DescrValue, type NumpyDtype } from './numpy-dtype';
import { scanZipMember } from './zip-members';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

export interface NpyHeader {
  version: string;
  headerLength: number;
  dataOffset: number;
  descr: DescrValue;
  dtype: NumpyDtype;
  fortranOrder: boolean;
  shape: number[];
}

/** A strict Python-literal parser for .npy headers. Throws a message string on anything else. */
export function parsePythonLiteral(text: string): DescrValue {
  let i = 0;
  let depth = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): DescrValue => {
    ws();
    const c = text[i];
    if (c === undefined) throw 'unexpected end of header';
    if (c === '{' || c === '(' || c === '[') {
      if (++depth > 16) throw 'header nested too deeply';
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      i++;
      const items: DescrValue[] = [];
      const dict: Record<string, DescrValue> = {};
      let keys = 0;
      let sawComma = false;
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          break;
        }
        if (items.length + keys > 0 && !sawComma) throw `expected ',' at ${i}`;
        const v = value();
        if (c === '{') {
          ws();
          if (text[i] !== ':') throw `expected ':' at ${i}`;
          i++;
          if (typeof v !== 'string') throw 'dict keys must be strings';
          if (Object.prototype.hasOwnProperty.call(dict, v)) throw `duplicate key ${JSON.stringify(v)}`;
          dict[v] = value();
          keys++;
        } else items.push(v);
        ws();
        sawComma = text[i] === ',';
        if (sawComma) i++;
      }
      depth--;
      if (c === '{') return dict;
      // (x) without a comma is just x in Python
      if (c === '(' && items.length === 1 && !sawComma) return items[0];
      return items;
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') {
          const e = text[i + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
          if (e === undefined || map[e] === undefined) throw `unsupported escape at ${i}`;
          s += map[e];
          i += 2;
        } else if (text[i] === '\n') throw 'newline in string';
        else s += text[i++];
      }
      if (text[i] !== c) throw 'unterminated string';
      i++;
      return s;
    }
    const m = /^(True|False|None|-?\d+)/.exec(text.slice(i, i + 32));
    if (!m) throw `unexpected ${JSON.stringify(text.slice(i, i + 10))} at ${i}`;
    i += m[1].length;
    if (m[1] === 'True') return true;
    if (m[1] === 'False') return false;
    if (m[1] === 'None') return null;
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n)) throw 'integer out of range';
    return n;
  };
  const v = value();
  ws();
  if (i !== text.length) throw `unexpected text after the literal at ${i}`;
  return v;
}

/** Parses an .npy header from the first bytes of the data. */
export function parseNpyHeader(head: Buffer, maxChars: number): NpyHeader | { error: string; truncated: boolean } {
  if (head.length < 10 || !head.subarray(0, 6).equals(MAGIC)) return { error: 'no \\x93NUMPY magic', truncated: head.length < 10 };
  const major = head[6];
  const minor = head[7];
  if (![1, 2, 3].includes(major) || minor !== 0) return { error: `unsupported .npy version ${major}.${minor}`, truncated: false };
  const lenBytes = major === 1 ? 2 : 4;
  if (head.length < 8 + lenBytes) return { error: 'header length truncated', truncated: true };
  const headerLength = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const start = 8 + lenBytes;
  if (headerLength > maxChars) return { error: `header of ${headerLength} bytes exceeds numpy's ${maxChars}-character limit (np.load refuses it without allow_pickle)`, truncated: false };
  if (head.length < start + headerLength) return { error: `header (${headerLength} bytes) is truncated`, truncated: true };
  const text = head.subarray(start, start + headerLength).toString(major === 3 ? 'utf8' : 'latin1');
  let lit: DescrValue;
  try {
    lit = parsePythonLiteral(text);
  } catch (e) {
    return { error: `header is not a plain dict literal: ${String(e)}`, truncated: false };
  }
  if (typeof lit !== 'object' || lit === null || Array.isArray(lit)) return { error: 'header is not a dict', truncated: false };
  const keys = Object.keys(lit).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') return { error: `header keys are {${Object.keys(lit).join(', ')}}, expected exactly descr, fortran_order, shape`, truncated: false };
  const { descr, fortran_order: fortran, shape } = lit as Record<string, DescrValue>;
  if (typeof fortran !== 'boolean') return { error: 'fortran_order is not a bool', truncated: false };
  const dims = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(dims) || !dims.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) return { error: 'shape is not a tuple of non-negative ints', truncated: false };
  const dtype = parseDescr(descr);
  if (!dtype) return { error: `unsupported descr ${JSON.stringify(descr).slice(0, 80)}`, truncated: false };
  return { version: `${major}.${minor}`, headerLength, dataOffset: start + headerLength, descr, dtype, fortranOrder: fortran, shape: dims as number[] };
}

/**
 * Examines one .npy (the file, or an npz member whose uncompressed bytes are `source`).
 * `name` is the array name for the tensor table.
 */
function readNpyFrom(ctx: InspectContext, source: ByteSource, name: string, top: boolean): void {
  const head = source.read(0, 16 + ctx.limits.npyHeaderChars + 8);
  const h = parseNpyHeader(head, ctx.limits.npyHeaderChars);
  if ('error' in h) {
    ctx.report.malformed('invalid', `Invalid .npy${top ? '' : ` member ${JSON.stringify(name)}`}: ${h.error}`, { reason: h.truncated ? 'truncated' : 'header-invalid', offset: 0, entry: ctx.entry });
    return;
  }
  const count = elementCount(h.shape);
  const actual = source.size - h.dataOffset;
  const expected = count === undefined || h.dtype.hasObject ? undefined : count * h.dtype.itemsize;
  const tensor: TensorInfo = { name, dtype: h.dtype.dtype, shape: h.shape };
  if (h.fortranOrder) tensor.fortranOrder = true;
  if (expected !== undefined) tensor.bytes = expected;
  const off = ctx.fileOffset(source, h.dataOffset);
  if (off !== undefined) tensor.offset = off;
  ctx.report.addTensor(tensor);
  if (top) {
    const section: NumpySection = {
      version: h.version, descr: h.descr as JsonValue, fortranOrder: h.fortranOrder, shape: h.shape,
      headerLength: h.headerLength, dataOffset: h.dataOffset, actualDataBytes: actual, hasObjects: h.dtype.hasObject,
    };
    if (expected !== undefined) section.expectedDataBytes = expected;
    ctx.report.numpy = section;
    ctx.report.meta('numpy.version', h.version);
    ctx.report.meta('numpy.descr', h.descr as JsonValue);
  }
  const label = top ? undefined : name;
  if (h.dtype.hasObject) {
    ctx.report.note(`${top ? 'The array' : `Array ${JSON.stringify(name)}`} has object dtype: its data is a pickle (np.load needs allow_pickle=True); it was disassembled, not loaded.`);
    scanPickle(ctx, source, h.dataOffset, source.size);
    return;
  }
  if (expected === undefined) {
    ctx.report.malformed('invalid', `Array shape ${JSON.stringify(h.shape)} overflows`, { reason: 'header-invalid', entry: ctx.entry ?? label });
  } else if (actual < expected) {
    ctx.report.malformed('invalid', `Truncated .npy data: ${actual} bytes after the header, ${expected} expected for ${h.dtype.dtype} ${JSON.stringify(h.shape)}`, { reason: 'truncated', offset: h.dataOffset, entry: ctx.entry });
  } else if (actual > expected) {
    ctx.report.malformed('suspicious', `${actual - expected} bytes follow the array data (trailing data; np.load ignores them)`, { reason: 'trailing-data', offset: h.dataOffset + expected, entry: ctx.entry });
  }
}

export function readNpy(ctx: InspectContext, source: ByteSource, _candidate: FormatCandidate): void {
  const head = source.read(0, 8);
  ctx.setFormat('numpy-npy', `NumPy .npy v${head[6] ?? '?'}.${head[7] ?? '?'}`);
  readNpyFrom(ctx, source, 'array', ctx.isTop);
}

/** An .npz archive: every member is examined by content (npy members as arrays, others generically). */
export function readNpz(ctx: InspectContext, zip: ZipArchive): void {
  ctx.setFormat('numpy-npz', `NumPy .npz (${zip.entries.length} member${zip.entries.length === 1 ? '' : 's'})`);
  let examined = 0;
  for (const e of zip.entries) {
    ctx.checkTime();
    if (e.name.endsWith('/')) continue;
    if (examined++ >= ctx.limits.zipMembersSniffed) {
      ctx.report.incomplete(`npz members beyond the first ${ctx.limits.zipMembersSniffed}`);
      break;
    }
    const head = entryHead(zip, e, 16);
    const arrayName = e.name.replace(/\.npy$/, '');
    const member = ctx.member(e.name);
    if (head && head.subarray(0, 6).equals(MAGIC)) {
      // stored members map onto the file; compressed ones need the header (and, for objects, everything)
      const headBig = entryHead(zip, e, 16 + ctx.limits.npyHeaderChars + 8) ?? head;
      const h = parseNpyHeader(headBig, ctx.limits.npyHeaderChars);
      const needsAll = 'error' in h ? false : h.dtype.hasObject;
      if (e.method === 0 || needsAll) {
        const opened = openEntry(zip, e, ctx.limits.zipPickleEntryBytes, ctx.limits);
        if (!opened.ok) {
          ctx.report.malformed('invalid', `Cannot read npz member ${JSON.stringify(e.name)}: ${opened.error}`, { reason: 'parse-error', entry: e.name });
          ctx.report.incomplete(`npz member ${e.name}`);
          continue;
        }
        readNpyFrom(member, opened.content.source, arrayName, false);
      } else {
        // deflated numeric array: the header is enough; the size comes from the central directory
        readNpyFrom(member, new SizedHead(headBig, e.uncompressedSize), arrayName, false);
      }
      continue;
    }
    scanZipMember(ctx, zip, e);
  }
}

/** A source whose first bytes are known and whose size is declared (for compressed members' headers). */
class SizedHead implements ByteSource {
  readonly stats = { bytes: 0, reads: 0 };
  constructor(private readonly head: Buffer, readonly size: number) {}
  read(position: number, length: number): Buffer {
    return this.head.subarray(Math.max(0, position), Math.max(0, Math.min(this.head.length, position + length)));
  }
}
