/**
 * The symbolic pickle disassembler and the global classifier (formats.md §3): opcode semantics,
 * FRAME rules, limits, memo tricks, multiple streams, nested pickles, and the allowlist/deny-list
 * matching on dotted prefixes.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MemoryByteSource, SequentialReader } from '../../server/src/models/byte-source';
import { inspectBytes } from '../../server/src/models/inspect';
import { DEFAULT_LIMITS } from '../../server/src/models/limits';
import { classifyGlobal, compatName } from '../../server/src/models/pickle/allowlists';
import { disassembleStream, type DisassemblySink, type ImportSite } from '../../server/src/models/pickle/disassembler';
import { describe as describeValue } from '../../server/src/models/pickle/values';
import type { FindingReason, ModelReport } from '../../server/src/models/types';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
// eslint-style typing of the plain-JS generator
type PickleBuilder = Record<string, (...a: unknown[]) => PickleBuilder> & { bytes(): Buffer };
interface Writers {
  P: () => PickleBuilder;
  framed4: (b: Buffer) => Buffer;
  osSystemP2: (module?: string) => Buffer;
  zip: (entries: unknown[], opts?: unknown) => Buffer;
}
async function writers(): Promise<Writers> {
  return ((await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'make-model-fixtures.mjs')).href)) as { writers: Writers }).writers;
}

function reasons(r: ModelReport): FindingReason[] {
  return r.findings.map((f) => f.detail.reason);
}

function dis(bytes: Buffer, limits = DEFAULT_LIMITS) {
  const imports: ImportSite[] = [];
  const sink: DisassemblySink = { onImport: (s) => imports.push(s) };
  const r = disassembleStream(new SequentialReader(new MemoryByteSource(bytes), 0, bytes.length), sink, { limits });
  return { r, imports };
}

describe('pickle classification', () => {
  const cls = (m: string, n: string, p = 4) => classifyGlobal(m, n, p).classification;

  it('allowlists the torch weights_only vocabulary', () => {
    for (const [m, n] of [['torch._utils', '_rebuild_tensor_v2'], ['collections', 'OrderedDict'], ['torch', 'FloatStorage'], ['torch', 'bfloat16'], ['_codecs', 'encode'], ['torch.nn.parameter', 'Parameter'], ['torch._tensor', '_rebuild_from_type_v2'], ['builtins', 'set']]) {
      assert.equal(cls(m, n), 'safe', `${m}.${n}`);
    }
    assert.equal(cls('torch', '_utils._rebuild_tensor_v2'), 'safe', 'the same object through a dotted name');
  });

  it('puts the numpy and joblib reconstruction set in safe-numpy', () => {
    for (const [m, n] of [['numpy.core.multiarray', '_reconstruct'], ['numpy._core.multiarray', '_reconstruct'], ['numpy', 'ndarray'], ['numpy', 'dtype'], ['joblib.numpy_pickle', 'NumpyArrayWrapper']]) {
      assert.equal(cls(m, n), 'safe-numpy', `${m}.${n}`);
    }
    assert.equal(cls('joblib', 'load'), 'dangerous', 'the rest of joblib stays denied');
  });

  it('denies on every dotted prefix of the module (submodule bypass, CVE-2025-10157)', () => {
    assert.equal(cls('asyncio.unix_events', '_UnixSubprocessTransport._start'), 'dangerous');
    assert.equal(cls('os.path', 'join'), 'dangerous');
    assert.equal(cls('numpy.f2py.crackfortran', 'x'), 'dangerous');
    assert.equal(cls('requests.api', 'get'), 'dangerous');
    assert.match(classifyGlobal('asyncio.unix_events', 'x', 4).reason, /asyncio/);
  });

  it('denies names reached by dotted-name traversal (fickling GHSA-5j3x-jp52-966f)', () => {
    assert.equal(cls('pathlib', 'os.system'), 'dangerous');
    assert.equal(cls('torch', 'serialization.load'), 'dangerous');
    assert.equal(cls('collections', 'OrderedDict.__init__.__globals__'), 'dangerous');
    assert.equal(cls('mylib', 'Model.sub'), 'suspicious', 'an ordinary nested class name is not denied');
  });

  it('denies builtins except fickling SAFE_BUILTINS, and maps Python 2 names for protocol < 3', () => {
    assert.equal(cls('builtins', 'getattr'), 'dangerous');
    assert.equal(cls('builtins', '__import__'), 'dangerous');
    assert.equal(cls('builtins', 'print'), 'dangerous');
    assert.equal(cls('builtins', 'list'), 'suspicious');
    assert.equal(cls('__builtin__', 'set', 2), 'safe', '__builtin__ → builtins for protocol 2');
    assert.equal(cls('__builtin__', 'eval', 2), 'dangerous');
    assert.deepEqual(compatName('copy_reg', '_reconstructor'), ['copyreg', '_reconstructor']);
    assert.equal(cls('commands', 'getoutput', 2), 'dangerous');
  });

  it('flags scanner modules and dunder traversal', () => {
    const v = classifyGlobal('picklescan.scanner', 'scan_pickle_bytes', 4);
    assert.equal(v.classification, 'dangerous');
    assert.equal(v.scanner, true);
    assert.equal(cls('x', '__subclasses__'), 'dangerous');
  });

  it('classifies the remaining names as suspicious, with the reason', () => {
    const v = classifyGlobal('omegaconf.dictconfig', 'DictConfig', 2);
    assert.equal(v.classification, 'suspicious');
    assert.match(v.reason, /weights_only/);
    assert.equal(cls('torch.storage', '_load_from_bytes'), 'suspicious', 'nested loader: its argument is scanned');
    assert.equal(cls('__torch__.model', 'Net'), 'suspicious');
  });
});

describe('pickle disassembler', () => {
  it('decodes every string opcode symbolically', async () => {
    const { P } = await writers();
    const bytes = P().proto(2).string('a\\x41\\n').binstring('bs').sbstring('sb').unicode('uni\\u00e9').bu('bu').sbu('sbu').tuple().stop().bytes();
    // (no MARK before TUPLE: the loader raises, and so do we)
    const { r } = dis(bytes);
    assert.equal(r.complete, false);
    assert.match(r.error!.message, /could not find MARK/);
    const ok = P().proto(4).mark().raw("S'a\\x41\\n'\n").binstring('bs').sbstring('sb').unicode('uni\\u00e9').bu('bu').sbu('sbu').tuple().stop().bytes();
    const good = dis(ok).r;
    assert.equal(good.complete, true);
    assert.equal(describeValue(good.result), 'tuple (6 items)');
    const items = (good.result as { items: { v: string }[] }).items.map((i) => i.v);
    assert.deepEqual(items, ['aA\n', 'bs', 'sb', 'unié', 'bu', 'sbu']);
  });

  it('decodes ints, longs and floats', async () => {
    const { P } = await writers();
    const b = P().proto(2).mark().textInt(-7).raw('I01\n').int(70000).int(-2).long1(2n ** 70n).raw('L123L\n').float(1.5).textFloat('2.5').tuple().stop().bytes();
    const { r } = dis(b);
    assert.equal(r.complete, true, r.error?.message);
    assert.equal(describeValue(r.result, 3), 'tuple (8 items)');
    const items = (r.result as { items: { v: unknown; big?: string; t: string }[] }).items;
    assert.deepEqual(items.map((i) => i.big ?? i.v), [-7, true, 70000, -2, (2n ** 70n).toString(), 123, 1.5, 2.5]);
  });

  it('checks every length against the bytes that remain, without allocating', () => {
    for (const op of [[0x58, 0xff, 0xff, 0xff, 0xff], [0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], [0x8e, 0, 0, 0, 0, 0, 0, 0, 0x10], [0x96, 0xff, 0xff, 0, 0, 0, 0, 0, 0], [0x54, 0xff, 0xff, 0xff, 0x7f], [0x8b, 0xff, 0xff, 0xff, 0x7f]]) {
      const { r } = dis(Buffer.from([0x80, 0x04, ...op, 0x2e]));
      assert.equal(r.complete, false);
      assert.equal(r.error!.kind, 'truncated', `${op[0].toString(16)}: ${r.error!.message}`);
    }
    const neg = dis(Buffer.from([0x80, 0x02, 0x54, 0xff, 0xff, 0xff, 0xff, 0x2e])).r;
    assert.match(neg.error!.message, /negative/);
  });

  it('caps text lines, opcodes, stack depth and memo size', () => {
    const longLine = dis(Buffer.concat([Buffer.from('S\''), Buffer.alloc(70_000, 0x61), Buffer.from('\'\n.')])).r;
    assert.equal(longLine.error!.kind, 'limit');
    const marks = dis(Buffer.concat([Buffer.alloc(20_000, 0x28), Buffer.from('.')])).r;
    assert.equal(marks.error!.kind, 'limit');
    const deep = dis(Buffer.concat([Buffer.alloc(20_000, 0x4e), Buffer.from('.')])).r;
    assert.equal(deep.error!.kind, 'limit');
    assert.match(deep.error!.message, /stack depth/);
    const ops = dis(Buffer.concat([Buffer.from([0x80, 0x04, 0x4e]), Buffer.alloc(3_000, 0x30).fill(Buffer.from('N0')), Buffer.from('.')]), { ...DEFAULT_LIMITS, pickleOpcodes: 1000 }).r;
    assert.equal(ops.error!.kind, 'limit');
    const memo = dis(Buffer.concat([Buffer.from([0x80, 0x04, 0x4e]), Buffer.alloc(2_000, 0x94), Buffer.from('.')]), { ...DEFAULT_LIMITS, pickleMemo: 500 }).r;
    assert.equal(memo.error!.kind, 'limit');
  });

  it('enforces the FRAME rules', () => {
    const inside = Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), Buffer.from([20, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x95, 2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('N.'), Buffer.alloc(9, 0x4e)]);
    const r1 = inspectBytes(inside);
    assert.ok(reasons(r1).includes('frame-violation'));
    assert.equal(r1.verdict, 'dangerous');
    assert.match(r1.findings.find((f) => f.detail.reason === 'frame-violation')!.message, /inside the frame/);
    const tooLong = inspectBytes(Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), Buffer.from([200, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('N.')]));
    assert.ok(reasons(tooLong).includes('truncated'), 'a frame longer than the file is a truncation');
    assert.equal(tooLong.verdict, 'invalid');
    const good = inspectBytes(Buffer.concat([Buffer.from([0x80, 0x04, 0x95, 2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('N.')]));
    assert.equal(good.verdict, 'safe');
    const past = inspectBytes(Buffer.concat([Buffer.from([0x80, 0x04, 0x95, 4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('N.NN')]));
    assert.ok(reasons(past).includes('frame-violation'), 'a frame that extends past STOP');
  });

  it('allows PROTO only first and only up to protocol 5', () => {
    const twice = inspectBytes(Buffer.from([0x80, 0x02, 0x80, 0x04, 0x4e, 0x2e]));
    assert.ok(reasons(twice).includes('misplaced-proto'));
    const six = inspectBytes(Buffer.from([0x80, 0x06, 0x4e, 0x2e]));
    assert.equal(six.verdict, 'invalid');
  });

  it('scans every stream after STOP, and trailing junk is reported', async () => {
    const { P, osSystemP2 } = await writers();
    const benign = P().proto(2).none().stop().bytes();
    const two = inspectBytes(Buffer.concat([benign, osSystemP2()]));
    assert.equal(two.verdict, 'dangerous');
    assert.ok(reasons(two).includes('extra-pickle-stream'));
    assert.equal(two.pickle!.streams.length, 2);
    const junk = inspectBytes(Buffer.concat([benign, Buffer.from('\xff\xfe junk', 'latin1')]));
    assert.equal(junk.verdict, 'suspicious');
    assert.ok(reasons(junk).includes('trailing-data'));
  });

  it('never calls a truncated stream clean', async () => {
    const { osSystemP2 } = await writers();
    const evil = osSystemP2();
    for (let n = 1; n < evil.length; n++) {
      const r = inspectBytes(evil.subarray(0, n));
      assert.notEqual(r.verdict, 'safe', `cut at ${n}`);
      assert.notEqual(r.verdict, 'suspicious', `cut at ${n}: ${r.summary}`);
    }
  });

  it('resolves STACK_GLOBAL operands through the memo, and flags what it cannot resolve', async () => {
    const { P, framed4 } = await writers();
    // operands are call results: unresolved → dangerous
    const dynamic = framed4(P().global('builtins', 'str').sbu('os').tuple1().reduce().sbu('system').stackGlobal().stop().bytes());
    const r = inspectBytes(dynamic);
    assert.ok(reasons(r).includes('unresolved-import'));
    // non-string constants: the loader raises; invalid, not silently safe
    const constant = inspectBytes(framed4(P().none().none().stackGlobal().stop().bytes()));
    assert.equal(constant.verdict, 'invalid');
  });

  it('flags calls it cannot resolve, BUILD on classes and EXT codes', async () => {
    const { P } = await writers();
    const unresolved = inspectBytes(P().proto(2).binget(3).emptyTuple().reduce().stop().bytes());
    assert.ok(reasons(unresolved).includes('unresolved-call'));
    assert.equal(unresolved.verdict, 'dangerous');
    const build = inspectBytes(P().proto(2).global('collections', 'OrderedDict').emptyDict().build().stop().bytes());
    assert.ok(reasons(build).includes('class-mutation'));
    const setitem = inspectBytes(P().proto(2).global('mylib', 'Registry').bu('k').bu('v').setitem().stop().bytes());
    assert.ok(reasons(setitem).includes('class-mutation'));
  });

  it('finds pickles nested in bytes given to loaders, also through _codecs.encode and BytesIO, with a depth cap', async () => {
    const { P, osSystemP2 } = await writers();
    const inner = osSystemP2();
    const viaCodecs = P().proto(2).global('pickle', 'loads').global('_codecs', 'encode').bu(inner.toString('latin1')).bu('latin1').tuple2().reduce().tuple1().reduce().stop().bytes();
    const r1 = inspectBytes(viaCodecs);
    assert.ok(r1.findings.some((f) => f.detail.global === 'os.system' && f.detail.entry?.includes('nested')), r1.findings.map((f) => f.message).join('\n'));
    const viaBytesIO = P().proto(3).global('torch.storage', '_load_from_bytes').global('_io', 'BytesIO').binbytes(inner).tuple1().reduce().tuple1().reduce().stop().bytes();
    const r2 = inspectBytes(viaBytesIO);
    assert.ok(r2.findings.some((f) => f.detail.global === 'os.system'));
    assert.equal(r2.verdict, 'dangerous');
    // pickle.loads(pickle.loads(...)) five levels deep
    let nested = inner;
    for (let i = 0; i < 5; i++) nested = P().proto(3).global('pickle', 'loads').binbytes(nested).tuple1().reduce().stop().bytes();
    const r3 = inspectBytes(nested);
    assert.equal(r3.verdict, 'dangerous');
    assert.ok(r3.findings.some((f) => f.detail.reason === 'nested-pickle' && /nesting cap/.test(f.message)));
    // a loader given something the scanner cannot resolve
    const opaque = inspectBytes(P().proto(2).global('torch.storage', '_load_from_bytes').binget(0).tuple1().reduce().stop().bytes());
    assert.ok(reasons(opaque).includes('nested-pickle'));
  });

  it('survives values nested 100,000 deep', async () => {
    const { P } = await writers();
    // OrderedDict(OrderedDict(OrderedDict(…))) through the memo: each call's args hold the previous call
    const calls = P().proto(2).global('collections', 'OrderedDict').binput(0).pop().none().binput(1).pop();
    for (let i = 0; i < 100_000; i++) calls.binget(0).binget(1).tuple1().reduce().binput(1).pop();
    const r1 = inspectBytes(calls.binget(1).stop().bytes());
    assert.equal(r1.verdict, 'safe', r1.summary);
    assert.equal(r1.pickle!.streams[0].complete, true);
    const lists = P().proto(2);
    for (let i = 0; i < 5_000; i++) lists.emptyList();
    for (let i = 0; i < 4_999; i++) lists.append();
    const r2 = inspectBytes(lists.stop().bytes());
    assert.equal(r2.verdict, 'safe', r2.summary);
  });

  it('reports memo expansion', async () => {
    const { P } = await writers();
    const p = P().proto(2).emptyList().binput(0);
    for (let i = 0; i < 3000; i++) p.binget(0).pop();
    const r = inspectBytes(p.stop().bytes());
    assert.ok(reasons(r).includes('expansion-attack'));
  });

  it('counts opcodes and tells weights_only-compatible streams apart', async () => {
    const { P, framed4 } = await writers();
    const wo = inspectBytes(P().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce().stop().bytes());
    assert.equal(wo.pickle!.weightsOnlyCompatible, true);
    assert.equal(wo.pickle!.streams[0].opcodeCounts.GLOBAL, 1);
    const p4 = inspectBytes(framed4(P().sbu('x').memoize().stop().bytes()));
    assert.equal(p4.pickle!.weightsOnlyCompatible, false);
    assert.deepEqual(p4.pickle!.streams[0].nonWeightsOnlyOpcodes, ['FRAME', 'MEMOIZE', 'SHORT_BINUNICODE']);
    assert.equal(p4.verdict, 'safe', 'data-only opcodes outside weights_only do not make a file unsafe');
  });

  it('reports imports in order with their offsets', async () => {
    const { osSystemP2 } = await writers();
    const { imports } = dis(osSystemP2('posix'));
    assert.deepEqual(imports.map((i) => [i.module, i.name, i.opcode, i.offset, i.protocol]), [['posix', 'system', 'GLOBAL', 2, 2]]);
  });
});
