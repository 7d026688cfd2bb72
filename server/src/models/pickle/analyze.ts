/**
 * Runs the disassembler over every pickle stream of a byte range and turns what it saw into
 * findings (formats.md §3.6 recommended classifier): globals through allowlists.ts, plus the
 * opcode-level rules — unresolved import targets, EXT, INST, OBJ/NEWOBJ_EX on non-allowlisted
 * classes, invisible calls, class mutation, frame violations, memo tricks, extra streams — and
 * nested pickles handed to known loaders (disassembled too, with bounded depth). It also skips the
 * raw array bytes joblib writes after each NumpyArrayWrapper, so scanning continues past them.
 */
import { MemoryByteSource, SequentialReader, SliceByteSource, type ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import type { FindingReason, GlobalClassification, PickleStreamSummary } from '../types';
import { elementCount, parseDescrString, type NumpyDtype } from '../readers/numpy-dtype';
import { BYTES_WRAPPERS, classifyGlobal, JOBLIB_WRAPPERS, NESTED_LOADERS, type GlobalVerdict } from './allowlists';
import { disassembleStream, type DisassemblySink, type PickleIssue, type StreamResult } from './disassembler';
import { WEIGHTS_ONLY_OPCODES } from './opcodes';
import { describe, dictGet, globalKey, intTuple, intValue, seqItems, type PCall, type PValue } from './values';

export interface PickleScanOptions {
  /** Stop after this many complete streams; the bytes after them are not pickle (legacy torch: 5). */
  expectedStreams?: number;
  /** Label for the first stream's report (e.g. "data.pkl"); defaults to the context's entry. */
  label?: string;
}

/** An array whose bytes joblib wrote inline after its NumpyArrayWrapper. */
export interface JoblibArray {
  node: PCall;
  dtype: string;
  shape: number[];
  order: string;
  /** Offset of the data in the scanned source, and in the file when it maps onto it. */
  sourceOffset: number;
  fileOffset?: number;
  bytes: number;
  objectArray: boolean;
}

export interface PickleScan {
  streams: StreamResult[];
  /** Position after the last byte consumed. */
  end: number;
  joblibArrays: JoblibArray[];
  /** True when a joblib NumpyArrayWrapper was seen. */
  usesJoblib: boolean;
}

const CALL_GADGET_REASON: Partial<Record<string, FindingReason>> = { INST: 'inst-opcode', OBJ: 'object-creation', NEWOBJ_EX: 'object-creation' };

function isSafeClass(c: GlobalClassification | undefined): boolean {
  return c === 'safe' || c === 'safe-numpy';
}

/** Looks like the start of a pickle (PROTO 2–5) or a zip: worth a speculative nested scan. */
function looksLikeContainer(src: ByteSource): boolean {
  const h = src.read(0, 4);
  if (h.length >= 2 && h[0] === 0x80 && h[1] >= 2 && h[1] <= 5) return true;
  return h.length === 4 && h.readUInt32LE(0) === 0x04034b50;
}

/**
 * Scans [start, end) of `source` as one or more pickle streams, reporting into `ctx.report`.
 * Never throws for malformed input (only BudgetExceeded from ctx.checkTime).
 */
export function scanPickle(ctx: InspectContext, source: ByteSource, start: number, end: number, opts: PickleScanOptions = {}): PickleScan {
  const report = ctx.report;
  const entry = opts.label !== undefined ? (ctx.entry === undefined ? opts.label : `${ctx.entry} > ${opts.label}`) : ctx.entry;
  const reader = new SequentialReader(source, start, end);
  const classCache = new Map<string, GlobalVerdict>();
  const joblibArrays: JoblibArray[] = [];
  let usesJoblib = false;
  let streamIndex = 0;
  let protocol = 0;
  const unresolvedImportOffsets = new Set<number>();

  const classify = (module: string, name: string, proto: number): GlobalVerdict => {
    const key = `${proto < 3 ? 2 : 3}\u0000${module}\u0000${name}`;
    let v = classCache.get(key);
    if (!v) {
      v = classifyGlobal(module, name, proto);
      classCache.set(key, v);
    }
    return v;
  };
  const calleeClass = (v: PValue): GlobalClassification | undefined => (v.t === 'global' ? classify(v.module, v.name, protocol).classification : undefined);
  const detail = (reason: FindingReason, offset: number, opcode?: string, extra?: Partial<Record<'global' | 'extra' | 'matched', string>>) => ({
    reason, offset, entry, stream: streamIndex, opcode, ...extra,
  });

  /** Bytes the value stands for, when the scanner can know them (constants, _codecs.encode, BytesIO). */
  const bytesOf = (v: PValue, depth = 0): ByteSource | undefined => {
    if (depth > 3) return undefined;
    if (v.t === 'bytes') return new SliceByteSource(v.src, v.off, v.len);
    if (v.t === 'call' && v.callee.t === 'global') {
      const key = globalKey(v.callee);
      const args = seqItems(v.args) ?? [];
      if (key === '_codecs.encode' && args[0]?.t === 'str' && !args[0].truncated) {
        const enc = args[1]?.t === 'str' ? args[1].v.toLowerCase() : 'utf-8';
        return new MemoryByteSource(Buffer.from(args[0].v, enc === 'latin1' || enc === 'latin-1' || enc === 'iso-8859-1' ? 'latin1' : 'utf8'));
      }
      if (BYTES_WRAPPERS.has(key) && args[0]) return bytesOf(args[0], depth + 1);
    }
    return undefined;
  };
  /** Candidate byte arguments of a call (positional args, nested one level, and kwargs values). */
  const byteArgs = (call: PCall): { source: ByteSource; what: string }[] => {
    const out: { source: ByteSource; what: string }[] = [];
    const visit = (v: PValue, depth: number, what: string) => {
      if (out.length >= 8) return;
      const b = bytesOf(v);
      if (b) {
        out.push({ source: b, what });
        return;
      }
      if (depth < 2) (seqItems(v) ?? []).forEach((x, i) => visit(x, depth + 1, `${what}[${i}]`));
    };
    visit(call.args, 0, 'args');
    if (call.kwargs?.t === 'dict') call.kwargs.entries.forEach(([k, v]) => visit(v, 1, `kwargs ${describe(k)}`));
    return out;
  };

  const nestedScan = (call: PCall, key: string, loader: boolean) => {
    const args = byteArgs(call);
    if (loader && args.length === 0) {
      report.add('model-file-unsafe-pickle', 'dangerous', `\`${key}\` (${call.kind} at ${call.offset}) unpickles data the scanner cannot resolve to constant bytes`, detail('nested-pickle', call.offset, call.kind, { global: key }));
      return;
    }
    for (const { source: nestedSource, what } of args) {
      if (!loader && !looksLikeContainer(nestedSource)) continue;
      if (!loader && !speculativeIsPickle(ctx, nestedSource)) continue;
      const child = ctx.nested(`${opts.label !== undefined ? `${opts.label} > ` : ''}nested @${call.offset}`);
      if (!child) {
        report.add('model-file-unsafe-pickle', 'dangerous', `\`${key}\` (${call.kind} at ${call.offset}) receives nested data (${nestedSource.size} bytes) beyond the nesting cap; it was not scanned`, detail('nested-pickle', call.offset, call.kind, { global: key }));
        continue;
      }
      report.note(`Nested data passed to \`${key}\` (${what}, ${nestedSource.size} bytes, ${call.kind} at ${call.offset}${entry ? ` in ${entry}` : ''}) was scanned as its own file.`);
      child.dispatch(nestedSource);
    }
  };

  const findCalls = (v: PValue, depth: number, out: PCall[], seen: Set<PValue>) => {
    if (depth > 3 || out.length > 16 || seen.has(v)) return;
    seen.add(v);
    if (v.t === 'call') out.push(v);
    for (const x of seqItems(v) ?? []) findCalls(x, depth + 1, out, seen);
    if (v.t === 'dict') for (const [k, x] of v.entries.slice(0, 64)) (findCalls(k, depth + 1, out, seen), findCalls(x, depth + 1, out, seen));
  };

  const sink: DisassemblySink = {
    onImport(site) {
      protocol = site.protocol;
      const v = classify(site.module, site.name, site.protocol);
      report.recordGlobal(site.module, site.name, site.opcode, v.classification, v.reason, site.offset, entry, v.matched);
    },
    onUnresolvedImport(opcode, offset, why) {
      unresolvedImportOffsets.add(offset);
      report.add('model-file-unsafe-pickle', 'dangerous', `${opcode} at ${offset}: import target is not a constant string (${why}); the scanner cannot tell what is imported`, detail('unresolved-import', offset, opcode));
    },
    onCall(call) {
      const callee = call.callee;
      if (callee.t === 'global') {
        const key = globalKey(callee);
        const v = classify(callee.module, callee.name, protocol);
        report.recordCall(callee.module, callee.name, call.kind, call.offset, entry);
        const gadget = CALL_GADGET_REASON[call.kind];
        if (gadget === 'inst-opcode') {
          report.add('model-file-unsafe-pickle', 'dangerous', `INST at ${call.offset} imports and instantiates \`${key}\` in one step (formats.md §3.6: INST is dangerous)`, detail('inst-opcode', call.offset, 'INST', { global: key }));
        } else if (gadget && !isSafeClass(v.classification)) {
          report.add('model-file-unsafe-pickle', 'dangerous', `${call.kind} at ${call.offset} instantiates the non-allowlisted class \`${key}\``, detail('object-creation', call.offset, call.kind, { global: key }));
        }
        if (NESTED_LOADERS.has(key)) nestedScan(call, key, true);
        else if (v.classification === 'suspicious') nestedScan(call, key, false);
        return;
      }
      if (callee.t === 'unknown' && callee.why.startsWith('unresolved STACK_GLOBAL')) return; // reported at the import
      if (['none', 'bool', 'int', 'float', 'str', 'bytes', 'tuple', 'list', 'dict', 'set'].includes(callee.t)) {
        report.malformed('invalid', `${call.kind} at ${call.offset} calls ${describe(callee)}, which is not callable (the loader raises here)`, detail('parse-error', call.offset, call.kind));
        return;
      }
      report.add('model-file-unsafe-pickle', 'dangerous', `${call.kind} at ${call.offset} calls ${describe(callee)}: the callee is not a constant global, so the scanner cannot tell what runs`, detail('unresolved-call', call.offset, call.kind));
    },
    onMutate(kind, target, offset) {
      if (target.t === 'global') {
        report.add('model-file-unsafe-pickle', 'dangerous', `${kind} at ${offset} modifies the imported object \`${globalKey(target)}\` itself (setattr/item assignment on a class, function or module)`, detail('class-mutation', offset, kind, { global: globalKey(target) }));
      }
    },
    onDiscard(value, offset, opcode) {
      const calls: PCall[] = [];
      findCalls(value, 0, calls, new Set());
      for (const c of calls) {
        const cls = calleeClass(c.callee);
        if (isSafeClass(cls)) continue;
        const name = describe(c.callee);
        report.add('model-file-unsafe-pickle', 'dangerous', `${c.kind} at ${c.offset} calls ${name} and its result is discarded by ${opcode} at ${offset}: an invisible call (fickling GHSA-mxhj-88fx-4pcv)`, detail('invisible-call', c.offset, c.kind, c.callee.t === 'global' ? { global: globalKey(c.callee) } : undefined));
      }
    },
    onPersistentId(pid, offset, opcode) {
      const items = seqItems(pid);
      const tag = items?.[0];
      if (intValue(pid) !== undefined) return;
      if (tag?.t === 'str' && (tag.v === 'storage' || tag.v === 'module')) return;
      report.add('model-file-suspicious-pickle', 'suspicious', `${opcode} at ${offset}: persistent id ${describe(pid)} is not torch's ('storage', …) record; the loading application decides what it means`, detail('unexpected-persistent-id', offset, opcode));
    },
    onExt(code, offset, opcode) {
      report.add('model-file-unsafe-pickle', 'dangerous', `${opcode} at ${offset} imports extension code ${code} from copyreg's registry: the target cannot be known from the file`, detail('ext-opcode', offset, opcode));
    },
    onIssue(issue: PickleIssue) {
      switch (issue.reason) {
        case 'frame-violation':
          report.add('model-file-unsafe-pickle', 'dangerous', `Frame violation: ${issue.message}`, detail('frame-violation', issue.offset, issue.opcode));
          break;
        case 'memo-missing-key':
          report.malformed('invalid', issue.message, detail('memo-missing-key', issue.offset, issue.opcode));
          break;
        case 'out-of-band-buffer':
          report.add('model-file-suspicious-pickle', 'suspicious', issue.message, detail('out-of-band-buffer', issue.offset, issue.opcode));
          break;
        default:
          report.malformed('suspicious', issue.message, detail(issue.reason, issue.offset, issue.opcode));
      }
    },
    afterBuild(target, state, rd, offset) {
      if (target.t !== 'call' || target.callee.t !== 'global' || !JOBLIB_WRAPPERS.has(globalKey(target.callee))) return;
      usesJoblib = true;
      const info = joblibArrayInfo(state);
      if ('error' in info) return `cannot skip the array bytes after the joblib NumpyArrayWrapper at ${offset}: ${info.error}`;
      if (info.dtype.hasObject) {
        // joblib writes object arrays as a whole nested pickle, then the outer stream continues
        const sub = disassembleStream(rd, sink, { limits: ctx.limits, deadline: ctx.deadline });
        addStreamSummary(sub, `${entry ? `${entry} > ` : ''}joblib object array @${sub.start}`, 1);
        joblibArrays.push({ node: target, dtype: 'object', shape: info.shape, order: info.order, sourceOffset: sub.start, fileOffset: ctx.fileOffset(source, sub.start), bytes: sub.end - sub.start, objectArray: true });
        if (!sub.complete) return `the object-array pickle after the joblib wrapper at ${offset} is invalid: ${sub.error?.message}`;
        return;
      }
      if (info.alignment !== undefined) {
        const pad = rd.u8();
        if (pad < 0 || !rd.skip(pad)) return `joblib array padding after ${offset} is truncated`;
      }
      const count = elementCount(info.shape);
      const bytes = count === undefined ? undefined : count * info.dtype.itemsize;
      if (bytes === undefined || !Number.isSafeInteger(bytes)) return `joblib array shape (${info.shape.join(', ')}) overflows`;
      const dataPos = rd.pos;
      if (!rd.skip(bytes)) return `joblib array data after ${offset} is truncated: needs ${bytes} bytes, ${rd.remaining} remain`;
      joblibArrays.push({ node: target, dtype: info.dtype.dtype, shape: info.shape, order: info.order, sourceOffset: dataPos, fileOffset: ctx.fileOffset(source, dataPos), bytes, objectArray: false });
    },
  };

  const addStreamSummary = (r: StreamResult, label: string | undefined, nesting: number) => {
    const nonWo = [...r.counts.keys()].filter((op) => !WEIGHTS_ONLY_OPCODES.has(op)).sort();
    const summary: PickleStreamSummary = {
      index: streamIndex, start: r.start, end: r.end, protocol: r.protocol, opcodes: r.opcodes, complete: r.complete,
      opcodeCounts: Object.fromEntries([...r.counts.entries()].sort((a, b) => b[1] - a[1])),
      maxStackDepth: r.maxStackDepth, memoSize: r.memoSize, nonWeightsOnlyOpcodes: nonWo, nesting: ctx.depth + nesting,
    };
    if (label !== undefined) summary.entry = label;
    if (r.error) summary.error = r.error.message;
    if (r.result) summary.result = describe(r.result);
    report.addStream(summary);
    if (r.puts > 0 && r.gets > 1000 && r.gets / r.puts > ctx.limits.pickleGetPutRatio) {
      report.add('model-file-suspicious-pickle', 'suspicious', `Stream ${streamIndex} reads the memo ${r.gets} times for ${r.puts} writes (ratio above ${ctx.limits.pickleGetPutRatio}): possible expansion attack`, detail('expansion-attack', r.start));
    }
    if (r.dups > 100) {
      report.add('model-file-suspicious-pickle', 'suspicious', `Stream ${streamIndex} uses DUP ${r.dups} times: possible expansion attack`, detail('expansion-attack', r.start));
    }
  };

  const streams: StreamResult[] = [];
  const maxStreams = ctx.limits.pickleStreams;
  while (reader.remaining > 0) {
    ctx.checkTime();
    if (streams.length >= maxStreams) {
      report.malformed('invalid', `More than ${maxStreams} pickle streams (${reader.remaining} bytes left unscanned)`, detail('limit-exceeded', reader.pos));
      report.incomplete(`pickle streams beyond the cap of ${maxStreams}`);
      break;
    }
    streamIndex = streams.length;
    protocol = 0;
    // after the first stream, data may be junk: hold its findings until we know it is a pickle
    if (streamIndex > 0) report.hold();
    let r: StreamResult | undefined;
    try {
      r = disassembleStream(reader, sink, { limits: ctx.limits, deadline: ctx.deadline });
    } finally {
      if (streamIndex > 0) report.release(r?.complete === true);
    }
    streams.push(r);
    addStreamSummary(r, entry, 0);
    if (r.error?.kind === 'timeout') ctx.checkTime();
    if (!r.complete) {
      const e = r.error!;
      if (streamIndex === 0 || (opts.expectedStreams !== undefined && streamIndex < opts.expectedStreams)) {
        const reason: FindingReason = e.kind === 'truncated' ? 'truncated' : e.kind === 'limit' ? 'limit-exceeded' : e.kind === 'timeout' ? 'timeout' : 'parse-error';
        const what = e.kind === 'truncated' ? 'Truncated pickle' : e.kind === 'limit' ? 'Pickle exceeds a scanner limit' : 'Invalid pickle';
        report.malformed('invalid', `${what}: ${e.message}. Everything before this point was scanned; a parse error is never "clean".`, detail(reason, e.offset));
        if (e.message.startsWith('cannot skip the array bytes')) report.incomplete('joblib array data of unknown size (the rest of the stream)');
      } else {
        const junk = r.opcodes <= 1;
        report.malformed('suspicious', junk
          ? `${end - r.start} bytes after the STOP of stream ${streamIndex - 1} are not a pickle (trailing data; ${e.message})`
          : `Extra data after the STOP of stream ${streamIndex - 1} parses as a partial pickle up to ${e.offset} (${e.message}); a loader that reads again would run it`, detail('trailing-data', r.start));
      }
      break;
    }
    if (opts.expectedStreams !== undefined && streams.length >= opts.expectedStreams) break;
  }
  if (opts.expectedStreams === undefined && streams.length > 1 && streams.slice(1).some((s) => s.complete)) {
    const extra = streams.filter((s, i) => i > 0 && s.complete).length;
    report.malformed('suspicious', `${extra} extra pickle stream(s) after the first STOP${entry ? ` in ${entry}` : ''}: pickle.load reads only the first, but a loader that reads again runs the others (they were scanned too)`, detail('extra-pickle-stream', streams[1].start));
  }
  return { streams, end: reader.pos, joblibArrays, usesJoblib };
}

/** A quick dry run: does this byte source hold a complete pickle stream? (for speculative nested scans) */
function speculativeIsPickle(ctx: InspectContext, src: ByteSource): boolean {
  const h = src.read(0, 4);
  if (h.length === 4 && h.readUInt32LE(0) === 0x04034b50) return true;
  const r = disassembleStream(new SequentialReader(src, 0, src.size), {}, { limits: ctx.limits, deadline: ctx.deadline });
  return r.complete;
}

interface JoblibArrayInfo {
  dtype: NumpyDtype;
  shape: number[];
  order: string;
  alignment?: number;
}

/** Reads dtype/shape/order/alignment from a NumpyArrayWrapper's BUILD state dict. */
function joblibArrayInfo(state: PValue): JoblibArrayInfo | { error: string } {
  const shape = intTuple(dictGet(state, 'shape'));
  if (!shape) return { error: 'no constant shape' };
  const order = dictGet(state, 'order');
  const dt = dictGet(state, 'dtype');
  if (!dt || dt.t !== 'call' || dt.callee.t !== 'global' || !/^numpy(\._core|\.core)?(\.multiarray)?$/.test(dt.callee.module) || dt.callee.name !== 'dtype') {
    return { error: `dtype is ${describe(dt)}, not numpy.dtype(…)` };
  }
  const args = seqItems(dt.args);
  const code = args?.[0];
  if (code?.t !== 'str') return { error: 'dtype code is not a constant string' };
  const parsed = parseDescrString(code.v);
  if (!parsed) return { error: `unknown dtype code ${JSON.stringify(code.v)}` };
  const st = seqItems(dt.state);
  const elsize = intValue(st?.[5]);
  const flags = intValue(st?.[7]);
  const byteorder = st?.[1]?.t === 'str' ? st[1].v : parsed.byteorder;
  const dtype: NumpyDtype = {
    ...parsed,
    itemsize: elsize !== undefined && elsize > 0 ? elsize : parsed.itemsize,
    hasObject: parsed.hasObject || (flags !== undefined && (flags & 1) === 1),
    byteorder,
  };
  const alignment = intValue(dictGet(state, 'numpy_array_alignment_bytes'));
  const info: JoblibArrayInfo = { dtype, shape, order: order?.t === 'str' ? order.v : 'C' };
  if (alignment !== undefined && alignment > 0) info.alignment = alignment;
  return info;
}
