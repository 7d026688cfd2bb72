/**
 * Fuzzing the model-file scanner (architecture.md §12): mutated fixtures (bit flips, byte stores,
 * truncations, length fields set huge, splices, insertions, deletions, duplications) and random
 * bytes behind every magic prefix, through the whole scanner and through each reader directly.
 * No exception may escape, no internal error may be reported, every case must finish in bounded
 * time. Seeded for reproducibility: MODELLINT_FUZZ_SEED=<n> reruns a given sequence,
 * MODELLINT_FUZZ_SCALE=<k> multiplies the number of cases.
 */
import { describe, it, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MemoryByteSource, SequentialReader } from '../../server/src/models/byte-source';
import { detectFormats } from '../../server/src/models/detect';
import { inspectBytes } from '../../server/src/models/inspect';
import { DEFAULT_LIMITS } from '../../server/src/models/limits';
import { scanChatTemplate } from '../../server/src/models/checks/chat-template';
import { checkReferencePath } from '../../server/src/models/checks/reference-paths';
import { H5Error, Hdf5File } from '../../server/src/models/hdf5/hdf5-reader';
import { JsonError, JsonReader } from '../../server/src/models/json/json-reader';
import { disassembleStream } from '../../server/src/models/pickle/disassembler';
import { walkMessage, Window, WireError } from '../../server/src/models/protobuf/wire';
import { parseNpyHeader } from '../../server/src/models/readers/numpy';
import { VERDICT_ORDER } from '../../server/src/models/types';
import { entryHead, openEntry, openZip } from '../../server/src/models/zip/zip-reader';
import { mulberry32 as prng } from '../helpers/prng';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SEED = Number(process.env.MODELLINT_FUZZ_SEED ?? 0x5eed1234);
const SCALE = Math.max(1, Number(process.env.MODELLINT_FUZZ_SCALE ?? 1));
const PER_CASE_MS = 2000;
const TOTAL_MS = 30_000;


interface Fixture { name: string; bytes: Buffer }

const HUGE_FIELDS: Buffer[] = [
  Buffer.from([0xff, 0xff, 0xff, 0xff]),
  Buffer.from([0xff, 0xff, 0xff, 0x7f]),
  Buffer.from([0xff, 0xff]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  Buffer.from([0x00, 0x00, 0x00, 0x80]),
  Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00]),
];

const MAGICS: Buffer[] = [
  Buffer.from('PK\x03\x04', 'latin1'), Buffer.from([0x80, 0x02]), Buffer.from([0x80, 0x04, 0x95]), Buffer.from([0x80, 0x05]),
  Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from('\x93NUMPY\x03\x00', 'latin1'), Buffer.from('GGUF'), Buffer.from([0x1f, 0x8b, 0x08]),
  Buffer.from([0x78, 0x9c]), Buffer.from('(dp0\n'), Buffer.from('cos\nsystem\n'), Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]),
  Buffer.from('version https://git-lfs.github.com/spec/v1\n'), Buffer.from('<html>'), Buffer.alloc(0),
  // the formats of formats.md §1, §4, §5, §6
  Buffer.from('GGUF\x01\x00\x00\x00', 'latin1'), Buffer.from('GGUF\x02\x00\x00\x00', 'latin1'), Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'), Buffer.from('GGUF\x00\x00\x00\x03', 'latin1'),
  Buffer.from('tjgg\x03\x00\x00\x00', 'latin1'),
  Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22]), Buffer.from([0x00, 0x10, 0, 0, 0, 0, 0, 0, 0x20, 0x7b]),
  Buffer.from([0x08, 0x08, 0x12, 0x04, 0x74, 0x65, 0x73, 0x74, 0x3a]), Buffer.from([0x08, 0x07, 0x3a]),
  Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]), Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0x02, 0x08, 0x08, 0x00]),
  Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0x03, 0x08, 0x08, 0x00]),
  Buffer.from('{"weight_map": {"a": "'), Buffer.from('{"chat_template": "{{ '), Buffer.from('{"class_name": "Sequential", "config": {"layers": [{"class_name": "'),
];

type Mutation = (b: Buffer, rnd: () => number, pick: () => Buffer) => Buffer;

const int = (rnd: () => number, n: number) => Math.floor(rnd() * n);

const MUTATIONS: Record<string, Mutation> = {
  flip(b, rnd) {
    const out = Buffer.from(b);
    for (let k = 1 + int(rnd, 8); k > 0 && out.length > 0; k--) out[int(rnd, out.length)] ^= 1 << int(rnd, 8);
    return out;
  },
  store(b, rnd) {
    const out = Buffer.from(b);
    for (let k = 1 + int(rnd, 4); k > 0 && out.length > 0; k--) out[int(rnd, out.length)] = int(rnd, 256);
    return out;
  },
  truncate(b, rnd) {
    return b.subarray(0, int(rnd, b.length + 1));
  },
  huge(b, rnd) {
    const out = Buffer.from(b);
    const field = HUGE_FIELDS[int(rnd, HUGE_FIELDS.length)];
    if (out.length >= field.length) field.copy(out, int(rnd, out.length - field.length + 1));
    return out;
  },
  splice(b, rnd, pick) {
    const other = pick();
    const from = int(rnd, other.length + 1);
    const chunk = other.subarray(from, from + int(rnd, 256));
    const at = int(rnd, b.length + 1);
    return Buffer.concat([b.subarray(0, at), chunk, b.subarray(Math.min(b.length, at + int(rnd, 64)))]);
  },
  insert(b, rnd) {
    const at = int(rnd, b.length + 1);
    const junk = Buffer.alloc(1 + int(rnd, 32));
    for (let i = 0; i < junk.length; i++) junk[i] = int(rnd, 256);
    return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
  },
  remove(b, rnd) {
    const at = int(rnd, b.length + 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(rnd, 32)))]);
  },
  duplicate(b, rnd) {
    const at = int(rnd, b.length + 1);
    const len = int(rnd, 128);
    return Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
  },
};

interface Stats { cases: number; totalMs: number; slowestMs: number; slowest: string; verdicts: Record<string, number> }

/** Runs one input through the scanner and each reader; returns elapsed ms. */
function runCase(input: Buffer, label: string, stats: Stats): void {
  const started = performance.now();
  let report;
  try {
    report = inspectBytes(input, { label, limits: { timeBudgetMs: PER_CASE_MS } });
  } catch (e) {
    assert.fail(`${label}: inspectBytes threw ${(e as Error)?.stack ?? String(e)}`);
  }
  assert.ok(VERDICT_ORDER.includes(report.verdict), `${label}: verdict ${report.verdict}`);
  const internal = report.findings.find((f) => f.detail.reason === 'internal-error' || f.detail.reason === 'timeout');
  assert.equal(internal, undefined, `${label}: ${internal?.message}`);
  JSON.stringify(report);
  // the readers directly
  const src = new MemoryByteSource(input);
  detectFormats(src);
  disassembleStream(new SequentialReader(src, 0, input.length), {}, { limits: DEFAULT_LIMITS });
  parseNpyHeader(input.subarray(0, 20_000), DEFAULT_LIMITS.npyHeaderChars);
  // the JSON reader, the protobuf walker, the HDF5 reader, the template scanner, the path checker
  try {
    new JsonReader(src, 0, input.length, { maxDepth: 64, windowBytes: 1 + (input.length % 97) }).value();
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
  }
  try {
    walkMessage(new Window(src, 64), 0, input.length, () => undefined, { fields: 100_000 });
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
  }
  for (const c of detectFormats(src).filter((x) => x.kind === 'hdf5')) {
    try {
      const h5 = new Hdf5File(src, c.offset, { objects: 100, attributeBytes: 1 << 20, chunkBytes: 1 << 20, checkTime: () => undefined });
      const root = h5.readObject(h5.sb.rootAddress);
      for (const m of root.messages) {
        try {
          if (m.type === 12) h5.attribute(m.data, m.at);
          if (m.type === 6) h5.link(m.data);
          if (m.type === 3) h5.datatype(m.data);
          if (m.type === 1) h5.dataspace(m.data);
        } catch (e) {
          if (!(e instanceof H5Error)) throw e;
        }
      }
    } catch (e) {
      if (!(e instanceof H5Error)) throw e;
    }
  }
  const text = input.subarray(0, 8192).toString('utf8');
  scanChatTemplate(text);
  checkReferencePath(text.slice(0, 512));
  const z = openZip(src, DEFAULT_LIMITS);
  if (z.ok) {
    for (const e of z.zip.entries.slice(0, 16)) {
      entryHead(z.zip, e, 64);
      openEntry(z.zip, e, 1024 * 1024, DEFAULT_LIMITS);
    }
  }
  const ms = performance.now() - started;
  assert.ok(ms < PER_CASE_MS, `${label}: took ${ms.toFixed(0)} ms`);
  stats.cases++;
  stats.totalMs += ms;
  stats.verdicts[report.verdict] = (stats.verdicts[report.verdict] ?? 0) + 1;
  if (ms > stats.slowestMs) {
    stats.slowestMs = ms;
    stats.slowest = label;
  }
}

function report(t: TestContext, name: string, s: Stats): void {
  t.diagnostic(`${name}: ${s.cases} cases in ${(s.totalMs / 1000).toFixed(2)} s (seed ${SEED}); slowest ${s.slowestMs.toFixed(1)} ms (${s.slowest}); verdicts ${JSON.stringify(s.verdicts)}`);
}

describe('model scanner fuzzing', async () => {
  const gen = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'make-model-fixtures.mjs')).href)) as { buildFixtures: () => Fixture[] };
  // the generated fixtures and the files written by the real libraries (real/)
  const realDir = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'real');
  const real: Fixture[] = (JSON.parse(fs.readFileSync(path.join(realDir, 'manifest.json'), 'utf8')) as { name: string }[]).map((m) => ({ name: `real/${m.name}`, bytes: fs.readFileSync(path.join(realDir, m.name)) }));
  const fixtures = [...gen.buildFixtures(), ...real].filter((f) => f.bytes.length > 0);
  const suiteStart = performance.now();

  it('mutated fixtures: no exception, bounded time', (t) => {
    const rnd = prng(SEED);
    const pick = () => fixtures[int(rnd, fixtures.length)].bytes;
    const names = Object.keys(MUTATIONS);
    const stats: Stats = { cases: 0, totalMs: 0, slowestMs: 0, slowest: '', verdicts: {} };
    const perFixture = 64 * SCALE;
    for (const f of fixtures) {
      for (let i = 0; i < perFixture; i++) {
        // one to three stacked mutations
        let b = f.bytes;
        const applied: string[] = [];
        for (let k = 1 + int(rnd, 3); k > 0; k--) {
          const m = names[int(rnd, names.length)];
          applied.push(m);
          b = MUTATIONS[m](b, rnd, pick);
        }
        runCase(b, `${f.name} #${i} [${applied.join('+')}]`, stats);
      }
    }
    report(t, 'mutations', stats);
    assert.ok(stats.cases >= fixtures.length * 64);
  });

  it('random bytes behind every magic prefix: no exception, bounded time', (t) => {
    const rnd = prng(SEED ^ 0x9e3779b9);
    const stats: Stats = { cases: 0, totalMs: 0, slowestMs: 0, slowest: '', verdicts: {} };
    for (let i = 0; i < 800 * SCALE; i++) {
      const magic = MAGICS[int(rnd, MAGICS.length)];
      const body = Buffer.alloc(int(rnd, 4096));
      // mostly random bytes, sometimes printable text or mostly zeros (they exercise other paths)
      const mode = int(rnd, 4);
      for (let j = 0; j < body.length; j++) body[j] = mode === 0 ? 0x20 + int(rnd, 95) : mode === 1 && rnd() < 0.9 ? 0 : int(rnd, 256);
      runCase(Buffer.concat([magic, body]), `random #${i} (${magic.toString('latin1').replace(/[^\x20-\x7e]/g, '.')})`, stats);
    }
    report(t, 'random', stats);
  });

  it('opcode soup: random pickle opcodes with plausible arguments', (t) => {
    const rnd = prng(SEED + 7);
    const stats: Stats = { cases: 0, totalMs: 0, slowestMs: 0, slowest: '', verdicts: {} };
    const ops = ['(', 'N', ')', ']', '}', 't', 'l', 'd', 'a', 'e', 's', 'u', '0', '1', '2', 'R', 'b', 'o', '.', 'Q', '\x81', '\x85', '\x86', '\x87', '\x88', '\x89', '\x8f', '\x90', '\x91', '\x92', '\x93', '\x94', '\x97', '\x98'];
    for (let i = 0; i < 400 * SCALE; i++) {
      const parts: Buffer[] = [Buffer.from([0x80, 2 + int(rnd, 4)])];
      for (let n = int(rnd, 200); n > 0; n--) {
        const r = int(rnd, 10);
        if (r === 0) parts.push(Buffer.from([0x8c, 2]), Buffer.from(['os', 'id', 'sy'][int(rnd, 3)]));
        else if (r === 1) parts.push(Buffer.from('cos\nsystem\n'));
        else if (r === 2) parts.push(Buffer.from([0x68, int(rnd, 8)]));
        else if (r === 3) parts.push(Buffer.from([0x71, int(rnd, 8)]));
        else if (r === 4) parts.push(Buffer.from([0x4b, int(rnd, 256)]));
        else if (r === 5) parts.push(Buffer.from([0x95, int(rnd, 64), 0, 0, 0, 0, 0, 0, 0]));
        else parts.push(Buffer.from(ops[int(rnd, ops.length)], 'latin1'));
      }
      runCase(Buffer.concat(parts), `soup #${i}`, stats);
    }
    report(t, 'opcode soup', stats);
  });

  it('structure-aware soups: safetensors headers, GGUF metadata, ONNX messages, Keras configs', async (t) => {
    const w = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'make-model-fixtures.mjs')).href)) as { writers: Record<string, any> };
    const { safetensors, gguf, GGUF, pbInt, pbMsg, pbStr, kerasArchive } = w.writers;
    const rnd = prng(SEED + 99);
    const stats: Stats = { cases: 0, totalMs: 0, slowestMs: 0, slowest: '', verdicts: {} };
    const pickOf = <T>(xs: T[]): T => xs[int(rnd, xs.length)];
    const num = () => pickOf([0, 1, 2, 3, 4, 7, 8, 16, 255, 4096, -1, 1.5, 2 ** 32, 2 ** 53 + 1, 1e308, 18446744073709551615]);
    const dtypes = ['F32', 'F16', 'BF16', 'I64', 'U8', 'BOOL', 'F4', 'F8_E4M3', 'C64', 'X9', ''];
    for (let i = 0; i < 300 * SCALE; i++) {
      // safetensors: random tensor entries (dtypes, shapes, offsets), duplicates, metadata, trailing bytes
      const entries: string[] = [];
      for (let k = int(rnd, 6); k > 0; k--) {
        const shape = Array.from({ length: int(rnd, 4) }, () => (rnd() < 0.8 ? int(rnd, 5) : num()));
        entries.push(`"${pickOf(['a', 'b', 'a.b', '__metadata__', ''])}":{"dtype":"${pickOf(dtypes)}","shape":${JSON.stringify(shape)},"data_offsets":[${int(rnd, 64)},${int(rnd, 64)}]${rnd() < 0.1 ? ',"x":1' : ''}}`);
      }
      if (rnd() < 0.3) entries.push(`"__metadata__":{"format":"pt","n":${rnd() < 0.5 ? '"1"' : '1'}}`);
      const st = safetensors([{ name: 'x', dtype: 'F32', shape: [1], data: Buffer.alloc(int(rnd, 80)) }], { headerText: `{${entries.join(',')}}`, leading: rnd() < 0.1 ? ' ' : '' });
      runCase(st, `safetensors soup #${i}`, stats);
      // GGUF: random keys, value types, nested arrays, counts; random tensor infos
      const kv: unknown[] = [];
      for (let k = int(rnd, 6); k > 0; k--) {
        const ty = pickOf([GGUF.UINT8, GGUF.UINT32, GGUF.INT32, GGUF.FLOAT32, GGUF.BOOL, GGUF.STRING, GGUF.UINT64, GGUF.ARRAY]);
        const key = pickOf(['general.alignment', 'general.name', 'tokenizer.chat_template', 'tokenizer.chat_template.x', 'a', 'a']);
        const v = ty === GGUF.STRING ? pickOf(['', 'x', "{{ ''.__class__ }}", '{% for m in messages %}{{ m }}{% endfor %}']) : ty === GGUF.ARRAY ? [GGUF.STRING, ['a', 'b']] : ty === GGUF.FLOAT32 ? 1.5 : int(rnd, 70);
        kv.push([key, ty, v]);
      }
      const tensors = Array.from({ length: int(rnd, 3) }, (_, j) => ({ name: `t${j % 2}`, dims: Array.from({ length: 1 + int(rnd, 3) }, () => pickOf([1, 8, 32, 256, 0])), type: pickOf([0, 1, 2, 12, 30, 5, 99]), data: Buffer.alloc(int(rnd, 64)) }));
      let g: Buffer;
      try {
        g = gguf({ kv, tensors, alignment: pickOf([32, 8, 64]) });
      } catch {
        continue; // the writer refuses some combinations (e.g. array element types it cannot encode)
      }
      runCase(g, `gguf soup #${i}`, stats);
      // ONNX: random nesting of graph / node / attribute / tensor fields with external data
      const tensor = () => pbMsg(5, pbInt(1, int(rnd, 5)), pbInt(2, int(rnd, 30)), pbStr(8, 'w'), ...(rnd() < 0.5 ? [pbMsg(9, Buffer.alloc(int(rnd, 40)))] : [pbMsg(13, pbStr(1, pickOf(['location', 'offset', 'x'])), pbStr(2, pickOf(['../a', '/b', 'c', '-1', '%00']))), pbInt(14, int(rnd, 3))]));
      let body = Buffer.concat([pbStr(2, 'g'), tensor()]);
      for (let d = int(rnd, 6); d > 0; d--) body = Buffer.concat([pbMsg(1, pbStr(4, pickOf(['If', 'Loop', 'X'])), pbStr(7, pickOf(['', 'com.x'])), pbMsg(5, pbStr(1, 'g'), pbMsg(pickOf([6, 11, 5]), body))), tensor()]);
      const model = Buffer.concat([pbInt(1, int(rnd, 12)), pbStr(2, 'fuzz'), pbMsg(7, body), ...(rnd() < 0.7 ? [pbMsg(8, pbStr(1, ''), pbInt(2, 17))] : []), ...(rnd() < 0.2 ? [pbMsg(25, pbStr(1, 'f'), pbStr(10, 'local'), pbMsg(7, pbStr(4, 'Relu')))] : [])]);
      runCase(model, `onnx soup #${i}`, stats);
      // Keras: random nesting of layers, wrappers, modules, functions and strings
      const layer = (depth: number): object => ({
        module: pickOf(['keras.layers', 'keras', 'os', 'builtins', null, '']), class_name: pickOf(['Dense', 'Lambda', '__lambda__', 'function', 'TFSMLayer', 'Bidirectional', 'StringLookup']),
        config: depth > 0 && rnd() < 0.6 ? { layer: layer(depth - 1), layers: [layer(depth - 1)] } : { name: pickOf(['x', 'get_file', 'safe_mode']), vocabulary: pickOf(['../v.txt', 'v.txt', ['a']]), value: ['AAAA', null, null], filepath: pickOf(['/x', 'y']) },
      });
      runCase(kerasArchive(layer(int(rnd, 5))), `keras soup #${i}`, stats);
    }
    report(t, 'structure-aware soups', stats);
  });

  it('a truncated file is never safe (every cut of every benign fixture)', (t) => {
    const stats: Stats = { cases: 0, totalMs: 0, slowestMs: 0, slowest: '', verdicts: {} };
    // zlib data cut inside its trailing checksum still inflates completely: not a truncation of the content
    for (const f of fixtures.filter((x) => x.name.startsWith('benign-') && !x.name.includes('zlib'))) {
      for (let cut = 0; cut < f.bytes.length; cut++) {
        const label = `${f.name} cut at ${cut}`;
        runCase(f.bytes.subarray(0, cut), label, stats);
        const r = inspectBytes(f.bytes.subarray(0, cut));
        assert.equal(r.verdict, 'invalid', `${label}: ${r.summary}`);
      }
    }
    report(t, 'truncations', stats);
  });

  it('the whole fuzz run stays within its time budget', () => {
    const total = performance.now() - suiteStart;
    assert.ok(total < TOTAL_MS * SCALE, `fuzzing took ${(total / 1000).toFixed(1)} s`);
  });
});
