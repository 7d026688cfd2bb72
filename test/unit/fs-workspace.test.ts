import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FsWorkspace } from '../../server/src/workspace/fs-workspace';
import { resolveHfCacheDir } from '../../server/src/workspace/hf-cache';
import { setsTorchForceNoWeightsOnly } from '../../server/src/workspace/torch-env-flag';
import type { PackageConstraint } from '../../server/src/workspace/workspace-facts';

const FLAG = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD';
const SHA_MAIN = '0123456789abcdef0123456789abcdef01234567';
const SHA_TAG = 'fedcba9876543210fedcba9876543210fedcba98';

let tmp: string;
let root: string;

function write(rel: string, text: string): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const uri = (rel: string): string => pathToFileURL(path.join(root, rel)).href;

function bounds(c: PackageConstraint | undefined): string {
  if (!c) return 'undeclared';
  const lo = c.min ? `${c.min.inclusive ? '[' : '('}${c.min.version}` : '(*';
  const hi = c.max ? `${c.max.version}${c.max.inclusive ? ']' : ')'}` : '*)';
  return `${lo}, ${hi}`;
}

function workspace(extra: Partial<ConstructorParameters<typeof FsWorkspace>[0]> = {}): FsWorkspace {
  return new FsWorkspace({ roots: [root], hfCache: path.join(tmp, 'hf', 'hub'), env: {}, ...extra });
}

before(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'modellint-ws-')));
  root = path.join(tmp, 'repo');
  fs.mkdirSync(path.join(root, '.git'), { recursive: true });
  write('pyproject.toml', '[project]\nname = "trainer"\ndependencies = [\n  "torch>=2.4",\n  "Keras==3.5.0",\n]\n');
  write('requirements.txt', 'torch==2.5.1\nnumpy>=1.26\n');
  write('requirements/gpu.txt', '--extra-index-url https://download.pytorch.org/whl/cu121\ntorch<2.6\n');
  write('docker/Dockerfile', 'FROM python:3.11\nRUN pip install --no-cache-dir "torch==2.5.1" transformers\n');
  write('src/train.py', 'import torch\nstate = torch.load("ckpt.pt", weights_only=True)\n');
  fs.mkdirSync(path.join(root, 'src', 'checkpoints'));
  write('services/api/requirements.txt', 'fastapi\nnumpy==1.26.4\n');
  write('services/api/main.py', 'import numpy\n');
  write('services/worker/environment.yml', 'dependencies:\n  - python=3.11\n  - pytorch>=2.6.0\n  - pip:\n      - tf-keras==2.17.0\n');
  write('services/worker/worker.py', 'import torch\n');
  write('node_modules/pkg/evil.py', `import os\nos.environ["${FLAG}"] = "1"\nmarker_only_in_node_modules = 1\n`);
  write('.venv/lib/site.py', 'marker_only_in_venv = 1\n');
  write('notebooks/explore.ipynb', JSON.stringify({
    cells: [
      { cell_type: 'markdown', source: ['marker_only_in_markdown'] },
      { cell_type: 'code', source: ['model = AutoModel.from_pretrained(\n', '    "org/name")\n'], outputs: [{ text: 'marker_only_in_outputs' }] },
    ],
  }));
  // A symlink loop and a dangling link must not trouble the walks.
  fs.symlinkSync(root, path.join(root, 'src', 'loop'));
  fs.symlinkSync(path.join(root, 'missing-target'), path.join(root, 'dangling.py'));

  // Hugging Face cache
  const repo = path.join(tmp, 'hf', 'hub', 'models--org--name');
  fs.mkdirSync(path.join(repo, 'refs'), { recursive: true });
  fs.mkdirSync(path.join(repo, 'snapshots', SHA_MAIN), { recursive: true });
  fs.mkdirSync(path.join(repo, 'snapshots', SHA_TAG), { recursive: true });
  fs.writeFileSync(path.join(repo, 'refs', 'main'), `${SHA_MAIN}\n`);
  fs.writeFileSync(path.join(repo, 'refs', 'v1.0'), SHA_TAG);
  fs.writeFileSync(path.join(repo, 'refs', 'broken'), 'not-a-commit');
  fs.mkdirSync(path.join(repo, 'refs', 'refs', 'pr'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'refs', 'refs', 'pr', '1'), SHA_TAG);
  fs.writeFileSync(path.join(tmp, 'outside-ref'), SHA_MAIN);
  fs.symlinkSync(path.join(tmp, 'outside-ref'), path.join(repo, 'refs', 'escape'));
  const dataset = path.join(tmp, 'hf', 'hub', 'datasets--gpt2');
  fs.mkdirSync(path.join(dataset, 'refs'), { recursive: true });
  fs.writeFileSync(path.join(dataset, 'refs', 'main'), SHA_TAG);
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('FsWorkspace.packageConstraint', () => {
  it('intersects every declaration of the project and reports the most specific one', () => {
    const ws = workspace();
    const c = ws.packageConstraint('torch', uri('src/train.py'));
    assert.equal(bounds(c), '[2.5.1, 2.5.1]');
    assert.equal(c!.name, 'torch');
    assert.equal(c!.specifier, '==2.5.1');
    assert.equal(c!.uri, uri('requirements.txt'));
    assert.deepEqual(c!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 12 } });
  });

  it('normalizes names and keeps keras and tf-keras apart', () => {
    const ws = workspace();
    assert.equal(bounds(ws.packageConstraint('keras', uri('src/train.py'))), '[3.5.0, 3.5.0]');
    assert.equal(bounds(ws.packageConstraint('KERAS', uri('src/train.py'))), '[3.5.0, 3.5.0]');
    assert.equal(ws.packageConstraint('tf-keras', uri('src/train.py')), undefined);
    assert.equal(bounds(ws.packageConstraint('tf_keras', uri('services/worker/worker.py'))), '[2.17.0, 2.17.0]');
    assert.equal(ws.packageConstraint('keras', uri('services/worker/worker.py'))?.uri, uri('pyproject.toml'));
  });

  it('uses the nearest project, and the enclosing one for packages it does not declare', () => {
    const ws = workspace();
    const numpy = ws.packageConstraint('numpy', uri('services/api/main.py'));
    assert.equal(bounds(numpy), '[1.26.4, 1.26.4]');
    assert.equal(numpy!.uri, uri('services/api/requirements.txt'));
    assert.equal(bounds(ws.packageConstraint('torch', uri('services/api/main.py'))), '[2.5.1, 2.5.1]');
  });

  it('reads conda environments, where pytorch is torch', () => {
    const ws = workspace();
    const torch = ws.packageConstraint('torch', uri('services/worker/worker.py'));
    assert.equal(bounds(torch), '[2.6.0, *)');
    assert.equal(torch!.uri, uri('services/worker/environment.yml'));
    assert.deepEqual(torch!.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 18 } });
    assert.equal(bounds(ws.packageConstraint('pytorch', uri('services/worker/worker.py'))), '[2.6.0, *)');
  });

  it('answers undefined for undeclared packages and non-file documents', () => {
    const ws = workspace();
    assert.equal(ws.packageConstraint('jax', uri('src/train.py')), undefined);
    assert.equal(ws.packageConstraint('torch', 'untitled:Untitled-1'), undefined);
  });

  it('sees changes only after invalidate, and picks up new files and new projects', () => {
    const ws = workspace();
    const doc = uri('src/train.py');
    assert.equal(bounds(ws.packageConstraint('torch', doc)), '[2.5.1, 2.5.1]');
    const reqs = path.join(root, 'requirements.txt');
    const original = fs.readFileSync(reqs, 'utf8');
    try {
      fs.writeFileSync(reqs, 'torch>=2.5\n');
      assert.equal(bounds(ws.packageConstraint('torch', doc)), '[2.5.1, 2.5.1]', 'cached until invalidated');
      ws.invalidate(pathToFileURL(reqs).href);
      // requirements.txt >=2.5, pyproject >=2.4, requirements/gpu.txt <2.6, Dockerfile ==2.5.1
      assert.equal(bounds(ws.packageConstraint('torch', doc)), '[2.5.1, 2.5.1]');
      fs.rmSync(path.join(root, 'docker', 'Dockerfile'));
      ws.invalidate(path.join(root, 'docker', 'Dockerfile'));
      const c = ws.packageConstraint('torch', doc);
      assert.equal(bounds(c), '[2.5, 2.6)');
      assert.equal(c!.uri, uri('requirements/gpu.txt'), 'the declaration with the upper bound');

      const constraints = write('constraints.txt', 'torch==2.5.0\n');
      ws.invalidate(constraints);
      assert.equal(bounds(ws.packageConstraint('torch', doc)), '[2.5.0, 2.5.0]');
      fs.rmSync(constraints);
      ws.invalidate(constraints);

      const nested = write('src/pyproject.toml', '[tool.poetry.dependencies]\ntorch = "^2.6"\n');
      ws.invalidate(nested);
      const poetry = ws.packageConstraint('torch', doc);
      assert.equal(bounds(poetry), '[2.6, 3)');
      assert.deepEqual(poetry!.range, { start: { line: 1, character: 9 }, end: { line: 1, character: 13 } });
      fs.rmSync(nested);
      ws.invalidate(nested);
      assert.equal(bounds(ws.packageConstraint('torch', doc)), '[2.5, 2.6)');
    } finally {
      fs.writeFileSync(reqs, original);
      write('docker/Dockerfile', 'FROM python:3.11\nRUN pip install --no-cache-dir "torch==2.5.1" transformers\n');
    }
  });

  it('prefers open editor buffers over the disk', () => {
    const reqs = path.join(root, 'requirements.txt');
    let buffer: string | undefined = 'torch==2.4.1\n';
    const ws = workspace({ readOpenDocument: (p) => (p === reqs ? buffer : undefined) });
    const doc = uri('src/train.py');
    // The buffer's ==2.4.1 and the Dockerfile's ==2.5.1 cannot both hold: alternatives, so the hull.
    assert.equal(bounds(ws.packageConstraint('torch', doc)), '[2.4.1, 2.5.1]');
    buffer = 'torch==2.5.1\n';
    ws.invalidate(reqs);
    assert.equal(bounds(ws.packageConstraint('torch', doc)), '[2.5.1, 2.5.1]');
  });

  it('survives malformed dependency files', () => {
    const dir = path.join(tmp, 'broken');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project\ndependencies = ["torch==2.5.1"\n');
    fs.writeFileSync(path.join(dir, 'environment.yml'), 'dependencies: [pytorch=2.5.1\n  - {\n');
    fs.writeFileSync(path.join(dir, 'requirements.txt'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0xfe]));
    fs.mkdirSync(path.join(dir, 'setup.cfg')); // a folder where a file is expected
    const ws = new FsWorkspace({ roots: [dir], env: {} });
    const doc = pathToFileURL(path.join(dir, 'main.py')).href;
    assert.doesNotThrow(() => ws.packageConstraint('torch', doc));
    assert.doesNotThrow(() => ws.torchForceNoWeightsOnly(doc));
  });

  it('keeps a document outside every root to its own folder', () => {
    const outside = path.join(tmp, 'outside', 'deep');
    fs.mkdirSync(outside, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'outside', 'requirements.txt'), 'torch==2.0.0\n');
    const ws = workspace();
    assert.equal(ws.packageConstraint('torch', pathToFileURL(path.join(outside, 'x.py')).href), undefined);
  });
});

describe('FsWorkspace.torchForceNoWeightsOnly', () => {
  it('ignores installed packages and finds the flag where the project sets it', () => {
    const ws = workspace();
    const doc = uri('src/train.py');
    assert.equal(ws.torchForceNoWeightsOnly(doc), false, 'node_modules is not the project');

    const script = write('scripts/run.sh', `#!/bin/sh\n# ${FLAG}=1 would be bad\nexport ${FLAG}=1\npython train.py\n`);
    assert.equal(ws.torchForceNoWeightsOnly(doc), false, 'cached until invalidated');
    ws.invalidate(script);
    assert.equal(ws.torchForceNoWeightsOnly(doc), true);

    fs.writeFileSync(script, `export ${FLAG}=0\n`);
    ws.invalidate(script);
    assert.equal(ws.torchForceNoWeightsOnly(doc), false);

    const k8s = write('deploy/job.yaml', `spec:\n  containers:\n    - name: trainer\n      env:\n        - name: ${FLAG}\n          value: "1"\n`);
    ws.invalidate(k8s);
    assert.equal(ws.torchForceNoWeightsOnly(doc), true);
    fs.rmSync(path.join(root, 'deploy'), { recursive: true });
    ws.invalidate(path.join(root, 'deploy'));
    assert.equal(ws.torchForceNoWeightsOnly(doc), false);
    fs.rmSync(script);
    ws.invalidate(script);
  });

  it('scans only the document\'s project', () => {
    const dockerfile = write('services/worker/Dockerfile', `FROM python:3.11\nENV ${FLAG} 1\n`);
    try {
      const ws = workspace();
      assert.equal(ws.torchForceNoWeightsOnly(uri('services/worker/worker.py')), true);
      assert.equal(ws.torchForceNoWeightsOnly(uri('services/api/main.py')), false);
    } finally {
      fs.rmSync(dockerfile);
    }
  });

  it('recognizes the usual spellings', () => {
    const yes: [string, string][] = [
      ['Dockerfile', `ENV ${FLAG}=1`],
      ['Dockerfile', `ENV ${FLAG} true`],
      ['Dockerfile', `ENV A=b ${FLAG}="yes" C=d`],
      ['run.sh', `export ${FLAG}=Y`],
      ['run.sh', `${FLAG}=1 python train.py`],
      ['.env', `${FLAG}=TRUE`],
      ['prod.env', `${FLAG}='1'`],
      ['docker-compose.yml', `services:\n  app:\n    environment:\n      - ${FLAG}=1`],
      ['docker-compose.yml', `services:\n  app:\n    environment:\n      ${FLAG}: "1"`],
      ['job.yaml', `env:\n  - value: "true"\n    name: ${FLAG}`],
      ['train.py', `os.environ["${FLAG}"] = "1"`],
      ['train.py', `os.environ.setdefault('${FLAG}', 'true')`],
      ['train.py', `os.putenv("${FLAG}", "1")`],
      ['train.py', `subprocess.run(cmd, env={**os.environ, "${FLAG}": "1"})`],
      ['nb.ipynb', JSON.stringify({ cells: [{ cell_type: 'code', source: [`%env ${FLAG}=1`] }] })],
    ];
    for (const [name, text] of yes) assert.ok(setsTorchForceNoWeightsOnly(name, text), `${name}: ${text}`);
    const no: [string, string][] = [
      ['Dockerfile', `ENV ${FLAG}=0`],
      ['Dockerfile', `# ENV ${FLAG}=1`],
      ['run.sh', `export ${FLAG}=\${${FLAG}:-0}`],
      ['run.sh', `export MY_${FLAG}=1`],
      ['run.sh', `[ "$${FLAG}" = "1" ] && echo forced`],
      ['train.py', `if os.environ.get("${FLAG}") == "1": warn()`],
      ['train.py', `${FLAG} = "1"  # a module constant, not the environment`],
      ['job.yaml', `env:\n  - name: ${FLAG}\n    value: "0"\n  - name: OTHER\n    value: "1"`],
      ['job.yaml', `env:\n  - name: ${FLAG}\n    valueFrom:\n      secretKeyRef: {name: s, key: k}`],
      ['train.py', `x = 1`],
      ['nb.ipynb', JSON.stringify({ cells: [{ cell_type: 'markdown', source: [`os.environ["${FLAG}"] = "1"`] }] })],
    ];
    for (const [name, text] of no) assert.ok(!setsTorchForceNoWeightsOnly(name, text), `${name}: ${text}`);
  });
});

describe('FsWorkspace.projectPythonContains', () => {
  it('searches .py files and notebook code cells, not installed packages', () => {
    const ws = workspace();
    const doc = uri('src/train.py');
    assert.equal(ws.projectPythonContains('weights_only=True', doc), true);
    assert.equal(ws.projectPythonContains('from_pretrained', doc), true, 'notebook code cell');
    assert.equal(ws.projectPythonContains('"org/name"', doc), true, 'JSON-escaped in the notebook file');
    assert.equal(ws.projectPythonContains('marker_only_in_markdown', doc), false);
    assert.equal(ws.projectPythonContains('marker_only_in_outputs', doc), false);
    assert.equal(ws.projectPythonContains('marker_only_in_node_modules', doc), false);
    assert.equal(ws.projectPythonContains('marker_only_in_venv', doc), false);
    assert.equal(ws.projectPythonContains('', doc), false);
  });

  it('follows edits through invalidate and open buffers', () => {
    const file = path.join(root, 'src', 'train.py');
    let buffer: string | undefined;
    const ws = workspace({ readOpenDocument: (p) => (p === file ? buffer : undefined) });
    const doc = uri('src/train.py');
    assert.equal(ws.projectPythonContains('torch.load', doc), true);
    buffer = 'import safetensors\n';
    ws.invalidate(doc);
    assert.equal(ws.projectPythonContains('torch.load', doc), false);
    const added = write('src/extra.py', 'torch.load(path)\n');
    ws.invalidate(added);
    assert.equal(ws.projectPythonContains('torch.load', doc), true);
    fs.rmSync(added);
    ws.invalidate(added);
    assert.equal(ws.projectPythonContains('torch.load', doc), false);
  });

  it('stops walking at the entry limit', () => {
    const ws = workspace({ scanLimits: { maxEntries: 3 } });
    assert.doesNotThrow(() => ws.projectPythonContains('weights_only=True', uri('src/train.py')));
  });
});

describe('FsWorkspace.isDirectory', () => {
  it('resolves relative to the document, then to the roots', () => {
    const ws = workspace();
    const doc = uri('src/train.py');
    assert.equal(ws.isDirectory('checkpoints', doc), true);
    assert.equal(ws.isDirectory('./checkpoints/', doc), true);
    assert.equal(ws.isDirectory('src/checkpoints', doc), true, 'relative to the root');
    assert.equal(ws.isDirectory(path.join(root, 'services'), doc), true, 'absolute');
    assert.equal(ws.isDirectory('train.py', doc), false, 'a file');
    assert.equal(ws.isDirectory('nope', doc), false);
    assert.equal(ws.isDirectory('~', doc), false);
    assert.equal(ws.isDirectory('~/models', doc), false);
    assert.equal(ws.isDirectory('', doc), false);
    assert.equal(ws.isDirectory('a\0b', doc), false);
    assert.equal(ws.isDirectory('services', 'untitled:Untitled-1'), true, 'roots still apply');
  });
});

describe('FsWorkspace.hfCacheCommit', () => {
  it('reads refs and known snapshots', () => {
    const ws = workspace();
    assert.equal(ws.hfCacheCommit('model', 'org/name', 'main'), SHA_MAIN);
    assert.equal(ws.hfCacheCommit('model', 'org/name', ''), SHA_MAIN, 'the default ref is main');
    assert.equal(ws.hfCacheCommit('model', 'org/name', 'v1.0'), SHA_TAG);
    assert.equal(ws.hfCacheCommit('model', 'org/name', 'refs/pr/1'), SHA_TAG);
    assert.equal(ws.hfCacheCommit('model', 'org/name', SHA_TAG), SHA_TAG, 'a commit with a snapshot');
    assert.equal(ws.hfCacheCommit('dataset', 'gpt2', 'main'), SHA_TAG, 'legacy ids without an org');
  });

  it('refuses unknown, malformed and escaping references', () => {
    const ws = workspace();
    assert.equal(ws.hfCacheCommit('model', 'org/name', 'dev'), undefined);
    assert.equal(ws.hfCacheCommit('model', 'org/name', 'broken'), undefined);
    assert.equal(ws.hfCacheCommit('model', 'org/name', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), undefined, 'no such snapshot');
    assert.equal(ws.hfCacheCommit('model', 'org/name', 'escape'), undefined, 'symlink out of the cache');
    assert.equal(ws.hfCacheCommit('model', 'org/name', '../../../outside-ref'), undefined);
    assert.equal(ws.hfCacheCommit('model', '../x', 'main'), undefined);
    assert.equal(ws.hfCacheCommit('model', 'org/name/extra', 'main'), undefined);
    assert.equal(ws.hfCacheCommit('space', 'org/name', 'main'), undefined);
    assert.equal(new FsWorkspace({ roots: [root], env: {} }).hfCacheCommit('model', 'org/name', 'main'), undefined);
  });

  it('finds the cache like huggingface_hub does', () => {
    const hub = path.join(tmp, 'hf', 'hub');
    assert.equal(resolveHfCacheDir({ hfCache: '/explicit', env: { HF_HUB_CACHE: '/a' } }), '/explicit');
    assert.equal(resolveHfCacheDir({ env: { HF_HUB_CACHE: '/a', HF_HOME: '/b' } }), '/a');
    assert.equal(resolveHfCacheDir({ env: { HF_HOME: '/b', HOME: '/home/u' } }), '/b/hub');
    assert.equal(resolveHfCacheDir({ env: { HOME: '/home/u' } }), '/home/u/.cache/huggingface/hub');
    assert.equal(resolveHfCacheDir({ hfCache: '~/hf', env: { HOME: '/home/u' } }), '/home/u/hf');
    assert.equal(resolveHfCacheDir({ env: {} }), undefined);
    const viaHome = new FsWorkspace({ roots: [root], env: { HF_HOME: path.join(tmp, 'hf') } });
    assert.equal(viaHome.hfCacheCommit('model', 'org/name', 'main'), SHA_MAIN);
    const viaHubCache = new FsWorkspace({ roots: [root], env: { HF_HUB_CACHE: hub } });
    assert.equal(viaHubCache.hfCacheCommit('model', 'org/name', 'v1.0'), SHA_TAG);
  });
});
