import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ModelReport } from '../../server/src/models/types';
import { escapeText, formatReportText } from '../../server/src/cli/inspect-command';
import { REPO_DIR, runCli } from '../helpers/cli-run';
import { makeTree, removeTree } from '../helpers/temp-tree';

const MODELS = path.join(REPO_DIR, 'test', 'fixtures', 'models');

interface Manifest { name: string; expect: { verdict: string; format: string } }
const manifest = JSON.parse(fs.readFileSync(path.join(MODELS, 'manifest.json'), 'utf8')) as Manifest[];
const expected = (name: string) => manifest.find((m) => m.name === name)!.expect;

/** A pickle whose GLOBAL names carry an ANSI escape sequence and a BEL (suspicious, not dangerous: exit 0). */
const HOSTILE_PICKLE = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cevil\x1b[2J.mod\nx\x07y\n)R.', 'latin1')]);

describe('modellint inspect', () => {
  let dir: string;
  before(() => {
    dir = makeTree({ 'hostile.pkl': HOSTILE_PICKLE });
  });
  after(() => removeTree(dir));

  it('reports a safe file with exit 0: format, variant, verdict, tensors and bytes read', () => {
    const r = runCli(['inspect', 'benign-torch-state-dict.pt'], MODELS);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^benign-torch-state-dict\.pt\n/);
    assert.match(r.stdout, /format: {3}pytorch-zip \(torch zip/);
    assert.match(r.stdout, /verdict: {2}safe\n/);
    assert.match(r.stdout, /fc\.weight\s+float32\s+\[3, 4\]\s+48/);
    assert.match(r.stdout, /tensors: {2}2, 15 parameters/);
    assert.match(r.stdout, /read: {5}1,496 of 1,496 bytes in/);
  });

  it('exits 1 when any file is dangerous, with the finding and its reason', () => {
    const r = runCli(['inspect', 'benign-pickle-p4.pkl', 'evil-os-system-p2.pkl'], MODELS);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /evil-os-system-p2\.pkl\n {2}format: {3}pickle/);
    assert.match(r.stdout, /verdict: {2}dangerous/);
    assert.match(r.stdout, /error {3}model-file-unsafe-pickle: Imports `os\.system`/);
    assert.match(r.stdout, /reason deny-listed-global · global os\.system/);
    assert.match(r.stdout, /dangerous\s+os\.system/);
  });

  it('exits 1 for an invalid file (truncated pickle, LFS pointer)', () => {
    for (const name of ['truncated-pickle.pkl', 'git-lfs-pointer.bin']) {
      const r = runCli(['inspect', name], MODELS);
      assert.equal(r.code, 1, name);
      assert.match(r.stdout, /verdict: {2}invalid/, name);
    }
  });

  it('prints the full reports as JSON, in order, with verdicts matching the fixture manifest', () => {
    const names = ['benign-torch-state-dict.pt', 'evil-torch-zip.pt', 'benign-array.npy', 'html-404.bin'];
    const r = runCli(['inspect', '--format', 'json', ...names], MODELS);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { version: number; reports: ModelReport[] };
    assert.equal(out.version, 1);
    assert.deepEqual(out.reports.map((x) => x.file), names);
    for (const rep of out.reports) {
      assert.equal(rep.verdict, expected(rep.file).verdict, rep.file);
      assert.equal(rep.format, expected(rep.file).format, rep.file);
      for (const key of ['schemaVersion', 'size', 'variant', 'candidates', 'summary', 'findings', 'metadata', 'tensors', 'totals', 'complete', 'bytesRead', 'durationMs', 'notes']) {
        assert.ok(key in rep, `${rep.file}: ${key}`);
      }
    }
    assert.equal(out.reports[0].tensors.length, 2);
    assert.ok(out.reports[1].findings.some((f) => f.detail.global === 'os.system'));
  });

  it('--format=json with a safe file exits 0', () => {
    const r = runCli(['inspect', '--format=json', 'benign-array.npy'], MODELS);
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.stdout) as { reports: ModelReport[] }).reports[0].format, 'numpy-npy');
  });

  it('never prints raw control characters from a file (text output escapes them)', () => {
    const r = runCli(['inspect', 'hostile.pkl'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    assert.match(r.stdout, /evil\\x1b\[2J\.mod\.x\\x07y/);
    // JSON output keeps the exact string (JSON.stringify escapes control characters itself).
    const j = runCli(['inspect', '--format', 'json', 'hostile.pkl'], dir);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(j.stdout, /[\u0000-\u0009\u000b-\u001f]/);
    const rep = (JSON.parse(j.stdout) as { reports: ModelReport[] }).reports[0];
    assert.ok(rep.pickle?.globals.some((g) => g.module.includes('\x1b')));
  });

  it('usage errors exit 2: no file, a missing file, a directory, an unknown option, a bad format', () => {
    const cases: [string[], RegExp][] = [
      [['inspect'], /needs at least one FILE/],
      [['inspect', 'does-not-exist.pt'], /does-not-exist\.pt: no such file/],
      [['inspect', '.'], /not a regular file/],
      [['inspect', '--bogus', 'benign-array.npy'], /unknown option '--bogus'/],
      [['inspect', '--format', 'sarif', 'benign-array.npy'], /--format must be text or json/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args, MODELS);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });

  it('--help prints the usage and exits 0', () => {
    const r = runCli(['inspect', '--help'], MODELS);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: modellint inspect FILE\.\.\. \[--format text\|json\]/);
  });

  it('truncates the tensor table', () => {
    const report = {
      file: 'big.safetensors', size: 10, format: 'safetensors', variant: '', verdict: 'safe', summary: 'ok', findings: [], metadata: {},
      tensors: Array.from({ length: 120 }, (_, i) => ({ name: `t${i}`, dtype: 'float32', shape: [1], bytes: 4 })),
      totals: { count: 120, parameters: 120, bytes: 480, byDtype: { float32: { count: 120, parameters: 120, bytes: 480 } } },
      candidates: [], complete: true, bytesRead: 10, durationMs: 1, notes: [], schemaVersion: 1,
    } as unknown as ModelReport;
    const text = formatReportText(report);
    assert.match(text, /t49 /);
    assert.doesNotMatch(text, /t50 /);
    assert.match(text, /… 70 more tensors/);
    assert.equal(escapeText('a\\b\x00\u202e\n'), 'a\\\\b\\x00\\u{202e}\\n');
  });
});
