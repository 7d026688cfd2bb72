import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli-run';
import { makeTree, removeTree } from '../helpers/temp-tree';

const RISKY = 'import torch\n\nstate = torch.load("ckpt.pt")\n';
const CLEAN = 'import torch\n\nstate = torch.load("ckpt.pt", weights_only=True)\n';
const RULE = 'torch-load-unsafe';

interface JsonFinding {
  rule: string;
  severity: string;
  file: string;
  cell?: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  fixable: boolean;
}
interface JsonReport {
  version: number;
  findings: JsonFinding[];
  summary: { files: number; findings: number; bySeverity: Record<string, number>; skipped: { file: string; reason: string }[]; durationMs: number };
}

function json(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

function notebook(cells: { cell_type: string; source: string[] | string }[]): string {
  return JSON.stringify(
    {
      cells: cells.map((c) => ({ ...c, metadata: {}, ...(c.cell_type === 'code' ? { execution_count: null, outputs: [] } : {}) })),
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );
}

describe('modellint check: exit codes and usage errors', () => {
  let dir: string;
  before(() => {
    dir = makeTree({ 'risky/train.py': RISKY, 'clean/app.py': CLEAN, 'clean/requirements.txt': 'numpy>=1.26\n' });
  });
  after(() => removeTree(dir));

  it('exits 1 when a finding at or above --fail-on (default warning) is reported', () => {
    const r = runCli(['check', 'risky'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^risky\/train\.py:3:9: warning torch-load-unsafe /m);
    assert.match(r.stdout, /Found 1 problem \(1 warning\) in 1 file\./);
  });

  it('exits 0 on a clean tree', () => {
    const r = runCli(['check', 'clean'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No problems found \(2 files checked\)\./);
  });

  it('honours --fail-on', () => {
    assert.equal(runCli(['check', 'risky', '--fail-on', 'error'], dir).code, 0);
    assert.equal(runCli(['check', 'risky', '--fail-on=info'], dir).code, 1);
    assert.equal(runCli(['check', 'risky', '--fail-on', 'never'], dir).code, 0);
  });

  it('honours --select and --ignore (ids and groups)', () => {
    assert.equal(json(runCli(['check', 'risky', '--format', 'json', '--ignore', RULE], dir).stdout).findings.length, 0);
    assert.equal(json(runCli(['check', 'risky', '--format', 'json', '--select', `pickle-load,${RULE}`], dir).stdout).findings.length, 1);
    assert.equal(json(runCli(['check', 'risky', '--format', 'json', '--select', 'dependencies'], dir).stdout).findings.length, 0);
    assert.equal(json(runCli(['check', 'risky', '--format', 'json', '--select', 'ALL', '--ignore', 'python'], dir).stdout).findings.length, 0);
  });

  it('exits 2 on usage errors', () => {
    const cases: [string[], RegExp][] = [
      [['check', '--bogus'], /unknown option '--bogus'/],
      [['check', '--select', 'no-such-rule'], /unknown rule or group 'no-such-rule' in --select/],
      [['check', '--ignore', 'torch-load-unsafe,nope'], /unknown rule or group 'nope' in --ignore/],
      [['check', 'does/not/exist'], /path not found: does\/not\/exist/],
      [['check', '--format', 'xml'], /invalid value 'xml' for --format/],
      [['check', '--fail-on', 'critical'], /invalid value 'critical' for --fail-on/],
      [['check', '--format'], /option '--format' needs a value/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [[], /Usage:/],
      [['server'], /needs a transport/],
      [['rules', '--format', 'sarif'], /invalid value 'sarif'/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args, dir);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', `nothing on stdout for ${args.join(' ')}`);
    }
  });

  it('prints help and version with exit 0', () => {
    const help = runCli(['check', '--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--fail-on/);
    for (const flag of ['--config', '--isolated', '--baseline', '--write-baseline']) assert.ok(help.stdout.includes(flag), `${flag} is documented`);
    assert.match(help.stdout, /Precedence:/, 'the precedence of flags over configuration files is documented');
    const version = runCli(['--version'], dir);
    assert.equal(version.code, 0);
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+/);
  });

  it('--output writes the report to a file', () => {
    const out = path.join(dir, 'report.json');
    const r = runCli(['check', 'risky', '--format', 'json', '--output', out], dir);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(json(fs.readFileSync(out, 'utf8')).findings.length, 1);
  });

  it('uses colors only on a TTY without NO_COLOR (never in pipes)', () => {
    const r = runCli(['check', 'risky'], dir, { NO_COLOR: '', FORCE_COLOR: '1' });
    assert.doesNotMatch(r.stdout, /\u001b\[/);
  });
});

describe('modellint check --format json', () => {
  let dir: string;
  before(() => {
    dir = makeTree({
      'src/pkg/model.py': RISKY,
      'src/pkg/unicode.py': 'import torch\nx = "é😀"; torch.load("a.pt")\n',
      'notes.md': 'torch.load("not python")\n',
    });
  });
  after(() => removeTree(dir));

  it('has exactly the documented shape, with paths relative to the working directory', () => {
    const r = runCli(['check', '--format', 'json'], dir);
    assert.equal(r.code, 1, r.stderr);
    const report = json(r.stdout);
    assert.deepEqual(Object.keys(report), ['version', 'findings', 'summary']);
    assert.equal(report.version, 1);
    assert.deepEqual(Object.keys(report.summary), ['files', 'findings', 'bySeverity', 'skipped', 'durationMs']);
    assert.equal(report.summary.files, 2);
    assert.equal(report.summary.findings, 2);
    assert.deepEqual(report.summary.bySeverity, { error: 0, warning: 2, info: 0 });
    assert.deepEqual(report.summary.skipped, []);
    assert.equal(typeof report.summary.durationMs, 'number');
    const [first, second] = report.findings;
    assert.deepEqual(Object.keys(first), ['rule', 'severity', 'file', 'line', 'column', 'endLine', 'endColumn', 'message', 'fixable']);
    assert.deepEqual(
      { ...first, message: undefined },
      { rule: RULE, severity: 'warning', file: 'src/pkg/model.py', line: 3, column: 9, endLine: 3, endColumn: 30, message: undefined, fixable: true },
    );
    assert.match(first.message, /weights_only/);
    // Columns count UTF-16 code units, 1-based: `x = "é😀"; ` is 11 units.
    assert.equal(second.file, 'src/pkg/unicode.py');
    assert.equal(second.line, 2);
    assert.equal(second.column, 12);
  });

  it('reports paths relative to the working directory when run from a subdirectory', () => {
    const r = runCli(['check', '../pkg', '--format', 'json'], path.join(dir, 'src', 'pkg'));
    const files = json(r.stdout).findings.map((f) => f.file);
    assert.deepEqual(files, ['model.py', 'unicode.py']);
    const up = runCli(['check', '.', '--format', 'json'], path.join(dir, 'src'));
    assert.deepEqual(json(up.stdout).findings.map((f) => f.file), ['pkg/model.py', 'pkg/unicode.py']);
  });

  it('is deterministic apart from durationMs', () => {
    const a = json(runCli(['check', '--format', 'json'], dir).stdout);
    const b = json(runCli(['check', '--format', 'json'], dir).stdout);
    a.summary.durationMs = b.summary.durationMs = 0;
    assert.deepEqual(a, b);
  });
});

describe('modellint check --format sarif', () => {
  let dir: string;
  before(() => {
    dir = makeTree({
      'app/serve.py': RISKY,
      'app/nb.ipynb': notebook([
        { cell_type: 'markdown', source: ['# Demo\n'] },
        { cell_type: 'code', source: ['import torch\n'] },
        { cell_type: 'code', source: ['x = 1\n', 'm = torch.load("m.pt")\n'] },
      ]),
    });
  });
  after(() => removeTree(dir));

  it('produces SARIF 2.1.0 with rule metadata, relative locations, levels and fingerprints', () => {
    const r = runCli(['check', '--format', 'sarif'], dir);
    assert.equal(r.code, 1, r.stderr);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.match(sarif.$schema, /sarif-2\.1\.0/);
    assert.equal(sarif.runs.length, 1);
    const run = sarif.runs[0];
    const driver = run.tool.driver;
    assert.equal(driver.name, 'ModelLint');
    assert.match(driver.version, /^\d+\.\d+\.\d+/);
    assert.ok(driver.informationUri.startsWith('https://'));
    assert.ok(driver.rules.length > 1, 'every rule that can run is described');
    for (const rule of driver.rules) {
      assert.equal(typeof rule.id, 'string');
      assert.equal(typeof rule.shortDescription.text, 'string');
      assert.equal(typeof rule.fullDescription.text, 'string');
      assert.match(rule.helpUri, new RegExp(`^https://.*${rule.id}\\.md$`));
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
    }
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri.startsWith('file://'), true);
    assert.equal(run.results.length, 2);
    const [nb, py] = run.results;
    for (const res of run.results) {
      assert.equal(res.ruleId, RULE);
      assert.equal(driver.rules[res.ruleIndex].id, RULE);
      assert.equal(res.level, 'warning');
      assert.equal(typeof res.message.text, 'string');
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.ok(!loc.artifactLocation.uri.startsWith('/'));
      assert.deepEqual(Object.keys(loc.region), ['startLine', 'startColumn', 'endLine', 'endColumn']);
      assert.match(Object.values(res.partialFingerprints)[0] as string, /^[0-9a-f]{32}:\d+$/);
    }
    assert.equal(py.locations[0].physicalLocation.artifactLocation.uri, 'app/serve.py');
    assert.deepEqual(py.locations[0].physicalLocation.region, { startLine: 3, startColumn: 9, endLine: 3, endColumn: 30 });

    // Notebook: the region points into the .ipynb JSON text at the call; the cell number is a property.
    assert.equal(nb.locations[0].physicalLocation.artifactLocation.uri, 'app/nb.ipynb');
    assert.equal(nb.properties.cell, 3);
    assert.equal(nb.locations[0].logicalLocations[0].name, 'cell 3');
    const region = nb.locations[0].physicalLocation.region;
    const ipynbLines = fs.readFileSync(path.join(dir, 'app/nb.ipynb'), 'utf8').split('\n');
    const lineText = ipynbLines[region.startLine - 1];
    assert.equal(lineText.slice(region.startColumn - 1, region.endColumn - 1), 'torch.load(\\"m.pt\\")');
  });

  it('keeps fingerprints when lines move', () => {
    const before = JSON.parse(runCli(['check', 'app/serve.py', '--format', 'sarif'], dir).stdout).runs[0].results[0];
    fs.writeFileSync(path.join(dir, 'app/serve.py'), '"""Serving."""\n\n\n' + RISKY.replace('state =', '    state =').replace('import torch\n', 'import torch\nif True:\n'));
    const moved = JSON.parse(runCli(['check', 'app/serve.py', '--format', 'sarif'], dir).stdout).runs[0].results[0];
    assert.notEqual(moved.locations[0].physicalLocation.region.startLine, before.locations[0].physicalLocation.region.startLine);
    assert.deepEqual(moved.partialFingerprints, before.partialFingerprints);
  });
});

describe('modellint check: file discovery', () => {
  let dir: string;
  before(() => {
    dir = makeTree({
      '.gitignore': 'build/\n*.generated.py\n',
      'build/out.py': RISKY,
      'src/model.generated.py': RISKY,
      'src/keep.py': RISKY,
      'src/vendor/.gitignore': '*.py\n!allowed.py\n',
      'src/vendor/skipped.py': RISKY,
      'src/vendor/allowed.py': RISKY,
      'node_modules/pkg/x.py': RISKY,
      '.venv/lib/x.py': RISKY,
      'venv/lib/x.py': RISKY,
      'lib/python3.11/site-packages/x.py': RISKY,
      'src/__pycache__/x.py': RISKY,
      '.git/hooks/x.py': RISKY,
      'requirements-dev.txt': 'pytest\n',
      'README.md': 'torch.load("x")\n',
      'data.csv': 'a,b\n',
    });
    fs.symlinkSync(dir, path.join(dir, 'src', 'loop')); // a symlinked directory cycle
    fs.symlinkSync(path.join(dir, 'src', 'keep.py'), path.join(dir, 'src', 'alias.py'));
  });
  after(() => removeTree(dir));

  it('respects nested .gitignore files, skips environment/tool folders, never follows symlinked directories', () => {
    const r = runCli(['check', '--format', 'json'], dir);
    const files = json(r.stdout).findings.map((f) => f.file);
    assert.deepEqual(files, ['src/alias.py', 'src/keep.py', 'src/vendor/allowed.py']);
    assert.equal(json(r.stdout).summary.files, 4, 'three Python files and requirements-dev.txt');
  });

  it('analyzes explicitly named files even when ignored, and an explicitly named folder even when skipped by default', () => {
    const r = runCli(['check', 'build/out.py', 'node_modules', '--format', 'json'], dir);
    assert.deepEqual(json(r.stdout).findings.map((f) => f.file), ['build/out.py', 'node_modules/pkg/x.py']);
  });

  it('applies .gitignore files above the walked folder inside a git repository', () => {
    const r = runCli(['check', 'src', '--format', 'json'], dir);
    // dir has a .git folder: its .gitignore (*.generated.py) applies when checking src/ only.
    assert.deepEqual(json(r.stdout).findings.map((f) => f.file), ['src/alias.py', 'src/keep.py', 'src/vendor/allowed.py']);
  });
});

describe('modellint check: hostile inputs', () => {
  let dir: string;
  before(() => {
    const big = Buffer.alloc(50 * 1024 * 1024, 'x = 1  # padding\n');
    const invalidUtf8 = Buffer.concat([Buffer.from('import torch\n# caf'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xa0]), Buffer.from('\nm = torch.load("a.pt")\n')]);
    dir = makeTree({
      'big.py': big,
      'binary.py': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x00, 0x74, 0x6f, 0x72, 0x63, 0x68, 0x2e, 0x6c, 0x6f, 0x61, 0x64]),
      'invalid_utf8.py': invalidUtf8,
      'nested.py': 'import torch\nx = ' + '('.repeat(10_000) + '1' + ')'.repeat(10_000) + '\ny = torch.load("b.pt")\n',
      'unbalanced.py': 'import torch\nx = ' + '['.repeat(10_000) + '\ntorch.load("c.pt")\n',
      'broken.ipynb': '{"cells": [ this is not json',
      'nocells.ipynb': '{"metadata": {}}',
      'risky.py': RISKY,
    });
  });
  after(() => removeTree(dir));

  it('reports at most a clear message per bad file and still analyzes the rest', () => {
    const t0 = performance.now();
    const r = runCli(['check'], dir);
    console.log(`  hostile tree (50 MB file, binary, invalid UTF-8, 10k parentheses): ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^risky\.py:3:9: warning torch-load-unsafe/m);
    assert.match(r.stdout, /^invalid_utf8\.py:3:5: warning torch-load-unsafe/m);
    assert.match(r.stdout, /^nested\.py:3:5: warning torch-load-unsafe/m);
    assert.match(r.stderr, /big\.py: skipped: larger than 8 MiB/);
    assert.match(r.stderr, /binary\.py: skipped: binary content/);
    assert.match(r.stderr, /broken\.ipynb: skipped: notebook is not valid JSON/);
    assert.match(r.stderr, /nocells\.ipynb: skipped: notebook has no "cells" array/);
    assert.doesNotMatch(r.stderr, /internal error|RangeError|at .*\.js:\d+/);
  });

  it('lists skipped files in the JSON summary', () => {
    const report = json(runCli(['check', '--format', 'json'], dir).stdout);
    const skipped = Object.fromEntries(report.summary.skipped.map((s) => [s.file, s.reason]));
    assert.equal(skipped['big.py'], 'larger than 8 MiB');
    assert.equal(skipped['binary.py'], 'binary content');
    assert.match(skipped['broken.ipynb'], /^notebook is not valid JSON/);
    assert.ok(!('risky.py' in skipped));
    assert.ok(report.findings.some((f) => f.file === 'risky.py'));
  });
});

describe('modellint check: notebooks', () => {
  let dir: string;
  before(() => {
    dir = makeTree({
      'analysis.ipynb': notebook([
        { cell_type: 'markdown', source: ['# Loading\n', 'We call torch.load below.\n'] },
        { cell_type: 'code', source: ['import torch\n', '%matplotlib inline\n'] },
        { cell_type: 'code', source: 'print("hi")\nmodel = torch.load("model.pt")' },
      ]),
    });
  });
  after(() => removeTree(dir));

  it('reports cell numbers in text and JSON output', () => {
    const text = runCli(['check'], dir);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /^analysis\.ipynb:cell 3:2:9: warning torch-load-unsafe /m);
    const report = json(runCli(['check', '--format', 'json'], dir).stdout);
    assert.equal(report.findings.length, 1);
    const f = report.findings[0];
    assert.deepEqual(Object.keys(f), ['rule', 'severity', 'file', 'cell', 'line', 'column', 'endLine', 'endColumn', 'message', 'fixable']);
    assert.equal(f.cell, 3);
    assert.equal(f.line, 2);
    assert.equal(f.column, 9);
  });

  it('maps a single-string cell source into the .ipynb text for SARIF', () => {
    const res = JSON.parse(runCli(['check', '--format', 'sarif'], dir).stdout).runs[0].results[0];
    const region = res.locations[0].physicalLocation.region;
    const line = fs.readFileSync(path.join(dir, 'analysis.ipynb'), 'utf8').split('\n')[region.startLine - 1];
    assert.equal(line.slice(region.startColumn - 1, region.endColumn - 1), 'torch.load(\\"model.pt\\")');
  });
});

describe('modellint check: many files (worker threads)', () => {
  let dir: string;
  const count = 320;
  before(() => {
    const files: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
      const risky = i % 10 === 0;
      files[`pkg${i % 7}/mod_${String(i).padStart(4, '0')}.py`] = [
        'import json',
        'import torch',
        '',
        `def handler_${i}(path):`,
        '    with open(path) as fh:',
        '        data = json.load(fh)',
        risky ? '    return torch.load(data["ckpt"])' : '    return torch.load(data["ckpt"], weights_only=True)',
        '',
      ].join('\n');
    }
    dir = makeTree(files);
  });
  after(() => removeTree(dir));

  it('finds every risky call, sorted by path then position, and is identical to a single-threaded run', () => {
    const t0 = performance.now();
    const r = runCli(['check', '--format', 'json'], dir);
    const ms = performance.now() - t0;
    const report = json(r.stdout);
    console.log(`  ${count} files with workers: ${ms.toFixed(0)} ms (${((count / ms) * 1000).toFixed(0)} files/s incl. startup)`);
    assert.equal(report.summary.files, count);
    assert.equal(report.findings.length, count / 10);
    const files = report.findings.map((f) => f.file);
    assert.deepEqual(files, [...files].sort());
    // Below the worker threshold the same files are analyzed inline: same findings.
    const inline = report.findings.filter((f) => f.file.startsWith('pkg3/'));
    const single = json(runCli(['check', 'pkg3', '--format', 'json'], dir).stdout).findings;
    assert.deepEqual(single, inline);
  });
  it('a missing path next to a large tree is a usage error, before any analysis', () => {
    const r = runCli(['check', '.', 'no-such-dir'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /path not found: no-such-dir/);
    assert.equal(r.stdout, '');
  });
});

describe('modellint rules', () => {
  it('prints the catalog as text and JSON', () => {
    const dir = makeTree({});
    try {
      const text = runCli(['rules'], dir);
      assert.equal(text.code, 0);
      assert.match(text.stdout, /^RULE\s+SEVERITY\s+GROUP\s+FIXABLE\s+TITLE/);
      assert.match(text.stdout, /torch-load-unsafe\s+warning\s+python/);
      const j = JSON.parse(runCli(['rules', '--format', 'json'], dir).stdout);
      assert.equal(j.version, 1);
      const rule = j.rules.find((x: { id: string }) => x.id === RULE);
      assert.ok(rule);
      for (const key of ['id', 'title', 'summary', 'group', 'defaultSeverity', 'fixable', 'docs']) assert.ok(key in rule, key);
      assert.match(rule.docs, /torch-load-unsafe\.md$/);
    } finally {
      removeTree(dir);
    }
  });
});
