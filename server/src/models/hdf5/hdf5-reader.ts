/**
 * A small, bounded HDF5 reader (formats.md §6.2, §10): enough of the HDF5 File Format
 * Specification 3.0 to read what h5py / Keras write and to find references out of the file.
 * Positional reads only; every address and length is checked against the file before it is read;
 * links, virtual datasets and external storage are recorded, never followed.
 *
 * Supported subset:
 * - superblock v0, v1, v2, v3 at 0 or after a user block (512, 1024, 2048, …); offsets and lengths
 *   of 2, 4 or 8 bytes; v2/v3 checksums verified; the stored end-of-file address checked;
 * - object headers v1 and v2 (OHDR/OCHK with checksums), with continuation blocks;
 * - groups: old-style (symbol table message → v1 B-tree of SNOD nodes + local heap) and new-style
 *   (link messages; dense link storage through a fractal heap and a v2 B-tree name index);
 * - links: hard (followed inside the file, cycles ignored), soft (shown), external (reported);
 * - attributes: compact (attribute messages v1–v3) and dense (fractal heap + v2 B-tree, including
 *   "huge" objects), fixed-length and variable-length strings (global heap), numbers;
 * - datasets: dataspace, datatype (names for integer, float, string, vlen, compound, enum, array,
 *   reference, opaque, bitfield), layout (compact, contiguous, chunked, virtual), external data
 *   files message, filter pipeline presence;
 * - shared (committed) datatypes are named "shared"; the shared-message table (SOHM) is not read.
 *
 * Not supported (reported as not examined, never guessed): v2 B-trees deeper than one internal
 * level, fractal heap indirect blocks nested more than 8 levels, filtered (compressed) fractal heaps.
 */
import type { ByteSource } from '../byte-source';
import { lookup3 } from './lookup3';

export const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

export class H5Error extends Error {
  constructor(message: string, readonly offset: number, readonly truncated = false, readonly limit = false) {
    super(message);
  }
}

export interface H5Limits {
  objects: number;
  attributeBytes: number;
  chunkBytes: number;
  checkTime: () => void;
}

export interface H5Datatype {
  /** Display name: float32, int64, uint8, string, vlen string, compound… */
  name: string;
  cls: number;
  size: number;
  /** Strings: fixed-length (false) or variable-length (true). */
  vlenString?: boolean;
  /** Integers: signed; byte order big-endian. */
  signed?: boolean;
  bigEndian?: boolean;
  /** Strings: charset 0 ASCII, 1 UTF-8. */
  charset?: number;
  shared?: boolean;
}

export interface H5Dataspace {
  /** null for a null dataspace (no elements); [] for a scalar. */
  dims: number[] | null;
}

export interface H5Attribute {
  name: string;
  dtype: H5Datatype;
  space: H5Dataspace;
  /** Decoded value (strings, numbers, arrays of them) when small and of a supported type. */
  value?: string | number | (string | number)[];
  /** Raw strings of a string attribute (full length up to the attribute cap). */
  strings?: string[];
  truncated?: boolean;
  error?: string;
}

export interface H5Link {
  name: string;
  kind: 'hard' | 'soft' | 'external' | 'other';
  address?: number;
  /** soft: the path; external: the file and the object path. */
  target?: string;
  file?: string;
  objectPath?: string;
}

export interface H5Layout {
  kind: 'compact' | 'contiguous' | 'chunked' | 'virtual' | 'unknown';
  /** Absolute file offset of contiguous data. */
  address?: number;
  size?: number;
  /** Virtual: global heap reference of the mapping list. */
  heapAddress?: number;
  heapIndex?: number;
}

export interface H5Object {
  address: number;
  messages: H5Message[];
}

export interface H5Message {
  type: number;
  flags: number;
  /** Absolute offset of the message data. */
  at: number;
  data: Buffer;
}

export interface H5Superblock {
  version: number;
  offset: number;
  offsetSize: number;
  lengthSize: number;
  rootAddress: number;
  storedBase: number;
  eof?: number;
}

const UNDEF = -1;
const MSG = { NIL: 0, DATASPACE: 1, LINK_INFO: 2, DATATYPE: 3, FILL_OLD: 4, FILL: 5, LINK: 6, EXTERNAL: 7, LAYOUT: 8, FILTERS: 11, ATTRIBUTE: 12, CONTINUATION: 16, SYMBOL_TABLE: 17, ATTRIBUTE_INFO: 21 } as const;

/** Little-endian unsigned integer of `size` bytes (1–8); UNDEF for all-ones; throws above 2^53. */
export function uintLE(b: Buffer, pos: number, size: number, what = 'value'): number {
  if (pos + size > b.length) throw new H5Error(`${what} runs past the end of its structure`, pos, true);
  let allOnes = true;
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) {
    v = (v << 8n) | BigInt(b[pos + i]);
    if (b[pos + i] !== 0xff) allOnes = false;
  }
  if (allOnes && size >= 2) return UNDEF;
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new H5Error(`${what} ${v} is beyond 2^53`, pos);
  return Number(v);
}

/** Bytes needed to encode values up to `n` (HDF5's H5VM_limit_enc_size). */
function limitEncSize(n: number): number {
  return Math.floor(Math.log2(Math.max(1, n)) / 8) + 1;
}

export class Hdf5File {
  readonly sb: H5Superblock;
  /** Absolute offset of address 0. */
  readonly base: number;
  readonly O: number;
  readonly L: number;
  /** Problems met while reading (checksums, odd values); the caller reports them. */
  readonly warnings: { message: string; offset: number; kind: 'checksum' | 'unsupported' | 'other' }[] = [];

  constructor(readonly source: ByteSource, sbOffset: number, readonly limits: H5Limits) {
    this.sb = this.readSuperblock(sbOffset);
    this.base = sbOffset;
    this.O = this.sb.offsetSize;
    this.L = this.sb.lengthSize;
  }

  warn(kind: 'checksum' | 'unsupported' | 'other', message: string, offset: number): void {
    if (this.warnings.length < 100 && !this.warnings.some((w) => w.message === message)) this.warnings.push({ kind, message, offset });
  }

  /** Absolute offset of a file address, checked to lie in the file with `len` bytes after it. */
  abs(addr: number, len: number, what: string): number {
    if (addr === UNDEF) throw new H5Error(`${what}: undefined address`, 0);
    const a = this.base + addr;
    if (!Number.isSafeInteger(a) || a < 0 || len < 0 || a + len > this.source.size) {
      throw new H5Error(`${what} (${len} bytes at address ${addr}) lies beyond the end of the file (${this.source.size} bytes)`, a, true);
    }
    return a;
  }

  /** Reads exactly `len` bytes at file address `addr`. */
  readAt(addr: number, len: number, what: string): Buffer {
    const a = this.abs(addr, len, what);
    const b = len <= Hdf5File.PAGE * 4 ? this.paged(a, len) : this.source.read(a, len);
    if (b.length < len) throw new H5Error(`${what} is truncated`, a, true);
    return b;
  }

  /** Small metadata reads go through a page cache (HDF5 metadata is scattered in small pieces). */
  private static readonly PAGE = 4096;
  private static readonly PAGES = 512;
  private pages = new Map<number, Buffer>();

  private paged(a: number, len: number): Buffer {
    const P = Hdf5File.PAGE;
    const first = Math.floor(a / P);
    const last = Math.floor((a + len - 1) / P);
    const parts: Buffer[] = [];
    for (let p = first; p <= last; p++) {
      let page = this.pages.get(p);
      if (!page) {
        page = this.source.read(p * P, P);
        if (this.pages.size >= Hdf5File.PAGES) this.pages.delete(this.pages.keys().next().value as number);
        this.pages.set(p, page);
      }
      parts.push(page);
    }
    const all = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const off = a - first * P;
    return all.subarray(off, off + len);
  }

  private readSuperblock(at: number): H5Superblock {
    const b = this.source.read(at, 128);
    if (b.length < 9 || !b.subarray(0, 8).equals(HDF5_SIGNATURE)) throw new H5Error('no HDF5 signature', at, b.length < 9);
    const version = b[8];
    if (version === 0 || version === 1) {
      if (b.length < 24) throw new H5Error('superblock truncated', at, true);
      const O = b[13];
      const L = b[14];
      checkSizes(O, L, at);
      let p = version === 1 ? 28 : 24;
      const need = p + 4 * O + 2 * O + 24;
      if (b.length < need) throw new H5Error('superblock truncated', at, true);
      const storedBase = uintLE(b, p, O, 'base address');
      p += O;
      p += O; // free-space info address
      const eof = uintLE(b, p, O, 'end-of-file address');
      p += O;
      p += O; // driver information block address
      // root group symbol table entry: link name offset, object header address, cache type, reserved, scratch
      p += O;
      const rootAddress = uintLE(b, p, O, 'root object header address');
      return { version, offset: at, offsetSize: O, lengthSize: L, rootAddress, storedBase, eof: eof === UNDEF ? undefined : eof };
    }
    if (version === 2 || version === 3) {
      const O = b[9];
      const L = b[10];
      checkSizes(O, L, at);
      const len = 12 + 4 * O + 4;
      if (b.length < len) throw new H5Error('superblock truncated', at, true);
      let p = 12;
      const storedBase = uintLE(b, p, O, 'base address');
      p += 2 * O; // base, superblock extension
      const eof = uintLE(b, p, O, 'end-of-file address');
      p += O;
      const rootAddress = uintLE(b, p, O, 'root object header address');
      p += O;
      const sum = b.readUInt32LE(p);
      if (lookup3(b.subarray(0, p)) !== sum) this.warn('checksum', `superblock v${version} checksum mismatch (HDF5 refuses the file)`, at);
      return { version, offset: at, offsetSize: O, lengthSize: L, rootAddress, storedBase, eof: eof === UNDEF ? undefined : eof };
    }
    throw new H5Error(`unsupported superblock version ${version}`, at + 8);
  }

  // ------------------------------------------------------------------ object headers

  /** Reads an object header (v1 or v2) with its continuation chunks. */
  readObject(addr: number): H5Object {
    const messages: H5Message[] = [];
    const first = this.readAt(addr, Math.min(16, this.source.size - this.base - addr), 'object header');
    if (first.length >= 4 && first.toString('latin1', 0, 4) === 'OHDR') this.readV2(addr, messages);
    else if (first[0] === 1) this.readV1(addr, messages);
    else throw new H5Error(`object header at address ${addr} has unknown version ${first[0]}`, this.base + addr);
    return { address: addr, messages };
  }

  private readV1(addr: number, out: H5Message[]): void {
    const h = this.readAt(addr, 16, 'object header');
    const nmsgs = h.readUInt16LE(2);
    const size = h.readUInt32LE(8);
    const chunks: [number, number][] = [[addr + 16, size]];
    const seen = new Set<number>();
    let count = 0;
    for (let c = 0; c < chunks.length && c < 1000; c++) {
      const [start, len] = chunks[c];
      if (seen.has(start)) continue;
      seen.add(start);
      if (len > this.limits.chunkBytes) throw new H5Error(`object header chunk of ${len} bytes exceeds the ${this.limits.chunkBytes}-byte cap`, this.base + start, false, true);
      const chunk = this.readAt(start, len, 'object header chunk');
      let p = 0;
      while (p + 8 <= chunk.length && count < nmsgs) {
        const type = chunk.readUInt16LE(p);
        const msize = chunk.readUInt16LE(p + 2);
        const flags = chunk[p + 4];
        if (p + 8 + msize > chunk.length) throw new H5Error(`object header message (type ${type}, ${msize} bytes) runs past its chunk`, this.base + start + p, false);
        const data = chunk.subarray(p + 8, p + 8 + msize);
        count++;
        if (type === MSG.CONTINUATION) chunks.push(this.continuation(data, start + p + 8));
        else out.push({ type, flags, at: this.base + start + p + 8, data });
        p += 8 + msize;
        p = (p + 7) & ~7;
      }
    }
  }

  private continuation(data: Buffer, at: number): [number, number] {
    const off = uintLE(data, 0, this.O, 'continuation address');
    const len = uintLE(data, this.O, this.L, 'continuation length');
    if (off === UNDEF) throw new H5Error('continuation with an undefined address', this.base + at);
    return [off, len];
  }

  private readV2(addr: number, out: H5Message[]): void {
    const h = this.readAt(addr, Math.min(64, this.source.size - this.base - addr), 'object header');
    if (h[4] !== 2) throw new H5Error(`OHDR version ${h[4]}`, this.base + addr);
    const flags = h[5];
    let p = 6;
    if (flags & 0x20) p += 16;
    if (flags & 0x10) p += 4;
    const sizeBytes = 1 << (flags & 3);
    const size0 = uintLE(h, p, sizeBytes, 'object header chunk size');
    p += sizeBytes;
    const creationOrder = (flags & 0x04) !== 0;
    const chunks: { start: number; len: number; first: boolean }[] = [{ start: addr, len: p + size0 + 4, first: true }];
    const seen = new Set<number>();
    for (let c = 0; c < chunks.length && c < 1000; c++) {
      const { start, len, first } = chunks[c];
      if (seen.has(start)) continue;
      seen.add(start);
      if (len > this.limits.chunkBytes) throw new H5Error(`object header chunk of ${len} bytes exceeds the ${this.limits.chunkBytes}-byte cap`, this.base + start, false, true);
      const chunk = this.readAt(start, len, 'object header chunk');
      if (!first && chunk.toString('latin1', 0, 4) !== 'OCHK') throw new H5Error('object header continuation without OCHK signature', this.base + start);
      if (lookup3(chunk.subarray(0, len - 4)) !== chunk.readUInt32LE(len - 4)) this.warn('checksum', `object header ${first ? 'OHDR' : 'OCHK'} checksum mismatch at address ${start} (HDF5 refuses it)`, this.base + start);
      let q = first ? p : 4;
      const end = len - 4;
      const hdr = creationOrder ? 6 : 4;
      while (q + hdr <= end) {
        const type = chunk[q];
        const msize = chunk.readUInt16LE(q + 1);
        const mflags = chunk[q + 3];
        if (q + hdr + msize > end) throw new H5Error(`object header message (type ${type}, ${msize} bytes) runs past its chunk`, this.base + start + q, false);
        const data = chunk.subarray(q + hdr, q + hdr + msize);
        if (type === MSG.CONTINUATION) {
          const [off, l] = this.continuation(data, start + q + hdr);
          chunks.push({ start: off, len: l, first: false });
        } else if (type !== MSG.NIL) out.push({ type, flags: mflags, at: this.base + start + q + hdr, data });
        q += hdr + msize;
      }
    }
  }

  // ------------------------------------------------------------------ messages

  datatype(data: Buffer, depth = 0): H5Datatype {
    if (data.length < 8) throw new H5Error('datatype message truncated', 0, true);
    const cls = data[0] & 0x0f;
    const bits = data[1] | (data[2] << 8) | (data[3] << 16);
    const size = data.readUInt32LE(4);
    switch (cls) {
      case 0: return { name: `${bits & 0x08 ? 'int' : 'uint'}${size * 8}`, cls, size, signed: (bits & 0x08) !== 0, bigEndian: (bits & 1) !== 0 };
      case 1: {
        let name = size === 2 ? 'float16' : size === 4 ? 'float32' : size === 8 ? 'float64' : `float${size * 8}`;
        if (size === 2 && data.length >= 16 && data[13] === 8) name = 'bfloat16'; // exponent size 8 bits
        return { name, cls, size, bigEndian: (bits & 1) !== 0 };
      }
      case 2: return { name: 'time', cls, size };
      case 3: return { name: 'string', cls, size, charset: (bits >> 4) & 0x0f };
      case 4: return { name: 'bitfield', cls, size };
      case 5: return { name: 'opaque', cls, size };
      case 6: return { name: 'compound', cls, size };
      case 7: return { name: 'reference', cls, size };
      case 8: return { name: 'enum', cls, size };
      case 9: {
        const isString = (bits & 0x0f) === 1;
        let baseName = '';
        if (!isString && depth < 8 && data.length > 8) {
          try {
            baseName = ` of ${this.datatype(data.subarray(8), depth + 1).name}`;
          } catch {
            /* base type unreadable: name without it */
          }
        }
        return { name: isString ? 'vlen string' : `vlen${baseName}`, cls, size, vlenString: isString, charset: (bits >> 8) & 0x0f };
      }
      case 10: return { name: 'array', cls, size };
      default: return { name: `class ${cls}`, cls, size };
    }
  }

  dataspace(data: Buffer): H5Dataspace {
    if (data.length < 2) throw new H5Error('dataspace message truncated', 0, true);
    const version = data[0];
    const rank = data[1];
    if (rank > 32) throw new H5Error(`dataspace rank ${rank}`, 0);
    let p: number;
    if (version === 1) p = 8;
    else if (version === 2) {
      if (data[3] === 2) return { dims: null };
      p = 4;
    } else throw new H5Error(`dataspace version ${version}`, 0);
    const dims: number[] = [];
    for (let i = 0; i < rank; i++) {
      const d = uintLE(data, p, this.L, 'dimension');
      dims.push(d === UNDEF ? Number.MAX_SAFE_INTEGER : d);
      p += this.L;
    }
    return { dims };
  }

  layout(data: Buffer): H5Layout {
    const version = data[0];
    if (version === 3 || version === 4 || version === 5) {
      const cls = data[1];
      if (cls === 0) return { kind: 'compact', size: data.length >= 4 ? data.readUInt16LE(2) : undefined };
      if (cls === 1) {
        const a = uintLE(data, 2, this.O, 'data address');
        const size = uintLE(data, 2 + this.O, this.L, 'data size');
        return { kind: 'contiguous', address: a === UNDEF ? undefined : a, size };
      }
      if (cls === 2) return { kind: 'chunked' };
      if (cls === 3) {
        const a = uintLE(data, 2, this.O, 'virtual dataset heap address');
        const index = data.length >= 2 + this.O + 4 ? data.readUInt32LE(2 + this.O) : 0;
        return { kind: 'virtual', heapAddress: a === UNDEF ? undefined : a, heapIndex: index };
      }
      return { kind: 'unknown' };
    }
    if (version === 1 || version === 2) {
      const cls = data[2];
      if (cls === 0) return { kind: 'compact' };
      if (cls === 2) return { kind: 'chunked' };
      const a = uintLE(data, 8, this.O, 'data address');
      return { kind: 'contiguous', address: a === UNDEF ? undefined : a };
    }
    return { kind: 'unknown' };
  }

  /** External data files message: [name, offset, size] per slot (names from the local heap). */
  externalFiles(data: Buffer): { name: string; offset: number; size: number }[] {
    const used = data.readUInt16LE(6);
    const heap = uintLE(data, 8, this.O, 'external files heap address');
    const out: { name: string; offset: number; size: number }[] = [];
    let p = 8 + this.O;
    for (let i = 0; i < Math.min(used, 1000); i++) {
      const nameOff = uintLE(data, p, this.L, 'external file name offset');
      const off = uintLE(data, p + this.L, this.L, 'external file offset');
      const size = uintLE(data, p + 2 * this.L, this.L, 'external file size');
      p += 3 * this.L;
      let name = `<name at heap offset ${nameOff}>`;
      try {
        name = this.localHeapString(heap, nameOff);
      } catch {
        /* keep the placeholder */
      }
      out.push({ name, offset: off, size });
    }
    return out;
  }

  /** Links of a link message. */
  link(data: Buffer): H5Link {
    if (data[0] !== 1) throw new H5Error(`link message version ${data[0]}`, 0);
    const flags = data[1];
    let p = 2;
    let type = 0;
    if (flags & 0x08) type = data[p++];
    if (flags & 0x04) p += 8;
    if (flags & 0x10) p++;
    const lenSize = 1 << (flags & 3);
    const nameLen = uintLE(data, p, lenSize, 'link name length');
    p += lenSize;
    if (p + nameLen > data.length) throw new H5Error('link name runs past its message', 0, true);
    const name = data.toString('utf8', p, p + nameLen);
    p += nameLen;
    if (type === 0) return { name, kind: 'hard', address: uintLE(data, p, this.O, 'link address') };
    if (type === 1 || type === 64) {
      const l = data.readUInt16LE(p);
      const info = data.subarray(p + 2, Math.min(data.length, p + 2 + l));
      if (type === 1) return { name, kind: 'soft', target: info.toString('utf8') };
      // external: version/flags byte, then "file\0object\0"
      const body = info.subarray(1);
      const nul = body.indexOf(0);
      const file = body.toString('utf8', 0, nul < 0 ? body.length : nul);
      const rest = nul < 0 ? Buffer.alloc(0) : body.subarray(nul + 1);
      const nul2 = rest.indexOf(0);
      return { name, kind: 'external', file, objectPath: rest.toString('utf8', 0, nul2 < 0 ? rest.length : nul2) };
    }
    return { name, kind: 'other' };
  }

  /** Attribute message (v1–v3) → name, type, space, decoded value. */
  attribute(data: Buffer, at: number): H5Attribute {
    const version = data[0];
    const flags = data[1];
    const nameSize = data.readUInt16LE(2);
    const dtSize = data.readUInt16LE(4);
    const dsSize = data.readUInt16LE(6);
    let p = 8;
    if (version === 3) p = 9;
    else if (version !== 1 && version !== 2) throw new H5Error(`attribute message version ${version}`, at);
    const pad = (n: number) => (version === 1 ? (n + 7) & ~7 : n);
    if (p + pad(nameSize) + pad(dtSize) + pad(dsSize) > data.length) throw new H5Error('attribute message truncated', at, true);
    const name = data.toString('utf8', p, p + Math.max(0, nameSize - 1)).replace(/\0+$/, '');
    p += pad(nameSize);
    let dtype: H5Datatype;
    if (flags & 1) dtype = { name: 'shared', cls: -1, size: 0, shared: true };
    else dtype = this.datatype(data.subarray(p, p + dtSize));
    p += pad(dtSize);
    const space = flags & 2 ? { dims: [] } : this.dataspace(data.subarray(p, p + dsSize));
    p += pad(dsSize);
    const attr: H5Attribute = { name, dtype, space };
    try {
      this.decodeValue(attr, data.subarray(p), at + p);
    } catch (e) {
      attr.error = e instanceof Error ? e.message : String(e);
    }
    return attr;
  }

  private decodeValue(attr: H5Attribute, raw: Buffer, at: number): void {
    const { dtype, space } = attr;
    if (space.dims === null || dtype.shared) return;
    let n = 1;
    for (const d of space.dims) n *= d;
    if (!Number.isSafeInteger(n) || n * Math.max(1, dtype.size) > this.limits.attributeBytes) throw new H5Error(`attribute ${attr.name} is larger than the ${this.limits.attributeBytes}-byte cap`, at, false, true);
    const scalar = space.dims.length === 0;
    if (dtype.cls === 3) {
      const strings: string[] = [];
      for (let i = 0; i < n; i++) {
        const b = raw.subarray(i * dtype.size, (i + 1) * dtype.size);
        if (b.length < dtype.size) throw new H5Error(`attribute ${attr.name} data truncated`, at, true);
        let end = b.indexOf(0);
        if (end < 0) end = b.length;
        strings.push(b.toString(dtype.charset === 1 ? 'utf8' : 'latin1', 0, end).replace(/ +$/, ''));
      }
      attr.strings = strings;
    } else if (dtype.cls === 9 && dtype.vlenString) {
      const strings: string[] = [];
      const rec = 4 + this.O + 4;
      let total = 0;
      for (let i = 0; i < n; i++) {
        if ((i + 1) * rec > raw.length) throw new H5Error(`attribute ${attr.name} data truncated`, at, true);
        const len = raw.readUInt32LE(i * rec);
        const coll = uintLE(raw, i * rec + 4, this.O, 'global heap address');
        const index = raw.readUInt32LE(i * rec + 4 + this.O);
        total += len;
        if (total > this.limits.attributeBytes) throw new H5Error(`attribute ${attr.name} is larger than the ${this.limits.attributeBytes}-byte cap`, at, false, true);
        if (coll === 0 && index === 0) {
          strings.push('');
          continue;
        }
        const obj = this.globalHeapObject(coll, index);
        strings.push(obj.subarray(0, Math.min(len, obj.length)).toString(dtype.charset === 1 ? 'utf8' : 'latin1'));
      }
      attr.strings = strings;
    } else if ((dtype.cls === 0 || dtype.cls === 1) && n <= 1024) {
      const nums: number[] = [];
      for (let i = 0; i < n; i++) {
        const b = raw.subarray(i * dtype.size, (i + 1) * dtype.size);
        if (b.length < dtype.size) throw new H5Error(`attribute ${attr.name} data truncated`, at, true);
        nums.push(readNumber(dtype, b));
      }
      attr.value = scalar ? nums[0] : nums;
      return;
    } else return;
    const s = attr.strings;
    attr.value = scalar ? s[0] : s.map((x) => (x.length > 500 ? `${x.slice(0, 500)}…` : x));
    if (typeof attr.value === 'string' && attr.value.length > 4096) {
      attr.value = `${attr.value.slice(0, 4096)}…`;
      attr.truncated = true;
    }
  }

  // ------------------------------------------------------------------ heaps

  private localHeaps = new Map<number, Buffer>();

  localHeapString(heapAddr: number, offset: number): string {
    let data = this.localHeaps.get(heapAddr);
    if (!data) {
      const h = this.readAt(heapAddr, 8 + 2 * this.L + this.O, 'local heap');
      if (h.toString('latin1', 0, 4) !== 'HEAP') throw new H5Error(`no local heap at address ${heapAddr}`, this.base + heapAddr);
      const size = uintLE(h, 8, this.L, 'local heap size');
      const at = uintLE(h, 8 + 2 * this.L, this.O, 'local heap data address');
      if (size > this.limits.chunkBytes) throw new H5Error(`local heap of ${size} bytes exceeds the ${this.limits.chunkBytes}-byte cap`, this.base + heapAddr, false, true);
      data = Buffer.from(this.readAt(at, size, 'local heap data'));
      this.localHeaps.set(heapAddr, data);
    }
    if (offset >= data.length) throw new H5Error(`name offset ${offset} beyond the local heap (${data.length} bytes)`, this.base + heapAddr);
    const nul = data.indexOf(0, offset);
    return data.toString('utf8', offset, nul < 0 ? data.length : Math.min(nul, offset + 65536));
  }

  private globalCollections = new Map<number, Map<number, Buffer>>();

  globalHeapObject(coll: number, index: number): Buffer {
    let objects = this.globalCollections.get(coll);
    if (!objects) {
      const h = this.readAt(coll, 8 + this.L, 'global heap collection');
      if (h.toString('latin1', 0, 4) !== 'GCOL') throw new H5Error(`no global heap collection at address ${coll}`, this.base + coll);
      const size = uintLE(h, 8, this.L, 'global heap collection size');
      if (size > this.limits.attributeBytes + 65536) throw new H5Error(`global heap collection of ${size} bytes exceeds the cap`, this.base + coll, false, true);
      const data = this.readAt(coll, size, 'global heap collection');
      objects = new Map();
      let p = 8 + this.L;
      while (p + 8 + this.L <= data.length && objects.size < 100_000) {
        const idx = data.readUInt16LE(p);
        const osize = uintLE(data, p + 8, this.L, 'global heap object size');
        if (idx === 0) break; // free space
        const start = p + 8 + this.L;
        if (start + osize > data.length) throw new H5Error('global heap object runs past its collection', this.base + coll + p, true);
        objects.set(idx, data.subarray(start, start + osize));
        p = start + ((osize + 7) & ~7);
      }
      this.globalCollections.set(coll, objects);
    }
    const obj = objects.get(index);
    if (!obj) throw new H5Error(`global heap object ${index} not found in collection ${coll}`, this.base + coll);
    return obj;
  }

  // ------------------------------------------------------------------ old-style groups

  /** Entries of an old-style group: (name, object header address) from its v1 B-tree and local heap. */
  symbolTable(btree: number, heap: number, limit: number): { name: string; address: number; soft?: string }[] {
    const out: { name: string; address: number; soft?: string }[] = [];
    const seen = new Set<number>();
    const visitNode = (addr: number, depth: number): void => {
      if (depth > 32 || seen.has(addr) || out.length >= limit) return;
      seen.add(addr);
      this.limits.checkTime();
      const h = this.readAt(addr, 8 + 2 * this.O, 'group B-tree node');
      if (h.toString('latin1', 0, 4) !== 'TREE') throw new H5Error(`no B-tree node at address ${addr}`, this.base + addr);
      if (h[4] !== 0) throw new H5Error(`group B-tree node of type ${h[4]}`, this.base + addr);
      const level = h[5];
      const used = h.readUInt16LE(6);
      const body = this.readAt(addr + 8 + 2 * this.O, (used + 1) * this.L + used * this.O, 'group B-tree keys');
      // keys (L) and children (O) interleaved: key0 child0 key1 child1 … keyN
      for (let i = 0; i < used; i++) {
        const child = uintLE(body, this.L + i * (this.L + this.O), this.O, 'B-tree child address');
        if (level > 0) visitNode(child, depth + 1);
        else this.symbolNode(child, heap, out, limit, seen);
      }
    };
    visitNode(btree, 0);
    return out;
  }

  private symbolNode(addr: number, heap: number, out: { name: string; address: number; soft?: string }[], limit: number, seen: Set<number>): void {
    if (seen.has(addr)) return;
    seen.add(addr);
    const h = this.readAt(addr, 8, 'symbol table node');
    if (h.toString('latin1', 0, 4) !== 'SNOD') throw new H5Error(`no symbol table node at address ${addr}`, this.base + addr);
    const n = h.readUInt16LE(6);
    const size = 2 * this.O + 24;
    const body = this.readAt(addr + 8, n * size, 'symbol table entries');
    for (let i = 0; i < n && out.length < limit; i++) {
      const p = i * size;
      const nameOff = uintLE(body, p, this.O, 'symbol name offset');
      const obj = uintLE(body, p + this.O, this.O, 'symbol object address');
      const cache = body.readUInt32LE(p + 2 * this.O);
      const name = this.localHeapString(heap, nameOff);
      if (cache === 2) {
        const linkOff = body.readUInt32LE(p + 2 * this.O + 8);
        let soft = '';
        try {
          soft = this.localHeapString(heap, linkOff);
        } catch {
          /* unreadable soft link value */
        }
        out.push({ name, address: UNDEF, soft });
      } else out.push({ name, address: obj });
    }
  }

  // ------------------------------------------------------------------ dense storage (fractal heap + v2 B-tree)

  /** Objects (encoded messages) referenced by a v2 B-tree name index over a fractal heap. */
  denseObjects(heapAddr: number, btreeAddr: number, kind: 'link' | 'attribute', limit: number): Buffer[] {
    const heap = this.fractalHeap(heapAddr);
    const records = this.btree2Records(btreeAddr, limit);
    const out: Buffer[] = [];
    for (const r of records) {
      this.limits.checkTime();
      // attribute records: heap ID (8) flags (1) order (4) hash (4); link records: hash (4) heap ID (7)
      const id = kind === 'attribute' ? r.subarray(0, heap.idLength) : r.subarray(4, 4 + heap.idLength);
      out.push(this.heapObject(heap, id));
      if (out.length >= limit) break;
    }
    return out;
  }

  private fractalHeap(addr: number): FractalHeap {
    const O = this.O;
    const L = this.L;
    const size = 22 + 12 * L + 3 * O;
    const h = this.readAt(addr, size, 'fractal heap header');
    if (h.toString('latin1', 0, 4) !== 'FRHP') throw new H5Error(`no fractal heap at address ${addr}`, this.base + addr);
    let p = 5;
    const idLength = h.readUInt16LE(p);
    const filterLen = h.readUInt16LE(p + 2);
    p += 5;
    const maxMan = h.readUInt32LE(p);
    p += 4 + L; // next huge id
    const hugeBtree = uintLE(h, p, O, 'huge object B-tree address');
    // free space (L), its manager (O), managed space, allocated space, iterator offset, managed count,
    // huge size, huge count, tiny size, tiny count (L each)
    p = 14 + 10 * L + 2 * O;
    const width = h.readUInt16LE(p);
    p += 2;
    const startBlock = uintLE(h, p, L, 'starting block size');
    p += L;
    const maxDirect = uintLE(h, p, L, 'maximum direct block size');
    p += L;
    const maxHeapBits = h.readUInt16LE(p);
    p += 4; // max heap size, starting rows
    const root = uintLE(h, p, O, 'root block address');
    p += O;
    const rows = h.readUInt16LE(p);
    if (filterLen > 0) throw new H5Error('filtered (compressed) fractal heaps are not supported', this.base + addr);
    if (width === 0 || startBlock <= 0 || maxDirect < startBlock || maxHeapBits > 64) throw new H5Error('fractal heap header holds invalid sizes', this.base + addr);
    const offSize = Math.ceil(maxHeapBits / 8);
    const lenSize = Math.min(Math.ceil(Math.log2(maxDirect) / 8), limitEncSize(maxMan));
    return { addr, idLength, maxMan, hugeBtree, width, startBlock, maxDirect, maxHeapBits, root, rows, offSize, lenSize };
  }

  private heapObject(heap: FractalHeap, id: Buffer): Buffer {
    const type = (id[0] >> 4) & 3;
    if (type === 0) {
      const off = uintLE(id, 1, heap.offSize, 'heap object offset');
      const len = uintLE(id, 1 + heap.offSize, heap.lenSize, 'heap object length');
      if (len > this.limits.attributeBytes) throw new H5Error('heap object larger than the cap', this.base + heap.addr, false, true);
      const at = this.managedAddress(heap, off, len);
      return this.readAt(at, len, 'heap object');
    }
    if (type === 2) {
      const len = (id[0] & 0x0f) + 1;
      return id.subarray(1, 1 + len);
    }
    if (type === 1) {
      if (id.length - 1 >= this.O + this.L) {
        // "direct" huge object: the ID holds its address and length
        const addr = uintLE(id, 1, this.O, 'huge object address');
        const len = uintLE(id, 1 + this.O, this.L, 'huge object length');
        if (len > this.limits.attributeBytes) throw new H5Error(`huge heap object of ${len} bytes exceeds the cap`, this.base + addr, false, true);
        return this.readAt(addr, len, 'huge heap object');
      }
      // huge object: looked up in the huge-object B-tree by its ID
      const key = uintLE(id, 1, Math.min(this.L, id.length - 1), 'huge object id');
      if (heap.hugeBtree === UNDEF) throw new H5Error('huge heap object without a huge-object B-tree', this.base + heap.addr);
      for (const r of this.btree2Records(heap.hugeBtree, 100_000)) {
        const rid = uintLE(r, this.O + this.L, this.L, 'huge object record id');
        if (rid !== key) continue;
        const addr = uintLE(r, 0, this.O, 'huge object address');
        const len = uintLE(r, this.O, this.L, 'huge object length');
        if (len > this.limits.attributeBytes) throw new H5Error(`huge heap object of ${len} bytes exceeds the cap`, this.base + addr, false, true);
        return this.readAt(addr, len, 'huge heap object');
      }
      throw new H5Error(`huge heap object ${key} not found`, this.base + heap.addr);
    }
    throw new H5Error(`unsupported heap ID type ${type}`, this.base + heap.addr);
  }

  /** File address of `len` bytes at heap offset `off` (through the doubling table of indirect blocks). */
  private managedAddress(heap: FractalHeap, off: number, len: number): number {
    if (heap.root === UNDEF) throw new H5Error('fractal heap without a root block', this.base + heap.addr);
    if (heap.rows === 0) {
      // the root is a direct block of the starting size
      if (off + len > heap.startBlock) throw new H5Error('heap object beyond the root direct block', this.base + heap.root);
      return heap.root + off;
    }
    const maxDirectRows = Math.log2(heap.maxDirect) - Math.log2(heap.startBlock) + 2;
    let block = heap.root;
    let rows = heap.rows;
    let rel = off;
    for (let depth = 0; depth < 8; depth++) {
      const w = heap.width;
      let row: number;
      let col: number;
      let rowStart: number;
      let blockSize: number;
      if (rel < w * heap.startBlock) {
        row = 0;
        blockSize = heap.startBlock;
        rowStart = 0;
      } else {
        row = Math.floor(Math.log2(rel / (w * heap.startBlock))) + 1;
        blockSize = heap.startBlock * 2 ** (row - 1);
        rowStart = w * heap.startBlock * 2 ** (row - 1);
        if (rel < rowStart) {
          row--;
          blockSize = row === 0 ? heap.startBlock : heap.startBlock * 2 ** (row - 1);
          rowStart = row === 0 ? 0 : w * heap.startBlock * 2 ** (row - 1);
        }
      }
      col = Math.floor((rel - rowStart) / blockSize);
      if (row >= rows) throw new H5Error('heap offset beyond the indirect block', this.base + block);
      const entry = row * w + col;
      const headerLen = 5 + this.O + heap.offSize;
      // unfiltered heaps: every entry (direct rows first, then indirect rows) is one address
      const ptr = headerLen + entry * this.O;
      const b = this.readAt(block + ptr, this.O, 'fractal heap indirect entry');
      const child = uintLE(b, 0, this.O, 'fractal heap child block');
      const within = rel - rowStart - col * blockSize;
      if (row < maxDirectRows) {
        if (within + len > blockSize) throw new H5Error('heap object crosses a direct block', this.base + block);
        return child + within;
      }
      block = child;
      rel = within;
      rows = Math.log2(blockSize) - Math.log2(heap.startBlock * w) + 1;
    }
    throw new H5Error('fractal heap nested too deeply', this.base + heap.addr, false, true);
  }

  /** All records of a v2 B-tree of depth 0 or 1. */
  btree2Records(addr: number, limit: number): Buffer[] {
    const O = this.O;
    const h = this.readAt(addr, 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + O + 2 + this.L + 4, 'v2 B-tree header');
    if (h.toString('latin1', 0, 4) !== 'BTHD') throw new H5Error(`no v2 B-tree at address ${addr}`, this.base + addr);
    const nodeSize = h.readUInt32LE(6);
    const recSize = h.readUInt16LE(10);
    const depth = h.readUInt16LE(12);
    const root = uintLE(h, 16, O, 'B-tree root address');
    const rootCount = h.readUInt16LE(16 + O);
    if (root === UNDEF || rootCount === 0) return [];
    if (recSize === 0 || nodeSize < 16 || nodeSize > this.limits.chunkBytes) throw new H5Error('v2 B-tree header holds invalid sizes', this.base + addr);
    const leaf = (at: number, n: number): Buffer[] => {
      const b = this.readAt(at, 6 + n * recSize, 'v2 B-tree leaf');
      if (b.toString('latin1', 0, 4) !== 'BTLF') throw new H5Error(`no v2 B-tree leaf at address ${at}`, this.base + at);
      const out: Buffer[] = [];
      for (let i = 0; i < n; i++) out.push(b.subarray(6 + i * recSize, 6 + (i + 1) * recSize));
      return out;
    };
    if (depth === 0) return leaf(root, Math.min(rootCount, limit));
    if (depth > 1) throw new H5Error(`v2 B-tree of depth ${depth} (only depth 0 and 1 are read)`, this.base + addr, false, true);
    const maxLeaf = Math.floor((nodeSize - 10) / recSize);
    const countSize = limitEncSize(maxLeaf);
    const b = this.readAt(root, 6 + rootCount * recSize + (rootCount + 1) * (O + countSize), 'v2 B-tree internal node');
    if (b.toString('latin1', 0, 4) !== 'BTIN') throw new H5Error(`no v2 B-tree internal node at address ${root}`, this.base + root);
    const out: Buffer[] = [];
    let p = 6 + rootCount * recSize;
    for (let i = 0; i <= rootCount && out.length < limit; i++) {
      const child = uintLE(b, p, O, 'B-tree child address');
      const n = uintLE(b, p + O, countSize, 'B-tree child record count');
      p += O + countSize;
      out.push(...leaf(child, n));
      if (i < rootCount) out.push(b.subarray(6 + i * recSize, 6 + (i + 1) * recSize));
    }
    return out.slice(0, limit);
  }
}

interface FractalHeap {
  addr: number;
  idLength: number;
  maxMan: number;
  hugeBtree: number;
  width: number;
  startBlock: number;
  maxDirect: number;
  maxHeapBits: number;
  root: number;
  rows: number;
  offSize: number;
  lenSize: number;
}

function checkSizes(O: number, L: number, at: number): void {
  if (![2, 4, 8].includes(O) || ![2, 4, 8].includes(L)) throw new H5Error(`unsupported sizes of offsets (${O}) or lengths (${L})`, at + 13);
}

function readNumber(dt: H5Datatype, b: Buffer): number {
  const be = dt.bigEndian;
  if (dt.cls === 1) {
    if (dt.size === 4) return be ? b.readFloatBE(0) : b.readFloatLE(0);
    if (dt.size === 8) return be ? b.readDoubleBE(0) : b.readDoubleLE(0);
    return NaN;
  }
  if (dt.size === 1) return dt.signed ? b.readInt8(0) : b[0];
  if (dt.size === 2) return dt.signed ? (be ? b.readInt16BE(0) : b.readInt16LE(0)) : be ? b.readUInt16BE(0) : b.readUInt16LE(0);
  if (dt.size === 4) return dt.signed ? (be ? b.readInt32BE(0) : b.readInt32LE(0)) : be ? b.readUInt32BE(0) : b.readUInt32LE(0);
  if (dt.size === 8) {
    const v = dt.signed ? (be ? b.readBigInt64BE(0) : b.readBigInt64LE(0)) : be ? b.readBigUInt64BE(0) : b.readBigUInt64LE(0);
    return Number(v);
  }
  return NaN;
}

/**
 * Buffer reads are bounds-checked by Node (they throw, never read past the end): a structure shorter
 * than its fields surfaces as a RangeError, turned into an H5Error like any other malformed structure.
 */
export function toH5Error(e: unknown): H5Error | undefined {
  if (e instanceof H5Error) return e;
  const code = (e as { code?: string })?.code;
  if (e instanceof RangeError && (code === 'ERR_OUT_OF_RANGE' || code === 'ERR_BUFFER_OUT_OF_BOUNDS')) return new H5Error('a structure is shorter than its fields', 0, true);
  return undefined;
}

// every public entry point throws H5Error (or a genuine bug) only
for (const name of ['readObject', 'datatype', 'dataspace', 'layout', 'externalFiles', 'link', 'attribute', 'localHeapString', 'globalHeapObject', 'symbolTable', 'denseObjects', 'btree2Records'] as const) {
  const proto = Hdf5File.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = proto[name];
  proto[name] = function (this: Hdf5File, ...args: unknown[]) {
    try {
      return original.apply(this, args);
    } catch (e) {
      throw toH5Error(e) ?? e;
    }
  };
}

export { MSG as H5_MESSAGE, UNDEF as H5_UNDEF };
