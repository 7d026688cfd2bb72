/**
 * A bounded protobuf wire-format walker over a ByteSource (formats.md §4 "custom wire walker"):
 * it iterates the fields of a message in [start, end) without decoding the message as a whole;
 * length-delimited fields are handed to the caller as (offset, length), so big payloads (ONNX
 * `raw_data`) are skipped by moving the position, never read. Reads go through a small window
 * (8 KiB by default) so that walking tags costs little when the payloads between them are large.
 */
import type { ByteSource } from '../byte-source';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class WireError extends Error {
  constructor(message: string, readonly offset: number, readonly truncated: boolean) {
    super(message);
  }
}

export interface WireField {
  field: number;
  wire: number;
  /** Offset of the tag. */
  at: number;
  /** Varint value (wire 0) as BigInt; fixed values (wire 1/5) as their raw bytes. */
  varint?: bigint;
  fixed?: Buffer;
  /** Length-delimited payload: absolute offset and length. */
  offset?: number;
  length?: number;
}

/** Windowed reads over a source, for many small reads at increasing positions. */
export class Window {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;

  constructor(readonly source: ByteSource, private readonly size = 8192) {}

  /** `n` bytes at `pos` (shorter at the end of the source). */
  read(pos: number, n: number): Buffer {
    const off = pos - this.start;
    if (off >= 0 && off + n <= this.buf.length) return this.buf.subarray(off, off + n);
    if (n > this.size) return this.source.read(pos, n);
    this.buf = this.source.read(pos, this.size);
    this.start = pos;
    return this.buf.subarray(0, n);
  }
}

/** Reads a varint at `pos` (≤ 10 bytes, not beyond `end`). */
export function readVarint(w: Window, pos: number, end: number): { value: bigint; next: number } {
  const b = w.read(pos, Math.min(10, end - pos));
  let v = 0n;
  let shift = 0n;
  for (let i = 0; i < b.length; i++) {
    v |= BigInt(b[i] & 0x7f) << shift;
    if ((b[i] & 0x80) === 0) return { value: v & 0xffffffffffffffffn, next: pos + i + 1 };
    shift += 7n;
  }
  if (b.length < 10 && pos + b.length >= end) throw new WireError(`varint at ${pos} runs past the end of its message`, pos, true);
  throw new WireError(`varint at ${pos} is longer than 10 bytes`, pos, false);
}

/**
 * Iterates the fields of the message in [start, end). `onField` may return false to stop early.
 * Throws WireError on malformed wire data (bad wire type, field 0, lengths beyond the message).
 */
export function walkMessage(w: Window, start: number, end: number, onField: (f: WireField) => boolean | void, budget?: { fields: number }): void {
  let pos = start;
  while (pos < end) {
    if (budget && --budget.fields < 0) throw new WireError('too many protobuf fields', pos, false);
    const at = pos;
    const tag = readVarint(w, pos, end);
    pos = tag.next;
    const field = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    if (field === 0 || tag.value >> 3n > 0x1fffffffn) throw new WireError(`invalid field number ${tag.value >> 3n} at ${at}`, at, false);
    const f: WireField = { field, wire, at };
    switch (wire) {
      case WIRE_VARINT: {
        const v = readVarint(w, pos, end);
        f.varint = v.value;
        pos = v.next;
        break;
      }
      case WIRE_I64:
      case WIRE_I32: {
        const n = wire === WIRE_I64 ? 8 : 4;
        if (pos + n > end) throw new WireError(`fixed-size field ${field} at ${at} runs past the end of its message`, at, true);
        f.fixed = Buffer.from(w.read(pos, n));
        pos += n;
        break;
      }
      case WIRE_LEN: {
        const len = readVarint(w, pos, end);
        pos = len.next;
        if (len.value > BigInt(end - pos)) throw new WireError(`field ${field} at ${at} declares ${len.value} bytes, but only ${end - pos} remain in its message`, at, end >= w.source.size);
        f.offset = pos;
        f.length = Number(len.value);
        pos += f.length;
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wire} (field ${field}) at ${at}`, at, false);
    }
    if (onField(f) === false) return;
  }
}

/** A length-delimited field's bytes as UTF-8 text, cut at `max` bytes. */
export function fieldText(w: Window, f: WireField, max = 4096): string {
  if (f.offset === undefined || f.length === undefined) return '';
  return w.read(f.offset, Math.min(f.length, max)).toString('utf8');
}

/** Signed int64 of a varint (two's complement). */
export function int64(v: bigint): bigint {
  return v >= 1n << 63n ? v - (1n << 64n) : v;
}

/** Packed or unpacked repeated varints of a field. */
export function varints(w: Window, f: WireField, max = 64): bigint[] {
  if (f.wire === WIRE_VARINT) return [f.varint!];
  if (f.wire !== WIRE_LEN) return [];
  const out: bigint[] = [];
  let pos = f.offset!;
  const end = f.offset! + f.length!;
  while (pos < end && out.length < max) {
    const v = readVarint(w, pos, end);
    out.push(v.value);
    pos = v.next;
  }
  return out;
}
