import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli-run';
import { makeTree, removeTree } from '../helpers/temp-tree';

const RISKY = 'import torch\n\nstate = torch.load("ckpt.pt")\n';
const PICKLE = 'import pickle\n\nobj = pickle.load(open("x.pkl", "rb"))\n';
const RULE = 'torch-load-unsafe';

interface JsonFinding { rule: string; severity: string; file: string; line: number }
interface JsonReport { findings: JsonFinding[]; summary: { files: number; findings: number; baselined?: number } }

function report(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}
const found = (r: JsonReport) => r.findings.map((f) => `${f.file}:${f.rule}:${f.severity}`);

describe('modellint check: team configuration discovery', () => {
  let dir: string;
  before(() => {
    dir = makeTree({
      'modellint.toml': 'ignore = ["torch-load-unsafe"]\n[severity]\npickle-load = "error"\n',
      'root.py': RISKY + PICKLE.replace('import pickle\n', 'import pickle\n# padding\n'),
      // nested: the nearest file wins entirely
      'svc/modellint.toml': 'select = ["python"]\n',
      'svc/app.py': RISKY,
      // pyproject.toml and modellint.toml in one folder: modellint.toml wins
      'both/pyproject.toml': '[project]\nname = "b"\n[tool.modellint]\nignore = ["python"]\n',
      'both/modellint.toml': '[severity]\ntorch-load-unsafe = "info"\n',
      'both/b.py': RISKY,
      // a pyproject.toml without [tool.modellint] does not stop the search
      'plain/pyproject.toml': '[project]\nname = "p"\n',
      'plain/p.py': RISKY,
      // a pyproject.toml with [tool.modellint]
      'tooled/pyproject.toml': '[tool.modellint]\nextend-exclude = ["scratch"]\n',
      'tooled/t.py': RISKY,
      'tooled/scratch/s.py': RISKY,
    });
  });
  after(() => removeTree(dir));

  it('applies the nearest configuration file to each file', () => {
    const r = runCli(['check', '--format', 'json'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(found(report(r.stdout)).sort(), [
      'both/b.py:torch-load-unsafe:info',
      'root.py:pickle-load:error',
      'svc/app.py:torch-load-unsafe:warning',
      'tooled/t.py:torch-load-unsafe:warning',
    ]);
  });

  it('--config FILE applies one file to every path (relative paths against the working directory)', () => {
    const cfg = path.join(dir, '..', `${path.basename(dir)}-team.toml`);
    fs.writeFileSync(cfg, 'select = ["torch-load-unsafe"]\nextend-exclude = ["svc"]\n');
    try {
      const r = runCli(['check', '--format', 'json', '--config', cfg], dir);
      assert.deepEqual(found(report(r.stdout)).sort(), [
        'both/b.py:torch-load-unsafe:warning',
        'plain/p.py:torch-load-unsafe:warning',
        'root.py:torch-load-unsafe:warning',
        'tooled/scratch/s.py:torch-load-unsafe:warning',
        'tooled/t.py:torch-load-unsafe:warning',
      ]);
    } finally {
      fs.rmSync(cfg);
    }
  });

  it('--config with invalid entries: warnings on stderr, the rest applies', () => {
    const cfg = path.join(dir, 'other.toml');
    fs.writeFileSync(cfg, 'selct = ["python"]\nignore = ["pickle-load", "nope-rule"]\n');
    try {
      const r = runCli(['check', 'root.py', '--format', 'json', '--config', 'other.toml'], dir);
      assert.match(r.stderr, /other\.toml:1:1: warning: Unknown setting "selct"; did you mean "select"\?/);
      assert.match(r.stderr, /other\.toml:2:26: warning: Unknown rule id or group "nope-rule"/);
      assert.deepEqual(found(report(r.stdout)), ['root.py:torch-load-unsafe:warning'], 'pickle-load ignored, the root modellint.toml not used');
    } finally {
      fs.rmSync(cfg);
    }
  });

  it('--config with an unreadable file exits 2; --config with --isolated is a usage error', () => {
    const r = runCli(['check', '--config', 'missing.toml'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /could not read the configuration missing\.toml \(ENOENT\)/);
    const both = runCli(['check', '--config', 'modellint.toml', '--isolated'], dir);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /cannot be combined/);
  });

  it('--isolated ignores every configuration file', () => {
    const r = runCli(['check', '--format', 'json', '--isolated'], dir);
    assert.deepEqual(found(report(r.stdout)).sort(), [
      'both/b.py:torch-load-unsafe:warning',
      'plain/p.py:torch-load-unsafe:warning',
      'root.py:pickle-load:warning',
      'root.py:torch-load-unsafe:warning',
      'svc/app.py:torch-load-unsafe:warning',
      'tooled/scratch/s.py:torch-load-unsafe:warning',
      'tooled/t.py:torch-load-unsafe:warning',
    ]);
  });

  it('--select replaces the file lists, --ignore adds to them', () => {
    const sel = runCli(['check', 'root.py', '--format', 'json', '--select', RULE], dir);
    assert.deepEqual(found(report(sel.stdout)), ['root.py:torch-load-unsafe:warning'], '--select runs a rule the file ignores');
    const ign = runCli(['check', 'root.py', 'svc', '--format', 'json', '--ignore', 'pickle-load'], dir);
    assert.deepEqual(found(report(ign.stdout)), ['svc/app.py:torch-load-unsafe:warning'], 'both the file ignore and --ignore apply');
  });

  it('prints the problems of a discovered configuration that is not itself analyzed', () => {
    const d = makeTree({ 'modellint.toml': 'bogus = 1\n', 'src/a.py': RISKY });
    try {
      const r = runCli(['check', 'src'], d);
      assert.match(r.stderr, /modellint\.toml:1:1: warning: Unknown setting "bogus"\. It is ignored\. \(invalid-config\)/);
      const all = runCli(['check', '--format', 'json'], d);
      assert.ok(report(all.stdout).findings.some((f) => f.file === 'modellint.toml' && f.rule === 'invalid-config'));
      assert.doesNotMatch(all.stderr, /bogus/, 'reported once, as a finding');
    } finally {
      removeTree(d);
    }
  });
});

describe('modellint check: exclude and extend-exclude', () => {
  let dir: string;
  before(() => {
    dir = makeTree({
      '.gitignore': 'ignored/\n',
      'ignored/i.py': RISKY,
      'build/b.py': RISKY,
      'legacy/l.py': RISKY,
      'src/main.py': RISKY,
      'src/gen/x_pb2.py': RISKY,
      'src/model.gen.py': RISKY,
    });
    fs.mkdirSync(path.join(dir, '.git'));
  });
  after(() => removeTree(dir));

  const files = (args: string[] = []) => [...new Set(report(runCli(['check', '--format', 'json', ...args], dir).stdout).findings.map((f) => f.file))].sort();

  it('skips the default exclusions (build, dist, …) and .gitignore entries', () => {
    assert.deepEqual(files(), ['legacy/l.py', 'src/gen/x_pb2.py', 'src/main.py', 'src/model.gen.py']);
  });

  it('extend-exclude adds patterns (names at any depth, anchored paths, globs)', () => {
    fs.writeFileSync(path.join(dir, 'modellint.toml'), 'extend-exclude = ["legacy/", "src/gen", "*.gen.py"]\n');
    try {
      assert.deepEqual(files(), ['src/main.py']);
      // An explicitly named file is analyzed anyway.
      assert.deepEqual(files(['legacy/l.py']), ['legacy/l.py']);
      // A folder named on the command line is walked, its excluded subfolders are not.
      assert.deepEqual(files(['src']), ['src/main.py']);
    } finally {
      fs.rmSync(path.join(dir, 'modellint.toml'));
    }
  });

  it('exclude replaces the defaults; .gitignore still applies', () => {
    fs.writeFileSync(path.join(dir, 'modellint.toml'), 'exclude = ["legacy"]\n');
    try {
      assert.deepEqual(files(), ['build/b.py', 'src/gen/x_pb2.py', 'src/main.py', 'src/model.gen.py']);
    } finally {
      fs.rmSync(path.join(dir, 'modellint.toml'));
    }
  });
});

describe('modellint check: baselines', () => {
  let dir: string;
  before(() => {
    dir = makeTree({
      'src/a.py': RISKY + 'again = torch.load("ckpt.pt")\n',
      'src/b.py': PICKLE,
    });
  });
  after(() => removeTree(dir));

  it('--write-baseline records the current findings and exits 0', () => {
    const r = runCli(['check', 'src', '--write-baseline', 'modellint-baseline.json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote 3 findings to the baseline modellint-baseline\.json/);
    const baseline = JSON.parse(fs.readFileSync(path.join(dir, 'modellint-baseline.json'), 'utf8'));
    assert.equal(baseline.version, 1);
    assert.equal(baseline.findings.length, 3);
    for (const f of baseline.findings) {
      assert.match(f.fingerprint, /^[0-9a-f]{32}:\d+$/);
      assert.ok(['src/a.py', 'src/b.py'].includes(f.file));
    }
    assert.equal(new Set(baseline.findings.map((f: { fingerprint: string }) => f.fingerprint)).size, 3, 'identical lines get distinct fingerprints');
  });

  it('--baseline reports nothing for unchanged code, and survives lines moving', () => {
    const same = runCli(['check', 'src', '--baseline', 'modellint-baseline.json', '--format', 'json'], dir);
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual(report(same.stdout).findings, []);
    assert.equal(report(same.stdout).summary.baselined, 3);

    // Lines move: a docstring and imports above, and re-indentation.
    fs.writeFileSync(path.join(dir, 'src/a.py'), '"""Loader."""\nimport os\n\n' + RISKY + '\n\nif True:\n    again = torch.load("ckpt.pt")\n');
    const moved = runCli(['check', 'src', '--baseline', 'modellint-baseline.json'], dir);
    assert.equal(moved.code, 0, moved.stdout);
    assert.match(moved.stdout, /No new problems found \(2 files checked\)\.\n3 baselined findings not shown/);
  });

  it('--baseline reports new findings only (a third identical line is new)', () => {
    fs.appendFileSync(path.join(dir, 'src/a.py'), 'third = torch.load("ckpt.pt")\n');
    fs.writeFileSync(path.join(dir, 'src/c.py'), RISKY);
    const r = runCli(['check', 'src', '--baseline', 'modellint-baseline.json', '--format', 'json'], dir);
    assert.equal(r.code, 1);
    const out = report(r.stdout);
    assert.deepEqual(out.findings.map((f) => `${f.file}:${f.line}`), ['src/a.py:11', 'src/c.py:3']);
    assert.equal(out.summary.baselined, 3);
    // From another working directory the same baseline (paths relative to its own folder) still matches.
    const fromSrc = runCli(['check', '.', '--baseline', '../modellint-baseline.json', '--format', 'json'], path.join(dir, 'src'));
    assert.equal(report(fromSrc.stdout).summary.baselined, 3);
  });

  it('a corrupt or missing baseline exits 2 with a clear message', () => {
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"version": 1, "findings": [{"fingerprint": 42}]}');
    const bad = runCli(['check', 'src', '--baseline', 'bad.json'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /the baseline bad\.json is corrupt: entry 1 has no valid "fingerprint"; write a new one with --write-baseline/);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"version": 1, "findings": [');
    assert.match(runCli(['check', 'src', '--baseline', 'bad.json'], dir).stderr, /is not valid JSON/);
    fs.writeFileSync(path.join(dir, 'bad.json'), '[]');
    assert.match(runCli(['check', 'src', '--baseline', 'bad.json'], dir).stderr, /is not a ModelLint baseline/);
    const missing = runCli(['check', 'src', '--baseline', 'nope.json'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /could not read the baseline nope\.json \(ENOENT\)/);
  });

  it('SARIF fingerprints keep their v1 values (shared fingerprint code)', () => {
    const sarif = JSON.parse(runCli(['check', 'src/b.py', '--format', 'sarif'], dir).stdout);
    assert.match(sarif.runs[0].results[0].partialFingerprints['modellintLineHash/v1'], /^[0-9a-f]{32}:1$/);
  });
});

describe('modellint check: configuration on worker threads', () => {
  it('applies per-folder configuration when more than 200 files are analyzed in parallel', () => {
    const files: Record<string, string> = { 'quiet/modellint.toml': 'ignore = ["torch-load-unsafe"]\n' };
    for (let i = 0; i < 120; i++) files[`quiet/m${i}.py`] = RISKY;
    for (let i = 0; i < 120; i++) files[`loud/m${i}.py`] = RISKY;
    const dir = makeTree(files);
    try {
      const r = runCli(['check', '--format', 'json'], dir);
      const out = report(r.stdout);
      assert.equal(out.summary.files, 241);
      assert.equal(out.findings.length, 120);
      assert.ok(out.findings.every((f) => f.file.startsWith('loud/')));
    } finally {
      removeTree(dir);
    }
  });
});
