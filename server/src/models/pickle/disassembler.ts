/**
 * A symbolic pickle disassembler for protocols 0–5 (formats.md §3, §3.7). It walks the opcodes the
 * way CPython's unpickler would — stack, MARK stack (metastack), memo, FRAME rules — but pushes
 * symbolic values instead of objects, and reports every import, call and mutation to a sink.
 * Nothing is imported, called or evaluated. Every length is checked against the bytes that remain
 * before anything is read, and every limit is enforced; any error ends the stream with a reason
 * (a parse error is never "clean").
 */
import type { SequentialReader } from '../byte-source';
import type { FindingReason } from '../types';
import type { ScanLimits } from '../limits';
import { HIGHEST_PROTOCOL, OPCODES } from './opcodes';
import { describe, type CallKind, type PCall, type PValue } from './values';

export type ImportOpcode = 'GLOBAL' | 'STACK_GLOBAL' | 'INST';

export interface ImportSite {
  module: string;
  name: string;
  opcode: ImportOpcode;
  offset: number;
  /** The stream's protocol (PROTO argument, 0 when absent): names are mapped for protocol < 3. */
  protocol: number;
}

export interface PickleIssue {
  reason: FindingReason;
  offset: number;
  opcode?: string;
  message: string;
}

export type MutationKind = 'BUILD' | 'APPEND' | 'SETITEM' | 'ADDITEMS';

/** Receives what the stream does; all callbacks are optional. */
export interface DisassemblySink {
  onImport?(site: ImportSite): void;
  /** An import whose target is not a constant string (dangerous: the scanner cannot know it). */
  onUnresolvedImport?(opcode: ImportOpcode, offset: number, why: string): void;
  /** REDUCE / NEWOBJ / NEWOBJ_EX / OBJ / INST, when the call node is created. */
  onCall?(call: PCall): void;
  /** BUILD, or APPEND/SETITEM/ADDITEMS applied to something that is not a plain list/dict/set. */
  onMutate?(kind: MutationKind, target: PValue, offset: number, arg: PValue | undefined): void;
  /** A value dropped by POP / POP_MARK, or left below the result at STOP. */
  onDiscard?(value: PValue, offset: number, opcode: string): void;
  onPersistentId?(pid: PValue, offset: number, opcode: string): void;
  onExt?(code: number, offset: number, opcode: string): void;
  onIssue?(issue: PickleIssue): void;
  /**
   * Called after BUILD; may consume bytes that follow the opcode outside the pickle grammar
   * (joblib writes raw array bytes there). Return an error string to end the stream.
   */
  afterBuild?(target: PValue, state: PValue, reader: SequentialReader, offset: number): string | void;
}

export interface StreamOptions {
  limits: ScanLimits;
  /** Date.now() value after which the stream is abandoned with a timeout error. */
  deadline?: number;
}

export type StreamErrorKind = 'truncated' | 'limit' | 'parse' | 'timeout';

export interface StreamResult {
  start: number;
  end: number;
  protocol: number;
  opcodes: number;
  complete: boolean;
  error?: { kind: StreamErrorKind; message: string; offset: number };
  /** The value STOP returned. */
  result?: PValue;
  /** Highest protocol among the opcodes used (tells protocol 0 from 1 when there is no PROTO). */
  opcodeProtocol: number;
  counts: Map<string, number>;
  maxStackDepth: number;
  memoSize: number;
  gets: number;
  puts: number;
  dups: number;
}

class StreamError extends Error {
  constructor(readonly kind: StreamErrorKind, message: string, readonly offset: number) {
    super(message);
  }
}

const BOOL_TRUE: PValue = { t: 'bool', v: true };
const BOOL_FALSE: PValue = { t: 'bool', v: false };

/** Python's escape_decode (STRING opcode argument), producing latin-1 text. */
function escapeDecode(raw: Buffer): string | undefined {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== 0x5c) {
      out += String.fromCharCode(c);
      continue;
    }
    i++;
    if (i >= raw.length) return undefined; // trailing backslash: "Trailing \ in string"
    const e = String.fromCharCode(raw[i]);
    switch (e) {
      case '\n': break;
      case '\\': out += '\\'; break;
      case "'": out += "'"; break;
      case '"': out += '"'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        const hex = raw.subarray(i + 1, i + 3).toString('latin1');
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined; // "invalid \x escape"
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          let j = i;
          let v = 0;
          while (j < raw.length && j < i + 3 && raw[j] >= 0x30 && raw[j] <= 0x37) v = v * 8 + (raw[j++] - 0x30);
          out += String.fromCharCode(v & 0xff);
          i = j - 1;
        } else {
          out += '\\' + e;
        }
    }
  }
  return out;
}

/** Python's raw-unicode-escape decoding (UNICODE opcode argument). */
function rawUnicodeDecode(raw: Buffer): string | undefined {
  const s = raw.toString('latin1');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && (s[i + 1] === 'u' || s[i + 1] === 'U')) {
      // an odd run of backslashes before u/U makes an escape
      let run = 0;
      for (let k = i; k >= 0 && s[k] === '\\'; k--) run++;
      if (run % 2 === 1) {
        const n = s[i + 1] === 'u' ? 4 : 8;
        const hex = s.slice(i + 2, i + 2 + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) return undefined;
        out += String.fromCodePoint(cp);
        i += 1 + n;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

/** Python int(text, 0) (INT/LONG/GET/PUT text arguments); undefined when Python would raise. */
function parseIntText(text: string): PValue | undefined {
  let t = text.trim();
  if (t.endsWith('L')) t = t.slice(0, -1);
  let neg = false;
  if (t.startsWith('-') || t.startsWith('+')) {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  if (!/^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/.test(t) || t.includes('__') || t.endsWith('_')) return undefined;
  // BigInt parsing is superlinear: very long literals are kept as a placeholder
  if (t.length > 200) return { t: 'int', v: NaN, big: `<${t.length}-digit integer>` };
  let big: bigint;
  try {
    big = BigInt(t.replace(/_/g, ''));
  } catch {
    return undefined;
  }
  if (neg) big = -big;
  return bigToValue(big);
}

function bigToValue(big: bigint): PValue {
  const n = Number(big);
  return Number.isSafeInteger(n) ? { t: 'int', v: n } : { t: 'int', v: n, big: big.toString() };
}

/** Two's-complement little-endian integer (LONG1/LONG4). */
function decodeLong(bytes: Buffer): PValue {
  if (bytes.length === 0) return { t: 'int', v: 0 };
  let big = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) big = (big << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) big -= 1n << BigInt(bytes.length * 8);
  return bigToValue(big);
}

const U64_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Disassembles one pickle stream starting at `reader.pos`, up to and including its STOP (or the
 * first error). The reader is left just after the last byte consumed.
 */
export function disassembleStream(reader: SequentialReader, sink: DisassemblySink, opts: StreamOptions): StreamResult {
  const { limits } = opts;
  const start = reader.pos;
  const stack: PValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PValue>();
  const counts = new Map<string, number>();
  let protocol = 0;
  let opcodeProtocol = 0;
  let opcodes = 0;
  let frameEnd = -1;
  let maxStackDepth = 0;
  let gets = 0;
  let puts = 0;
  let dups = 0;
  let result: PValue | undefined;
  let opPos = start;
  let opName = '';

  const fail = (kind: StreamErrorKind, message: string, offset = opPos): never => {
    throw new StreamError(kind, message, offset);
  };
  const issue = (reason: FindingReason, message: string, offset = opPos) => sink.onIssue?.({ reason, offset, opcode: opName, message });

  const base = () => (marks.length > 0 ? marks[marks.length - 1] : 0);
  const pop = (): PValue => {
    if (stack.length <= base()) fail('parse', `${opName} at ${opPos}: unpickling stack underflow`);
    return stack.pop() as PValue;
  };
  const top = (): PValue => {
    if (stack.length <= base()) fail('parse', `${opName} at ${opPos}: unpickling stack underflow`);
    return stack[stack.length - 1];
  };
  const push = (v: PValue) => {
    stack.push(v);
    if (stack.length > maxStackDepth) {
      maxStackDepth = stack.length;
      if (stack.length > limits.pickleStackDepth) fail('limit', `stack depth exceeds ${limits.pickleStackDepth}`);
    }
  };
  const popMark = (): PValue[] => {
    if (marks.length === 0) fail('parse', `${opName} at ${opPos}: could not find MARK`);
    const b = marks.pop() as number;
    return stack.splice(b);
  };
  const need = (n: number): Buffer => {
    const b = reader.bytes(n);
    if (!b) fail('truncated', `${opName} at ${opPos}: argument truncated (needs ${n} bytes, ${reader.remaining} remain)`);
    return b as Buffer;
  };
  const u8 = () => need(1)[0];
  const u16 = () => need(2).readUInt16LE(0);
  const u32 = () => need(4).readUInt32LE(0);
  const i32 = () => need(4).readInt32LE(0);
  const u64 = (): number => {
    const v = need(8).readBigUInt64LE(0);
    if (v > U64_SAFE) fail('truncated', `${opName} at ${opPos}: length ${v} exceeds the file`);
    return Number(v);
  };
  const line = (): Buffer => {
    const r = reader.line(limits.pickleLineLength);
    if ('error' in r) {
      fail(r.error === 'eof' ? 'truncated' : 'limit', r.error === 'eof' ? `${opName} at ${opPos}: text argument not terminated by a newline` : `${opName} at ${opPos}: text argument longer than ${limits.pickleLineLength} bytes`);
    }
    return (r as { text: Buffer }).text;
  };
  const checkLen = (len: number) => {
    if (len > reader.remaining) fail('truncated', `${opName} at ${opPos}: declares ${len} bytes but only ${reader.remaining} remain`);
  };
  /** A length-prefixed string: kept up to the limit, the rest skipped unread. */
  const lenString = (len: number, encoding: 'utf8' | 'latin1'): PValue => {
    checkLen(len);
    const keep = Math.min(len, limits.pickleStringKept);
    const v = need(keep).toString(encoding);
    if (keep < len) {
      reader.skip(len - keep);
      return { t: 'str', v, truncated: true, len };
    }
    return { t: 'str', v };
  };
  const lenBytes = (len: number, array = false): PValue => {
    checkLen(len);
    const off = reader.pos;
    reader.skip(len);
    return array ? { t: 'bytes', src: reader.source, off, len, array: true } : { t: 'bytes', src: reader.source, off, len };
  };
  const memoGet = (key: number) => {
    gets++;
    const v = memo.get(key);
    if (v === undefined) {
      issue('memo-missing-key', `${opName} at ${opPos} reads memo key ${key}, which was never stored (the loader raises KeyError here)`);
      push({ t: 'unknown', why: `missing memo key ${key}` });
    } else push(v);
  };
  const memoPut = (key: number) => {
    puts++;
    if (key < 0) fail('parse', `${opName} at ${opPos}: negative memo key`);
    memo.set(key, top());
    if (memo.size > limits.pickleMemo) fail('limit', `memo exceeds ${limits.pickleMemo} entries`);
  };
  const call = (kind: CallKind, callee: PValue, args: PValue, kwargs?: PValue): void => {
    const node: PCall = kwargs ? { t: 'call', kind, callee, args, kwargs, offset: opPos } : { t: 'call', kind, callee, args, offset: opPos };
    sink.onCall?.(node);
    push(node);
  };
  const mutateSeq = (kind: MutationKind, target: PValue, values: PValue[]) => {
    if (target.t === 'list' && kind === 'APPEND') target.items.push(...values);
    else if (target.t === 'set' && !target.frozen && kind === 'ADDITEMS') target.items.push(...values);
    else {
      if (target.t === 'call') (target.items ??= []).push(...values);
      sink.onMutate?.(kind, target, opPos, values[0]);
    }
  };
  const mutateMap = (target: PValue, pairs: [PValue, PValue][]) => {
    if (target.t === 'dict') target.entries.push(...pairs);
    else {
      if (target.t === 'call') (target.entries ??= []).push(...pairs);
      sink.onMutate?.('SETITEM', target, opPos, pairs[0]?.[0]);
    }
  };
  const importGlobal = (module: string, name: string, opcode: ImportOpcode): PValue => {
    sink.onImport?.({ module, name, opcode, offset: opPos, protocol });
    return { t: 'global', module, name, offset: opPos };
  };
  const textLines = (): [string, string] => {
    const module = line().toString('utf8');
    const name = line().toString('utf8');
    return [module, name];
  };

  let stopped = false;
  try {
    while (!stopped) {
      opPos = reader.pos;
      if (frameEnd >= 0 && opPos >= frameEnd) frameEnd = -1;
      if (opcodes >= limits.pickleOpcodes) fail('limit', `more than ${limits.pickleOpcodes} opcodes`);
      if ((opcodes & 255) === 0 && opts.deadline !== undefined && Date.now() > opts.deadline) fail('timeout', 'time budget exceeded');
      const code = reader.u8();
      if (code < 0) {
        opName = '';
        fail('truncated', opcodes === 0 ? 'empty pickle stream' : `pickle ends at ${opPos} without STOP`);
      }
      const info = OPCODES[code];
      if (!info) {
        opName = `0x${code.toString(16).padStart(2, '0')}`;
        fail('parse', `invalid opcode byte 0x${code.toString(16).padStart(2, '0')} at ${opPos}`);
      }
      opName = (info as { name: string }).name;
      if ((info as { proto: number }).proto > opcodeProtocol) opcodeProtocol = (info as { proto: number }).proto;
      opcodes++;
      counts.set(opName, (counts.get(opName) ?? 0) + 1);

      switch (opName) {
        // ---- framing and protocol
        case 'PROTO': {
          const v = u8();
          if (v > HIGHEST_PROTOCOL) fail('parse', `unsupported pickle protocol ${v}`);
          if (opcodes !== 1) issue('misplaced-proto', `PROTO ${v} at ${opPos} is not the first opcode of its stream (fickling: misplaced/duplicate PROTO)`);
          protocol = v;
          break;
        }
        case 'FRAME': {
          const lenBig = need(8).readBigUInt64LE(0);
          if (frameEnd >= 0 && opPos < frameEnd) {
            issue('frame-violation', `FRAME at ${opPos} starts inside the frame that ends at ${frameEnd}`);
          }
          if (lenBig > BigInt(reader.remaining)) {
            // CPython reads the whole frame first and fails here: a truncation, not a divergence
            fail('truncated', `FRAME at ${opPos} declares ${lenBig} bytes but only ${reader.remaining} remain`);
          }
          frameEnd = reader.pos + Number(lenBig);
          break;
        }
        case 'STOP': {
          result = pop();
          if (stack.length > 0 || marks.length > 0) {
            issue('stack-not-empty', `STOP at ${opPos} leaves ${stack.length} value(s) and ${marks.length} MARK(s) on the stack`);
            for (const v of stack) sink.onDiscard?.(v, opPos, 'STOP');
          }
          if (frameEnd > reader.pos) issue('frame-violation', `the frame ending at ${frameEnd} extends past STOP at ${opPos}`);
          stopped = true;
          break;
        }

        // ---- constants
        case 'NONE': push({ t: 'none' }); break;
        case 'NEWTRUE': push(BOOL_TRUE); break;
        case 'NEWFALSE': push(BOOL_FALSE); break;
        case 'INT': {
          const text = line().toString('latin1');
          if (text === '00') push(BOOL_FALSE);
          else if (text === '01') push(BOOL_TRUE);
          else {
            const v = parseIntText(text);
            if (!v || text.endsWith('L')) fail('parse', `INT at ${opPos}: invalid literal`);
            push(v as PValue);
          }
          break;
        }
        case 'LONG': {
          const v = parseIntText(line().toString('latin1'));
          if (!v) fail('parse', `LONG at ${opPos}: invalid literal`);
          push(v as PValue);
          break;
        }
        case 'BININT': push({ t: 'int', v: i32() }); break;
        case 'BININT1': push({ t: 'int', v: u8() }); break;
        case 'BININT2': push({ t: 'int', v: u16() }); break;
        case 'LONG1': push(decodeLong(need(u8()))); break;
        case 'LONG4': {
          const n = i32();
          if (n < 0) fail('parse', `LONG4 at ${opPos}: negative byte count`);
          checkLen(n);
          if (n > 64) {
            reader.skip(n);
            push({ t: 'int', v: NaN, big: `<${n}-byte integer>` });
          } else push(decodeLong(need(n)));
          break;
        }
        case 'FLOAT': {
          const text = line().toString('latin1').trim();
          const lower = text.toLowerCase();
          const v = /^[+-]?(inf|infinity)$/.test(lower) ? (lower.startsWith('-') ? -Infinity : Infinity) : /^[+-]?nan$/.test(lower) ? NaN : Number(text);
          if (Number.isNaN(v) && !/nan$/.test(lower)) fail('parse', `FLOAT at ${opPos}: could not convert string to float`);
          if (text === '') fail('parse', `FLOAT at ${opPos}: empty literal`);
          push({ t: 'float', v });
          break;
        }
        case 'BINFLOAT': push({ t: 'float', v: need(8).readDoubleBE(0) }); break;
        case 'STRING': {
          const raw = line();
          const q = raw[0];
          if (raw.length < 2 || raw[raw.length - 1] !== q || (q !== 0x22 && q !== 0x27)) fail('parse', `STRING at ${opPos}: the argument must be quoted`);
          const v = escapeDecode(raw.subarray(1, raw.length - 1));
          if (v === undefined) fail('parse', `STRING at ${opPos}: invalid escape`);
          push({ t: 'str', v: v as string });
          break;
        }
        case 'BINSTRING': {
          const n = i32();
          if (n < 0) fail('parse', `BINSTRING at ${opPos}: negative byte count`);
          push(lenString(n, 'latin1'));
          break;
        }
        case 'SHORT_BINSTRING': push(lenString(u8(), 'latin1')); break;
        case 'UNICODE': {
          const v = rawUnicodeDecode(line());
          if (v === undefined) fail('parse', `UNICODE at ${opPos}: invalid raw-unicode-escape`);
          push({ t: 'str', v: v as string });
          break;
        }
        case 'BINUNICODE': push(lenString(u32(), 'utf8')); break;
        case 'SHORT_BINUNICODE': push(lenString(u8(), 'utf8')); break;
        case 'BINUNICODE8': push(lenString(u64(), 'utf8')); break;
        case 'BINBYTES': push(lenBytes(u32())); break;
        case 'SHORT_BINBYTES': push(lenBytes(u8())); break;
        case 'BINBYTES8': push(lenBytes(u64())); break;
        case 'BYTEARRAY8': push(lenBytes(u64(), true)); break;
        case 'NEXT_BUFFER':
          issue('out-of-band-buffer', `NEXT_BUFFER at ${opPos}: the pickle expects out-of-band buffers (protocol 5)`);
          push({ t: 'buffer', offset: opPos });
          break;
        case 'READONLY_BUFFER': top(); break;

        // ---- containers
        case 'EMPTY_TUPLE': push({ t: 'tuple', items: [] }); break;
        case 'EMPTY_LIST': push({ t: 'list', items: [] }); break;
        case 'EMPTY_DICT': push({ t: 'dict', entries: [] }); break;
        case 'EMPTY_SET': push({ t: 'set', items: [], frozen: false }); break;
        case 'TUPLE': push({ t: 'tuple', items: popMark() }); break;
        case 'TUPLE1': { const a = pop(); push({ t: 'tuple', items: [a] }); break; }
        case 'TUPLE2': { const b = pop(); const a = pop(); push({ t: 'tuple', items: [a, b] }); break; }
        case 'TUPLE3': { const c = pop(); const b = pop(); const a = pop(); push({ t: 'tuple', items: [a, b, c] }); break; }
        case 'LIST': push({ t: 'list', items: popMark() }); break;
        case 'FROZENSET': push({ t: 'set', items: popMark(), frozen: true }); break;
        case 'DICT': {
          const items = popMark();
          if (items.length % 2 !== 0) fail('parse', `DICT at ${opPos}: odd number of items`);
          const entries: [PValue, PValue][] = [];
          for (let i = 0; i < items.length; i += 2) entries.push([items[i], items[i + 1]]);
          push({ t: 'dict', entries });
          break;
        }
        case 'APPEND': { const v = pop(); mutateSeq('APPEND', top(), [v]); break; }
        case 'APPENDS': { const items = popMark(); mutateSeq('APPEND', top(), items); break; }
        case 'ADDITEMS': { const items = popMark(); mutateSeq('ADDITEMS', top(), items); break; }
        case 'SETITEM': { const v = pop(); const k = pop(); mutateMap(top(), [[k, v]]); break; }
        case 'SETITEMS': {
          const items = popMark();
          if (items.length % 2 !== 0) fail('parse', `SETITEMS at ${opPos}: odd number of items`);
          const pairs: [PValue, PValue][] = [];
          for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
          mutateMap(top(), pairs);
          break;
        }

        // ---- stack and memo
        case 'MARK':
          marks.push(stack.length);
          if (marks.length > limits.pickleStackDepth) fail('limit', `MARK stack deeper than ${limits.pickleStackDepth}`);
          break;
        case 'POP':
          if (stack.length > base()) sink.onDiscard?.(stack.pop() as PValue, opPos, 'POP');
          else if (marks.length > 0) marks.pop();
          else fail('parse', `POP at ${opPos}: unpickling stack underflow`);
          break;
        case 'POP_MARK':
          for (const v of popMark()) sink.onDiscard?.(v, opPos, 'POP_MARK');
          break;
        case 'DUP':
          dups++;
          push(top());
          break;
        case 'GET': {
          const v = parseIntText(line().toString('latin1'));
          if (!v || v.t !== 'int' || v.big !== undefined) fail('parse', `GET at ${opPos}: invalid memo key`);
          memoGet((v as { v: number }).v);
          break;
        }
        case 'BINGET': memoGet(u8()); break;
        case 'LONG_BINGET': memoGet(u32()); break;
        case 'PUT': {
          const v = parseIntText(line().toString('latin1'));
          if (!v || v.t !== 'int' || v.big !== undefined) fail('parse', `PUT at ${opPos}: invalid memo key`);
          memoPut((v as { v: number }).v);
          break;
        }
        case 'BINPUT': memoPut(u8()); break;
        case 'LONG_BINPUT': memoPut(u32()); break;
        case 'MEMOIZE': puts++; memo.set(memo.size, top()); if (memo.size > limits.pickleMemo) fail('limit', `memo exceeds ${limits.pickleMemo} entries`); break;

        // ---- imports
        case 'GLOBAL': {
          const [module, name] = textLines();
          push(importGlobal(module, name, 'GLOBAL'));
          break;
        }
        case 'STACK_GLOBAL': {
          const name = pop();
          const module = pop();
          const bad = [module, name].find((v) => v.t !== 'str' || v.truncated);
          if (!bad) {
            push(importGlobal((module as { v: string }).v, (name as { v: string }).v, 'STACK_GLOBAL'));
            break;
          }
          const constant = ['none', 'bool', 'int', 'float', 'bytes', 'tuple', 'list', 'dict', 'set'].includes(bad.t);
          if (constant) fail('parse', `STACK_GLOBAL at ${opPos} requires str operands, got ${describe(bad)} (the loader raises here)`);
          const why = bad.t === 'str' ? 'operand longer than the kept string limit' : `operand is ${describe(bad)}, not a constant string`;
          sink.onUnresolvedImport?.('STACK_GLOBAL', opPos, why);
          push({ t: 'unknown', why: `unresolved STACK_GLOBAL at ${opPos}` });
          break;
        }
        case 'INST': {
          const [module, name] = textLines();
          const args = popMark();
          const g = importGlobal(module, name, 'INST');
          call('INST', g, { t: 'tuple', items: args });
          break;
        }
        case 'EXT1':
        case 'EXT2':
        case 'EXT4': {
          const code = opName === 'EXT1' ? u8() : opName === 'EXT2' ? u16() : i32();
          if (code <= 0) fail('parse', `${opName} at ${opPos}: code ${code} <= 0 (corrupt or hostile pickle)`);
          sink.onExt?.(code, opPos, opName);
          push({ t: 'unknown', why: `copyreg extension code ${code}` });
          break;
        }

        // ---- calls
        case 'REDUCE': { const args = pop(); const fn = pop(); call('REDUCE', fn, args); break; }
        case 'NEWOBJ': { const args = pop(); const cls = pop(); call('NEWOBJ', cls, args); break; }
        case 'NEWOBJ_EX': { const kwargs = pop(); const args = pop(); const cls = pop(); call('NEWOBJ_EX', cls, args, kwargs); break; }
        case 'OBJ': {
          const items = popMark();
          if (items.length === 0) fail('parse', `OBJ at ${opPos}: no class on the stack`);
          call('OBJ', items[0], { t: 'tuple', items: items.slice(1) });
          break;
        }
        case 'BUILD': {
          const state = pop();
          const target = top();
          if (target.t === 'call') target.state = state;
          sink.onMutate?.('BUILD', target, opPos, state);
          if (sink.afterBuild) {
            // the opcode itself must end inside (or exactly at the end of) the current frame
            if (frameEnd >= 0 && reader.pos > frameEnd) {
              issue('frame-violation', `BUILD at ${opPos} straddles the frame end at ${frameEnd}`);
              frameEnd = -1;
            } else if (frameEnd >= 0 && reader.pos === frameEnd) frameEnd = -1;
            const err = sink.afterBuild(target, state, reader, opPos);
            if (err) fail('parse', err);
          }
          break;
        }
        case 'PERSID': {
          const pid: PValue = { t: 'str', v: line().toString('latin1') };
          sink.onPersistentId?.(pid, opPos, opName);
          push({ t: 'persid', pid, offset: opPos });
          break;
        }
        case 'BINPERSID': {
          const pid = pop();
          sink.onPersistentId?.(pid, opPos, opName);
          push({ t: 'persid', pid, offset: opPos });
          break;
        }
        default:
          fail('parse', `unhandled opcode ${opName}`);
      }

      if (frameEnd >= 0 && reader.pos > frameEnd) {
        issue('frame-violation', `${opName} at ${opPos} straddles the frame end at ${frameEnd} (its data runs to ${reader.pos}): loaders and scanners may disagree on what follows`);
        frameEnd = -1;
      }
    }
  } catch (e) {
    if (!(e instanceof StreamError)) throw e;
    return {
      start, end: reader.pos, protocol, opcodeProtocol, opcodes, complete: false,
      error: { kind: e.kind, message: e.message, offset: e.offset },
      counts, maxStackDepth, memoSize: memo.size, gets, puts, dups,
    };
  }
  return { start, end: reader.pos, protocol, opcodeProtocol, opcodes, complete: true, result, counts, maxStackDepth, memoSize: memo.size, gets, puts, dups };
}
