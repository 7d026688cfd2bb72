/**
 * Format detection BY CONTENT, never by extension (formats.md §0 rule 1, §8): magic bytes and
 * structure checks on the first 4 KiB, an end-of-central-directory search at the end (zips with a
 * junk prefix, pickle+zip polyglots), HDF5 superblocks at 0/512/1024/…, and the wrong-file cases
 * users hit (Git LFS pointers, HTML error pages, empty or all-zero downloads). A file may get
 * several candidates; the dispatcher examines it as each of them.
 */
import { MemoryByteSource, SequentialReader, type ByteSource } from './byte-source';
import { DEFAULT_LIMITS } from './limits';
import { disassembleStream } from './pickle/disassembler';
import type { CandidateKind, FormatCandidate } from './types';
import { readVarint, Window } from './protobuf/wire';
import { findEocd } from './zip/zip-reader';

export const HEAD_BYTES = 4096;

/** torch legacy MAGIC_NUMBER as pickled: LONG1 10 bytes 0x1950a86a20f9469cfc6c (after PROTO n). */
const TORCH_LEGACY_MAGIC = Buffer.from([0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const GGML_MAGICS = new Set([0x67676d6c, 0x67676d66, 0x67676a74, 0x67676c61, 0x6767736e]);

/** Bytes that can start a protocol 0/1 pickle (no PROTO). */
const TEXT_PICKLE_START = new Set('(cNILFSVJKMTUX]})GlqQ'.split('').map((c) => c.charCodeAt(0)));

const startsWith = (head: Buffer, bytes: number[] | Buffer, at = 0) => head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);

/** ModelProto field number → wire type (onnx.proto): the only fields an ONNX file's top level holds. */
const ONNX_MODEL_FIELDS: Record<number, number> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2 };
const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * ONNX (protobuf ModelProto) by structure, not by a regex on the first bytes (formats.md §4): the
 * top-level fields in the head must all be ModelProto fields with their wire types, lengths must
 * fit the file, an ir_version (1–32) must be present, and there must be a graph or an opset
 * import in the head, or a printable producer name. Random bytes, CoreML (fields ≥ 200, a message
 * in field 2) and other protobufs fail these checks. The text form (`ir_version: 8`) is 'weak'.
 */
export function looksLikeOnnx(head: Buffer, size = head.length): 'likely' | 'weak' | undefined {
  if (/^\s*ir_version:\s*\d+/.test(head.subarray(0, 64).toString('latin1'))) return 'weak';
  if (head.length < 4) return undefined;
  const w = new Window(new MemoryByteSource(head), head.length);
  let pos = 0;
  let ir: bigint | undefined;
  let graph = false;
  let opset = false;
  let producer = false;
  let fields = 0;
  try {
    while (pos < head.length && fields < 64) {
      const tag = readVarint(w, pos, head.length);
      const field = Number(tag.value >> 3n);
      const wire = Number(tag.value & 7n);
      if (ONNX_MODEL_FIELDS[field] === undefined || ONNX_MODEL_FIELDS[field] !== wire) return undefined;
      fields++;
      pos = tag.next;
      if (wire === 0) {
        const v = readVarint(w, pos, head.length);
        if (field === 1) ir = v.value;
        pos = v.next;
        continue;
      }
      const len = readVarint(w, pos, head.length);
      pos = len.next;
      if (len.value > BigInt(size - pos)) {
        // longer than the file: a truncated ONNX file (the reader reports it) when what came before
        // already reads as ONNX; random data claiming a huge field does not
        if (ir !== undefined && producer) break;
        return undefined;
      }
      const n = Number(len.value);
      const inHead = head.subarray(pos, Math.min(head.length, pos + n));
      if (field === 2 || field === 3 || field === 4) {
        try {
          const text = utf8Fatal.decode(inHead);
          if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) return undefined;
          if (field === 2 && n > 0) producer = true;
        } catch {
          if (pos + n <= head.length) return undefined; // invalid UTF-8 (a cut at the head's end is fine)
        }
      }
      if (field === 7) graph = true;
      if (field === 8) opset = true;
      pos += n;
    }
  } catch {
    // a varint cut by the end of the head: judge what was seen
    if (pos < head.length - 10) return undefined;
  }
  if (ir === undefined || ir < 1n || ir > 32n) return undefined;
  return graph || opset || producer ? 'likely' : undefined;
}

/** A trial disassembly of the head: does it read as a protocol 0/1 pickle? */
function textPickleConfidence(head: Buffer): 'likely' | 'weak' | undefined {
  if (head.length === 0 || !TEXT_PICKLE_START.has(head[0])) return undefined;
  const src = new MemoryByteSource(head);
  const r = disassembleStream(new SequentialReader(src, 0, head.length), {}, { limits: { ...DEFAULT_LIMITS, pickleOpcodes: 4096 } });
  if (r.complete) return 'likely';
  // the head ended inside a valid-looking stream (e.g. a long first string): possibly a pickle
  if (r.error?.kind === 'truncated' && head.length >= HEAD_BYTES && r.opcodes >= 1) return 'weak';
  if (r.error?.kind === 'truncated' && r.end >= head.length - 1 && r.opcodes >= 4) return 'weak';
  if (r.error?.kind === 'limit' && r.opcodes >= 4096) return 'weak';
  return undefined;
}

function isHtml(head: Buffer): boolean {
  const text = head.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  return /^<!doctype html/.test(text) || /^<html[\s>]/.test(text) || /^<head[\s>]/.test(text) || /^<body[\s>]/.test(text) || (/^<\?xml/.test(text) && text.includes('<html'));
}

/** Candidates visible in the first bytes (pure; also used on zip members and nested data). */
export function sniff(head: Buffer, size: number): FormatCandidate[] {
  const out: FormatCandidate[] = [];
  const add = (kind: CandidateKind, confidence: FormatCandidate['confidence'], note?: string) => out.push(note ? { kind, offset: 0, confidence, note } : { kind, offset: 0, confidence });
  if (size === 0) {
    add('empty', 'certain');
    return out;
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) add('zip', 'certain');
  else if (startsWith(head, [0x50, 0x4b, 0x05, 0x06])) add('zip', 'likely', 'empty archive');
  if (startsWith(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) add('npy', 'certain');
  if (startsWith(head, [0x47, 0x47, 0x55, 0x46])) add('gguf', 'certain');
  if (head.length >= 4 && GGML_MAGICS.has(head.readUInt32LE(0))) add('ggml-legacy', 'likely');
  if (startsWith(head, HDF5_SIGNATURE)) add('hdf5', 'certain');
  if (head[0] === 0x80 && head.length >= 2 && head[1] <= 5) {
    if (startsWith(head, TORCH_LEGACY_MAGIC, 2)) add('pytorch-legacy', 'certain');
    else add('pickle', head[1] >= 2 ? 'certain' : 'likely', `protocol ${head[1]}`);
  } else {
    const c = textPickleConfidence(head);
    if (c) add('pickle', c, 'protocol 0/1 (no PROTO)');
  }
  if (head.length >= 9 && size >= 9) {
    // safetensors: u64 N, then '{' (after optional whitespace). N beyond the file or above the 100 MB
    // cap is still safetensors (truncated or hostile), so the reader can say what is wrong with it.
    const n = head.readBigUInt64LE(0);
    if (n >= 2n && n < 1n << 40n) {
      let i = 8;
      while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
      if (head[i] === 0x7b) {
        if (n <= 100_000_000n && 8n + n <= BigInt(size)) add('safetensors', i === 8 ? 'certain' : 'likely', i === 8 ? undefined : 'leading whitespace in header');
        else add('safetensors', 'likely', n > 100_000_000n ? 'header length above the 100 MB limit' : 'header length beyond the end of the file');
      }
    }
  }
  if (startsWith(head, [0x1f, 0x8b])) add('gzip', 'likely');
  if (head.length >= 2 && head[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(head[1]) && ((head[0] << 8) | head[1]) % 31 === 0) add('zlib', 'likely');
  if (startsWith(head, [0x42, 0x5a, 0x68])) add('bz2', 'likely');
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) add('xz', 'certain');
  if (startsWith(head, [0x5d, 0x00, 0x00])) add('lzma', 'weak');
  if (startsWith(head, [0x04, 0x22, 0x4d, 0x18])) add('lz4', 'certain');
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) add('zstd', 'certain');
  if (startsWith(head, [0x5a, 0x46])) add('joblib-zf', 'weak');
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') add('tar', 'certain');
  const text = head.subarray(0, 256).toString('latin1');
  if (/^version https:\/\/git-lfs\.github\.com\/spec\//.test(text) || /^\s*oid sha256:[0-9a-f]{64}/.test(text)) add('git-lfs-pointer', 'certain');
  if (isHtml(head)) add('html', 'likely');
  const onnx = looksLikeOnnx(head, size);
  if (onnx) add('onnx', onnx, onnx === 'weak' ? 'text format' : undefined);
  if (/^\s*[{[]/.test(head.subarray(0, 64).toString('latin1')) && !out.some((c) => c.kind === 'safetensors')) add('json', 'weak');
  return out;
}

const RANK = { certain: 0, likely: 1, weak: 2 } as const;

/** All candidates for a whole source (reads the head, the tail, and a few probes). */
export function detectFormats(source: ByteSource): FormatCandidate[] {
  const head = source.read(0, HEAD_BYTES);
  const out = sniff(head, source.size);
  if (source.size === 0) return out;
  if (!out.some((c) => c.kind === 'zip')) {
    const eocd = findEocd(source);
    if (eocd) out.push({ kind: 'zip-eocd', offset: eocd.offset, confidence: 'likely', note: 'end-of-central-directory record without PK\\x03\\x04 at offset 0' });
  }
  // HDF5 after a user block, also behind other content (a pickle in the user block is a polyglot)
  if (!out.some((c) => c.kind === 'hdf5')) {
    for (let at = 512; at + 8 <= source.size && at <= 256 * 1024 * 1024; at *= 2) {
      if (source.read(at, 8).equals(HDF5_SIGNATURE)) {
        out.push({ kind: 'hdf5', offset: at, confidence: 'certain', note: `superblock after a ${at}-byte user block` });
        break;
      }
    }
  }
  if (out.length === 0 && head.every((b) => b === 0)) {
    // sample the rest rather than reading a whole (possibly huge) file
    const probes = [source.size - HEAD_BYTES];
    for (let k = 1; k < 8; k++) probes.push(Math.floor((source.size * k) / 8));
    if (probes.every((p) => p < HEAD_BYTES || source.read(Math.max(0, p), HEAD_BYTES).every((b) => b === 0))) {
      out.push({ kind: 'all-zero', offset: 0, confidence: source.size <= HEAD_BYTES * 9 ? 'certain' : 'likely', note: source.size > HEAD_BYTES * 9 ? 'sampled' : undefined });
      if (out[out.length - 1].note === undefined) delete out[out.length - 1].note;
    }
  }
  return out.sort((a, b) => RANK[a.confidence] - RANK[b.confidence]);
}
