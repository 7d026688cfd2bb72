import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { analyzeDocument, type AnalyzeContext } from '../../server/src/engine/analyze';
import { applyEdits, expandSnippet, preferredFix } from '../../server/src/engine/fixes';
import type { Finding } from '../../server/src/engine/types';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allRules } from '../../server/src/rules/index';
import { emptyWorkspace, type WorkspaceFacts } from '../../server/src/workspace/workspace-facts';

/**
 * What the fixture files cannot express for the Dockerfile, Kubernetes and command-line rules:
 * severities, the exact text of fixes (YAML indentation, where a USER goes), cache-backed pins,
 * and that messages never contain the secret.
 */

before(() => initParsers());

function run(name: string, text: string, workspace: WorkspaceFacts = emptyWorkspace): Finding[] {
  const ctx: AnalyzeContext = { rules: allRules, workspace, selection: {}, options: { trustedRepos: [] } };
  const result = analyzeDocument({ uri: `file:///p/${name}`, languageId: '', text }, ctx);
  assert.deepEqual(result.errors, []);
  return result.findings;
}

const only = (findings: Finding[], id: string) => findings.filter((f) => f.ruleId === id);

function fixed(text: string, f: Finding): string {
  const fix = preferredFix(f);
  assert.ok(fix, `${f.ruleId} has a fix`);
  return applyEdits(text, fix.edits.map((e) => ({ ...e, newText: expandSnippet(e.newText) })));
}

function yamlErrors(text: string): string[] {
  return parseAllDocuments(text).flatMap((d) => ('errors' in d ? d.errors.map((e) => e.message) : []));
}

describe('docker-base-image-unpinned', () => {
  test('severities: untagged or latest Warning, serving image Warning, other tags Info', () => {
    const sev = (from: string) => only(run('Dockerfile', `FROM ${from}\nUSER 1000\n`), 'docker-base-image-unpinned').map((f) => f.severity)[0];
    assert.equal(sev('ubuntu'), 'warning');
    assert.equal(sev('python:latest'), 'warning');
    assert.equal(sev('python:3.11-slim'), 'info');
    assert.equal(sev('nvcr.io/nvidia/tritonserver:24.08-py3'), 'warning');
    assert.equal(sev('localhost:5000/team/app:1.2'), 'info');
    assert.equal(sev('python:3.11-slim@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e'), undefined);
    assert.equal(sev('python@sha256:abc'), 'warning', 'a malformed digest is not a pin');
  });

  test('the digest goes into the ARG default the image comes from', () => {
    const text = 'ARG V=24.08\nARG BASE=nvcr.io/nvidia/tritonserver:${V}-py3\nFROM ${BASE}\nUSER triton-server\n';
    const [f] = only(run('Dockerfile', text), 'docker-base-image-unpinned');
    assert.deepEqual(f.range, { start: { line: 2, character: 5 }, end: { line: 2, character: 12 } });
    assert.equal(f.related?.[0].range.start.line, 1);
    assert.equal(fixed(text, f).split('\n')[1], 'ARG BASE=nvcr.io/nvidia/tritonserver:${V}-py3@sha256:<64-hex digest>');
    assert.equal(preferredFix(f)?.snippet, true);
  });
});

describe('docker-runs-as-root', () => {
  test('USER goes right before CMD; Triton images get triton-server', () => {
    const text = 'FROM nvcr.io/nvidia/tritonserver:24.08-py3\nCOPY models /models\nCMD ["tritonserver", "--model-repository=/models"]\n';
    const [f] = only(run('Dockerfile', text), 'docker-runs-as-root');
    assert.equal(f.range.start.line, 0);
    assert.equal(fixed(text, f), 'FROM nvcr.io/nvidia/tritonserver:24.08-py3\nCOPY models /models\nUSER triton-server\nCMD ["tritonserver", "--model-repository=/models"]\n');
  });

  test('USER 0:0 as the last USER; a later non-root USER resets it; builder stages do not count', () => {
    assert.equal(only(run('Dockerfile', 'FROM python:3.11\nUSER 0:0\nRUN id\n'), 'docker-runs-as-root')[0]?.range.start.line, 1);
    assert.deepEqual(only(run('Dockerfile', 'FROM python:3.11\nUSER root\nRUN apt-get update\nUSER app\n'), 'docker-runs-as-root'), []);
    assert.deepEqual(only(run('Dockerfile', 'FROM python:3.11 AS b\nUSER root\nFROM gcr.io/distroless/python3-debian12:nonroot\nCOPY --from=b /x /x\n'), 'docker-runs-as-root'), []);
    const text = 'FROM python:3.11\nUSER root\nRUN id\n';
    const f = only(run('Dockerfile', text), 'docker-runs-as-root')[0];
    assert.equal(fixed(text, f), 'FROM python:3.11\nUSER root\nRUN id\nUSER 1000:1000\n', 'no CMD: after the last instruction');
  });
});

describe('docker-unverified-download', () => {
  test('severities: pipe to shell Error, model download Warning, unpinned package Info', () => {
    const text = [
      'FROM python:3.11@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e',
      'RUN wget -qO- https://get.example.org/install.sh | bash -s -- --yes',
      'RUN curl -L https://example.org/w/model.safetensors?download=true -o /m/model.safetensors',
      'RUN pip install "transformers>=4.40"',
      'USER 1000',
    ].join('\n');
    assert.deepEqual(only(run('Dockerfile', text), 'docker-unverified-download').map((f) => [f.range.start.line, f.severity]), [[1, 'error'], [2, 'warning'], [3, 'info']]);
  });

  test('ADD --checksum fix inserts the flag after ADD', () => {
    const text = 'FROM scratch\nADD https://example.org/model.onnx /model.onnx\n';
    const [f] = only(run('Dockerfile', text), 'docker-unverified-download');
    assert.equal(fixed(text, f).split('\n')[1], 'ADD --checksum=sha256:<64-hex sha256> https://example.org/model.onnx /model.onnx');
  });
});

describe('secret-in-config', () => {
  test('messages never contain the secret', () => {
    const token = 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    const texts: [string, string][] = [
      ['Dockerfile', `FROM scratch\nENV HF_TOKEN=${token}\nCMD ["/srv", "--api-key", "${token}"]\n`],
      ['run.sh', `export HUGGING_FACE_HUB_TOKEN="${token}"\nllama-server --api-key=${token}\n`],
      ['pod.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n    - name: x\n      image: x@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e\n      env: [{name: HF_TOKEN, value: ${token}}]\n`],
    ];
    for (const [name, text] of texts) {
      const found = only(run(name, text), 'secret-in-config');
      assert.ok(found.length >= 1, name);
      for (const f of found) assert.ok(!f.message.includes(token) && !f.message.includes(token.slice(3, 20)), `${name}: ${f.message}`);
    }
  });
});

describe('hf-cli-unpinned-download', () => {
  test('the commit the local cache resolves main to is inserted (not a snippet)', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const ws: WorkspaceFacts = { ...emptyWorkspace, hfCacheCommit: (type, repo, ref) => (type === 'model' && repo === 'org/model' && ref === 'main' ? sha : undefined) };
    const text = 'hf download org/model --local-dir /m\n';
    const [f] = only(run('get.sh', text, ws), 'hf-cli-unpinned-download');
    assert.equal(preferredFix(f)?.snippet, undefined);
    assert.equal(fixed(text, f), `hf download org/model --revision ${sha} --local-dir /m\n`);
    assert.deepEqual(only(run('get.sh', fixed(text, f), ws), 'hf-cli-unpinned-download'), []);
  });

  test('in a YAML block sequence and a JSON exec form the argument is inserted in that syntax', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n    - name: x\n      image: x@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e\n      securityContext: {runAsNonRoot: true}\n      command:\n        - huggingface-cli\n        - download\n        - org/model\n';
    const [f] = only(run('pod.yaml', yaml), 'hf-cli-unpinned-download');
    const out = fixed(yaml, f);
    assert.match(out, /\n {8}- org\/model\n {8}- --revision\n {8}- "?<40-hex commit>"?\n?$/);
    assert.deepEqual(yamlErrors(out), []);
    const docker = 'FROM scratch\nRUN ["hf", "download", "org/model"]\n';
    assert.equal(fixed(docker, only(run('Dockerfile', docker), 'hf-cli-unpinned-download')[0]).split('\n')[1], 'RUN ["hf", "download", "org/model", "--revision", "<40-hex commit>"]');
  });
});

describe('k8s-model-volume-writable fixes keep the YAML valid', () => {
  const pod = (mount: string) => [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: triton}',
    'spec:',
    '  securityContext: {runAsNonRoot: true}',
    '  containers:',
    '    - name: triton',
    '      image: nvcr.io/nvidia/tritonserver:24.08-py3@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e',
    '      args: [tritonserver, --model-repository=/models, --http-address=127.0.0.1, --grpc-address=127.0.0.1, --metrics-address=127.0.0.1]',
    '      volumeMounts:',
    mount,
    '  volumes:',
    '    - {name: models, persistentVolumeClaim: {claimName: models}}',
    '',
  ].join('\n');

  for (const [label, mount, expected] of [
    ['block mapping', '        - name: models\n          mountPath: /models  # the repository', '        - name: models\n          mountPath: /models  # the repository\n          readOnly: true'],
    ['flow mapping', '        - {name: models, mountPath: /models}', '        - {name: models, mountPath: /models, readOnly: true}'],
    ['readOnly: false', '        - name: models\n          readOnly: false\n          mountPath: /models', '        - name: models\n          readOnly: true\n          mountPath: /models'],
  ] as const) {
    test(label, () => {
      const text = pod(mount);
      const [f] = only(run('pod.yaml', text), 'k8s-model-volume-writable');
      assert.equal(f.severity, 'warning');
      const out = fixed(text, f);
      assert.ok(out.includes(expected), out);
      assert.deepEqual(yamlErrors(out), []);
      assert.deepEqual(only(run('pod.yaml', out), 'k8s-model-volume-writable'), []);
    });
  }

  test('compose short syntax: `:ro` appended, `:rw` turned into `:ro`', () => {
    for (const [volume, expected] of [['./models:/models', './models:/models:ro'], ['"./models:/models:rw"', '"./models:/models:ro"'], ['./models:/models:z', './models:/models:z,ro']]) {
      const text = `services:\n  triton:\n    image: nvcr.io/nvidia/tritonserver:24.08-py3@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e\n    command: [tritonserver, --model-repository=/models, --model-control-mode=poll]\n    volumes:\n      - ${volume}\n`;
      const [f] = only(run('docker-compose.yml', text), 'k8s-model-volume-writable');
      assert.equal(f.severity, 'error', 'poll mode');
      assert.equal(fixed(text, f).split('\n')[5], `      - ${expected}`);
    }
  });
});

describe('k8s-runs-as-root fixes', () => {
  test('a securityContext is added with the container\'s indentation, or completed', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n    - name: app\n      image: x@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e\n    - name: side\n      image: y@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e\n      securityContext:\n        privileged: false\n';
    const found = only(run('pod.yaml', text), 'k8s-runs-as-root');
    assert.equal(found.length, 2);
    const first = fixed(text, found[0]);
    assert.ok(first.includes('      image: x@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 1000\n'), first);
    const second = fixed(text, found[1]);
    assert.ok(second.endsWith('        privileged: false\n        runAsNonRoot: true\n        runAsUser: 1000\n'), second);
    for (const out of [first, second]) assert.deepEqual(yamlErrors(out), []);
  });
});

describe('smaller cases', () => {
  test('hf:// URIs in a command need @<commit>', () => {
    const text = 'python -m lerobot.train --dataset hf://datasets/lerobot/pusht --policy hf://org/policy@0123456789abcdef0123456789abcdef01234567\n';
    const found = only(run('train.sh', text), 'hf-cli-unpinned-download');
    assert.deepEqual(found.map((f) => f.range.start.character), [34]);
    assert.match(found[0].message, /dataset `lerobot\/pusht`/);
  });

  test('COPY --from=<image> without a registry or tag is an image, not a stage', () => {
    const digest = '@sha256:3c8e5f7a9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e';
    const text = `FROM python:3.11${digest} AS base\nFROM python:3.11${digest}\nCOPY --from=base /a /a\nCOPY --from=alpine /bin/busybox /bin/\nCOPY --from=0 /b /b\nUSER 1000\n`;
    assert.deepEqual(only(run('Dockerfile', text), 'docker-base-image-unpinned').map((f) => [f.range.start.line, f.severity]), [[3, 'warning']]);
  });

  test('a compose image given as ${VAR:-default} gets the digest inside the default', () => {
    const text = 'services:\n  triton:\n    image: ${TRITON_IMAGE:-nvcr.io/nvidia/tritonserver:24.08-py3}\n    user: "1000"\n';
    const [f] = only(run('docker-compose.yml', text), 'k8s-image-unpinned');
    assert.equal(fixed(text, f).split('\n')[2], '    image: ${TRITON_IMAGE:-nvcr.io/nvidia/tritonserver:24.08-py3@sha256:<64-hex digest>}');
  });
});
