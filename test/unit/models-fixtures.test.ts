/**
 * The model-file fixtures (test/fixtures/models/, written by scripts/make-model-fixtures.mjs): the
 * committed files are up to date, every fixture gets its expected verdict with the reason named,
 * benign ones list the right tensors, and the worker entry point works.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultWorkerScript, inspectBytes, inspectFile, inspectPathSync, stopInspectWorkers } from '../../server/src/models/inspect';
import type { ExternalReference, FindingReason, JsonValue, ModelFormat, ModelReport, Verdict } from '../../server/src/models/types';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'models');

export interface FixtureExpect {
  verdict: Verdict;
  format?: ModelFormat;
  reasons?: FindingReason[];
  globals?: string[];
  tensors?: [string, string, number[]][];
  anomalies?: string[];
  /** [kind, status] of references to other files that must be listed. */
  references?: [ExternalReference['kind'], ExternalReference['status']][];
  /** report.metadata entries that must be present with these values. */
  metadata?: Record<string, JsonValue>;
}
export interface ModelFixture { name: string; description: string; bytes: Buffer; expect: FixtureExpect }

/** Byte writers exported by the generator (plain JS; typed loosely here). */
export type Writers = Record<string, any>;

/** The generator is plain ESM (scripts/); load it at run time. */
export async function loadGenerator(): Promise<{ buildFixtures: () => ModelFixture[]; writers: Writers }> {
  return (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'make-model-fixtures.mjs')).href)) as { buildFixtures: () => ModelFixture[]; writers: Writers };
}

export async function loadModelFixtures(): Promise<ModelFixture[]> {
  return (await loadGenerator()).buildFixtures();
}

function namedGlobals(r: ModelReport): Set<string> {
  const out = new Set<string>();
  for (const f of r.findings) if (f.detail.global) out.add(f.detail.global);
  return out;
}

export function checkExpectations(r: ModelReport, e: FixtureExpect, label: string): void {
  const findings = r.findings.map((f) => `${f.verdict} ${f.detail.reason}: ${f.message}`).join('\n  ');
  assert.equal(r.verdict, e.verdict, `${label}: verdict (findings:\n  ${findings})`);
  if (e.format) assert.equal(r.format, e.format, `${label}: format`);
  for (const reason of e.reasons ?? []) {
    assert.ok(r.findings.some((f) => f.detail.reason === reason), `${label}: a finding with reason ${reason}\n  ${findings}`);
  }
  const globals = namedGlobals(r);
  for (const g of e.globals ?? []) {
    assert.ok(globals.has(g), `${label}: ${g} named in a finding (named: ${[...globals].join(', ')})`);
    assert.ok(r.findings.some((f) => f.detail.global === g && f.verdict === 'dangerous'), `${label}: ${g} reported as dangerous`);
  }
  for (const [name, dtype, shape] of e.tensors ?? []) {
    const t = r.tensors.find((x) => x.name === name);
    assert.ok(t, `${label}: tensor ${name} listed (got ${r.tensors.map((x) => x.name).join(', ')})`);
    assert.equal(t.dtype, dtype, `${label}: dtype of ${name}`);
    assert.deepEqual(t.shape, shape, `${label}: shape of ${name}`);
  }
  for (const kind of e.anomalies ?? []) {
    assert.ok(r.zip?.anomalies.some((a) => a.kind === kind), `${label}: zip anomaly ${kind} (got ${r.zip?.anomalies.map((a) => a.kind).join(', ')})`);
    assert.ok(r.findings.some((f) => f.detail.reason === 'zip-anomaly' && f.detail.extra === kind), `${label}: finding for zip anomaly ${kind}`);
  }
  for (const [kind, status] of e.references ?? []) {
    assert.ok(r.references?.some((x) => x.kind === kind && x.status === status), `${label}: reference ${kind} ${status} (got ${JSON.stringify(r.references)})`);
  }
  for (const [k, v] of Object.entries(e.metadata ?? {})) assert.deepEqual(r.metadata[k], v, `${label}: metadata ${k}`);
  if (e.verdict === 'safe') {
    assert.equal(r.findings.length, 0, `${label}: a safe file has no findings\n  ${findings}`);
    assert.equal(r.complete, true, `${label}: complete`);
  }
  assert.ok(!r.findings.some((f) => f.detail.reason === 'internal-error'), `${label}: no internal error\n  ${findings}`);
}

describe('model fixtures', async () => {
  const fixtures = await loadModelFixtures();

  it('are committed and up to date (node scripts/make-model-fixtures.mjs)', () => {
    const onDisk = fs.readdirSync(FIXTURE_DIR).filter((f) => f !== 'manifest.json' && fs.statSync(path.join(FIXTURE_DIR, f)).isFile()).sort();
    assert.deepEqual(onDisk, fixtures.map((f) => f.name).sort(), 'the fixture directory holds exactly the generated files');
    for (const f of fixtures) {
      assert.ok(fs.readFileSync(path.join(FIXTURE_DIR, f.name)).equals(f.bytes), `${f.name} is stale: run node scripts/make-model-fixtures.mjs`);
      assert.ok(f.bytes.length <= 16 * 1024, `${f.name} stays small`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as { name: string; expect: FixtureExpect }[];
    assert.deepEqual(manifest.map((m) => [m.name, m.expect]), fixtures.map((f) => [f.name, f.expect]), 'manifest.json is up to date');
  });

  it('cover every required case', () => {
    const names = new Set(fixtures.map((f) => f.name));
    for (const p of [0, 1, 2, 3, 4, 5]) assert.ok(names.has(`benign-pickle-p${p}.pkl`));
    const verdicts = new Set(fixtures.map((f) => f.expect.verdict));
    for (const v of ['safe', 'suspicious', 'invalid', 'dangerous']) assert.ok(verdicts.has(v as Verdict), `some fixture is ${v}`);
  });

  for (const f of fixtures) {
    it(`${f.name}: ${f.expect.verdict} (${f.description})`, () => {
      const r = inspectBytes(f.bytes, { label: f.name });
      checkExpectations(r, f.expect, f.name);
      assert.deepEqual(JSON.parse(JSON.stringify(r)), r, 'the report is plain JSON');
    });
  }

  it('reads a committed fixture from disk the same way', () => {
    for (const f of fixtures.slice(0, 12)) {
      const r = inspectPathSync(path.join(FIXTURE_DIR, f.name));
      checkExpectations(r, f.expect, f.name);
      assert.equal(r.file, path.join(FIXTURE_DIR, f.name));
      assert.ok(r.bytesRead <= Math.max(r.size, 1) * 1, `${f.name}: each byte read at most once (${r.bytesRead} for ${r.size})`);
    }
  });

  it('locates torch tensors in the file', () => {
    const f = fixtures.find((x) => x.name === 'benign-torch-state-dict.pt')!;
    const r = inspectBytes(f.bytes);
    const bias = r.tensors.find((t) => t.name === 'fc.bias')!;
    assert.equal(bias.storage, '1');
    assert.equal(bias.device, 'cpu');
    assert.equal(bias.bytes, 12);
    assert.equal(bias.offset! % 64, 0, 'torch aligns storages to 64 bytes');
    assert.deepEqual([...f.bytes.subarray(bias.offset!, bias.offset! + 12)], [...Buffer.from(new Float32Array([0.5, -0.5, 0.25]).buffer)]);
    assert.equal(r.totals.parameters, 15);
    assert.deepEqual(r.totals.byDtype.float32, { count: 2, parameters: 15, bytes: 60 });
    assert.equal(r.pickle?.weightsOnlyCompatible, true);
    assert.equal(r.metadata['torch.version_record'], '3');
    assert.equal(r.metadata['torch.byteorder'], 'little');
    assert.equal(r.zip?.zip64, true);
    assert.equal(r.zip?.root, 'archive');
    const legacy = inspectBytes(fixtures.find((x) => x.name === 'benign-torch-legacy.pt')!.bytes);
    const w = legacy.tensors[0];
    assert.deepEqual([...legacy.tensors.map((t) => t.name)], ['weight']);
    assert.equal(w.offset, 352 - 16, 'the legacy storage data follows its 8-byte count at the end');
  });

  it('locates joblib arrays and skips their bytes', () => {
    const f = fixtures.find((x) => x.name === 'benign-model.joblib')!;
    const r = inspectBytes(f.bytes);
    const coef = r.tensors[0];
    assert.equal(coef.bytes, 24);
    assert.deepEqual([...f.bytes.subarray(coef.offset!, coef.offset! + 24)], [...Buffer.from(new Float64Array([1, 2, 3]).buffer)]);
    assert.equal(r.pickle?.streams.length, 1);
    assert.equal(r.pickle?.streams[0].complete, true);
  });

  it('reads only the central directory and data.pkl of a large torch zip', async () => {
    const { writers } = await loadGenerator();
    const numel = 8 * 1024 * 1024;
    const tensors = [{ name: 'big', storage: 'FloatStorage', numel, shape: [numel], stride: [1], data: Buffer.alloc(numel * 4) }];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modellint-models-'));
    try {
      const big = path.join(dir, 'big.bin');
      fs.writeFileSync(big, writers.torchZip(writers.torchDataPkl(tensors), { tensors }));
      const r = inspectPathSync(big);
      assert.equal(r.format, 'pytorch-zip');
      assert.equal(r.verdict, 'safe');
      assert.deepEqual(r.tensors.map((t) => [t.name, t.shape[0], t.bytes]), [['big', numel, numel * 4]]);
      assert.ok(r.bytesRead < 200 * 1024, `bytes read: ${r.bytesRead} of ${r.size}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the files written by the real Python libraries (real/generate.py) as expected', () => {
    const dir = path.join(FIXTURE_DIR, 'real');
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { name: string; expect: FixtureExpect }[];
    assert.ok(manifest.length >= 12);
    const onDisk = fs.readdirSync(dir).filter((f) => f !== 'manifest.json' && f !== 'generate.py').sort();
    assert.deepEqual(onDisk, manifest.map((m) => m.name).sort(), 'real/ holds exactly the files of its manifest');
    for (const m of manifest) {
      const r = inspectPathSync(path.join(dir, m.name));
      checkExpectations(r, m.expect, `real/${m.name}`);
      assert.ok(fs.statSync(path.join(dir, m.name)).size <= 32 * 1024, `real/${m.name} stays small`);
    }
  });

  it('runs in a worker thread (the worker entry is built next to inspect.js)', async () => {
    assert.ok(fs.existsSync(defaultWorkerScript()), `worker script ${defaultWorkerScript()}`);
    for (const name of ['benign-torch-state-dict.pt', 'evil-os-system-p4.pkl', 'git-lfs-pointer.bin']) {
      const f = fixtures.find((x) => x.name === name)!;
      const r = await inspectFile(path.join(FIXTURE_DIR, name));
      checkExpectations(r, f.expect, `${name} (worker)`);
      assert.ok(!r.notes.some((n) => n.includes('was not found')), 'ran in the worker');
    }
  });

  it('reuses a warm worker, and never one that timed out', async () => {
    const f = path.join(FIXTURE_DIR, 'benign-model.safetensors');
    const first = await inspectFile(f);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const r = await inspectFile(f);
      times.push(performance.now() - t);
      assert.deepEqual({ ...r, durationMs: 0 }, { ...first, durationMs: 0 });
    }
    const concurrent = await Promise.all(['benign-model.gguf', 'benign-matmul.onnx', 'evil-os-system-p2.pkl', 'benign-dense.keras'].map((n) => inspectFile(path.join(FIXTURE_DIR, n))));
    assert.deepEqual(concurrent.map((r) => r.verdict), ['safe', 'safe', 'dangerous', 'safe']);
    const timedOut = await inspectFile(f, { timeoutMs: 1, reuseWorker: false });
    assert.equal(timedOut.findings[0].detail.reason, 'timeout');
    assert.equal((await inspectFile(f)).verdict, 'safe', 'later inspections still work');
    await stopInspectWorkers();
    assert.ok(Math.min(...times) < 1000, `warm inspections: ${times.map((x) => x.toFixed(1)).join(', ')} ms`);
  });

  it('reports a timeout and a missing file as invalid, never throwing', async () => {
    const r = await inspectFile(path.join(FIXTURE_DIR, 'benign-torch-state-dict.pt'), { timeoutMs: 1, reuseWorker: false });
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.findings[0].detail.reason, 'timeout');
    const missing = await inspectFile(path.join(FIXTURE_DIR, 'does-not-exist.pt'));
    assert.equal(missing.verdict, 'invalid');
    assert.match(missing.summary, /file not found/);
    const dirReport = inspectPathSync(FIXTURE_DIR);
    assert.equal(dirReport.verdict, 'invalid');
    await stopInspectWorkers();
  });
});
