import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDocument, type AnalyzeContext } from '../../server/src/engine/analyze';
import type { Finding } from '../../server/src/engine/types';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allRules } from '../../server/src/rules/index';
import { emptyWorkspace, type PackageConstraint, type WorkspaceFacts } from '../../server/src/workspace/workspace-facts';

/**
 * What the fixture files cannot express: severities, Dockerfile lines that cannot carry an
 * inline `# expect:` comment (Docker has no trailing comments on ENV), and workspace states.
 */

before(() => initParsers());

function run(uri: string, text: string, workspace: WorkspaceFacts = emptyWorkspace, options: Partial<AnalyzeContext['options']> = {}): Finding[] {
  const ctx: AnalyzeContext = { rules: allRules, workspace, selection: {}, options: { trustedRepos: [], ...options } };
  const result = analyzeDocument({ uri, languageId: '', text }, ctx);
  assert.deepEqual(result.errors, []);
  return result.findings;
}

const only = (findings: Finding[], id: string) => findings.filter((f) => f.ruleId === id);
const lines = (findings: Finding[]) => findings.map((f) => f.range.start.line);

function torchPinned(specifier: string, max?: string, min?: string): WorkspaceFacts {
  const c: PackageConstraint = {
    name: 'torch', specifier, uri: 'file:///p/requirements.txt', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } },
    ...(max ? { max: { version: max, inclusive: true } } : {}),
    ...(min ? { min: { version: min, inclusive: true } } : {}),
  };
  return { ...emptyWorkspace, packageConstraint: (pkg) => (pkg === 'torch' ? c : undefined) };
}

describe('torch-weights-only-disabled in Dockerfiles', () => {
  test('ENV in both forms, several pairs, continuation lines; ARG defaults; RUN export', () => {
    const text = [
      'FROM python:3.11-slim',
      'ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1',
      'ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD true',
      'ENV PYTHONUNBUFFERED=1 \\',
      '    TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="yes"',
      'ARG TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1',
      'RUN export TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 && python convert.py',
      'CMD ["python", "serve.py"]',
    ].join('\n');
    const f = only(run('file:///p/Dockerfile', text), 'torch-weights-only-disabled');
    assert.deepEqual(lines(f), [1, 2, 4, 5, 6]);
    assert.deepEqual(f[2].range, { start: { line: 4, character: 4 }, end: { line: 4, character: 4 + 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'.length } });
    assert.ok(f.every((x) => x.severity === 'error'));
  });

  test('falsy values, the opposite switch, comments and other instructions are not reported', () => {
    const text = [
      'FROM python:3.11-slim',
      '# ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1',
      'ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=0',
      'ENV TORCH_FORCE_WEIGHTS_ONLY_LOAD=1',
      'ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1.5',
      'LABEL note="TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 is not used"',
      'RUN echo "unset TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"',
    ].join('\n');
    assert.deepEqual(only(run('file:///p/Dockerfile', text), 'torch-weights-only-disabled'), []);
  });

  test('a heredoc RUN that patches transformers is reported on the patching line', () => {
    const text = [
      'FROM python:3.11-slim',
      'RUN <<EOF',
      'set -e',
      'F=$(python -c "import transformers.utils.import_utils as m; print(m.__file__)")',
      "sed -i 's/check_torch_load_is_safe()/pass/' \"$F\"",
      'EOF',
      'ENV A=1',
    ].join('\n');
    assert.deepEqual(lines(only(run('file:///p/Dockerfile', text), 'torch-weights-only-disabled')), [4]);
  });

  test('a Dockerfile under another name (language id dockerfile) is checked too', () => {
    const ctx: AnalyzeContext = { rules: allRules, workspace: emptyWorkspace, selection: {}, options: { trustedRepos: [] } };
    const result = analyzeDocument({ uri: 'file:///p/build.docker', languageId: 'dockerfile', text: 'FROM python:3.11\nENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n' }, ctx);
    assert.deepEqual(lines(only(result.findings, 'torch-weights-only-disabled')), [1]);
  });

  test('requirements files are not scanned for the variable', () => {
    assert.deepEqual(only(run('file:///p/requirements.txt', 'torch==2.6.0\n# TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n'), 'torch-weights-only-disabled'), []);
  });
});

describe('torch-load-unsafe severities and torch versions', () => {
  const src = [
    'import torch',
    'a = torch.load(p, weights_only=False)',
    'b = torch.load(p)',
    'c = torch.load(p, pickle_module=dill)',
    'd = torch.hub.load_state_dict_from_url(u)',
    'with torch.serialization.safe_globals([Cfg]):',
    '    e = torch.load(p)',
  ].join('\n');

  test('unknown torch: explicit False is high, the rest medium; safe_globals trusted', () => {
    const f = only(run('file:///p/a.py', src), 'torch-load-unsafe');
    assert.deepEqual(f.map((x) => [x.range.start.line, x.severity]), [[1, 'error'], [2, 'warning'], [3, 'warning'], [4, 'warning']]);
  });

  test('torch >= 2.6: an omitted weights_only is safe, pickle_module and the hub helper are not', () => {
    const f = only(run('file:///p/a.py', src, torchPinned('>=2.6', undefined, '2.6')), 'torch-load-unsafe');
    assert.deepEqual(lines(f), [1, 3, 4]);
  });

  test('torch < 2.6 pinned: even inside safe_globals the default is still False', () => {
    const f = only(run('file:///p/a.py', src, torchPinned('==2.5.1', '2.5.1', '2.5.1')), 'torch-load-unsafe');
    assert.deepEqual(lines(f), [1, 2, 3, 4, 6]);
    assert.match(f[1].message, /torch==2\.5\.1/);
  });

  test('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD in the project overrides torch >= 2.6, also inside safe_globals', () => {
    const ws: WorkspaceFacts = { ...torchPinned('>=2.6', undefined, '2.6'), torchForceNoWeightsOnly: () => true };
    const f = only(run('file:///p/a.py', src, ws), 'torch-load-unsafe');
    assert.deepEqual(lines(f), [1, 2, 3, 4, 6]);
    assert.match(f[1].message, /TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD/);
  });

  test('the torch-version option overrides the workspace', () => {
    assert.deepEqual(lines(only(run('file:///p/a.py', src, emptyWorkspace, { torchVersion: '2.7.0' }), 'torch-load-unsafe')), [1, 3, 4]);
  });

  test('the quick fix inserts weights_only=True', () => {
    const f = only(run('file:///p/a.py', 'import torch\nm = torch.load(p, map_location="cpu")\n'), 'torch-load-unsafe');
    assert.equal(f.length, 1);
    assert.deepEqual(f[0].fixes?.[0].edits, [{ range: { start: { line: 1, character: 36 }, end: { line: 1, character: 36 } }, newText: ', weights_only=True' }]);
  });
});

describe('pickle-load severities', () => {
  test('data from a network response, a request body or a Hub download is high; other loads medium', () => {
    const src = [
      'import pickle',
      'import requests',
      'from flask import request',
      'from huggingface_hub import hf_hub_download',
      'a = pickle.loads(requests.get(url, timeout=5).content)',
      'b = pickle.loads(request.get_data())',
      'c = pickle.load(open(hf_hub_download("org/repo", "x.pkl", revision="0123456789abcdef0123456789abcdef01234567"), "rb"))',
      'd = pickle.load(open("cache.pkl", "rb"))',
      'e = pickle.loads(b"\\x80\\x04N.")',
    ].join('\n');
    const f = only(run('file:///p/a.py', src), 'pickle-load');
    assert.deepEqual(f.map((x) => [x.range.start.line, x.severity]), [[4, 'error'], [5, 'error'], [6, 'error'], [7, 'warning']]);
    assert.match(f[0].message, /network response/);
  });

  test('torch.distributed object collectives are low', () => {
    const f = only(run('file:///p/a.py', 'import torch.distributed as dist\ndist.broadcast_object_list(objs, src=0)\n'), 'pickle-load');
    assert.deepEqual(f.map((x) => x.severity), ['info']);
  });
});
