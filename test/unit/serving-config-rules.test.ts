/**
 * The serving-configuration rules (Triton flags and config.pbtxt, TorchServe, vLLM/TGI/OVMS/llama
 * exposure): severities, exact ranges and quick-fixes that remove their finding in every syntax.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeDocument, type AnalyzeContext } from '../../server/src/engine/analyze';
import { applyEdits, expandSnippet } from '../../server/src/engine/fixes';
import type { Finding } from '../../server/src/engine/types';
import type { Invocation, ServingFacts } from '../../server/src/invocations/types';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { parsePbtxt } from '../../server/src/languages/pbtxt/parser';
import { allRules, ruleById } from '../../server/src/rules/index';
import { checkModelControl } from '../../server/src/rules/serving/triton-model-control-enabled';
import { servingCommand } from '../../server/src/rules/serving/command';
import { emptyWorkspace, type WorkspaceFacts } from '../../server/src/workspace/workspace-facts';
import { TritonRepositoryScan } from '../../server/src/workspace/triton-repository-scan';
import { FsWorkspace } from '../../server/src/workspace/fs-workspace';

before(() => initParsers());

function run(uri: string, text: string, ids?: string[], workspace: WorkspaceFacts = emptyWorkspace): Finding[] {
  const rules = ids ? ids.map((id) => ruleById(id)!) : allRules;
  const ctx: AnalyzeContext = { rules, workspace, selection: {}, options: { trustedRepos: [] } };
  const result = analyzeDocument({ uri, languageId: '', text }, ctx);
  assert.deepEqual(result.errors, []);
  return result.findings;
}

function only(findings: Finding[], id: string): Finding[] {
  return findings.filter((f) => f.ruleId === id);
}

function fixed(text: string, f: Finding): string {
  const fix = f.fixes?.find((x) => x.preferred) ?? f.fixes?.[0];
  assert.ok(fix, `no fix for ${f.ruleId}`);
  return applyEdits(text, fix.edits.map((e) => ({ ...e, newText: expandSnippet(e.newText) })));
}

const SH = 'file:///w/run.sh';
const DOCKERFILE = 'file:///w/Dockerfile';
const COMPOSE = 'file:///w/docker-compose.yml';

describe('serving rules on an Invocation built by hand (no front-end)', () => {
  test('the rules read only the Invocation shape', () => {
    const item = (value: string, line: number, character: number) => ({ value, range: { start: { line, character }, end: { line, character: character + value.length } }, resolved: true, verbatim: true });
    const words = ['tritonserver', '--model-repository=/models', '--model-control-mode', 'explicit'];
    let col = 0;
    const items = words.map((w) => {
      const it = item(w, 0, col);
      col += w.length + 1;
      return it;
    });
    const inv: Invocation = { program: items[0], args: items.slice(1), env: [], context: { source: 'shell' } };
    const cmd = servingCommand(inv);
    assert.equal(cmd?.program, 'tritonserver');
    assert.equal(cmd?.flag('model-control-mode')?.value, 'explicit');
    const facts: ServingFacts = { fileKind: 'shell', invocations: [inv], environments: [] };
    const [f] = checkModelControl(facts, { uri: SH, text: words.join(' '), workspace: emptyWorkspace, options: { trustedRepos: [] } });
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, { start: { line: 0, character: 61 }, end: { line: 0, character: 69 } });
  });
});

describe('triton-model-control-enabled', () => {
  const id = ['triton-model-control-enabled'];
  test('severity follows the restrictions and the protocols', () => {
    const open = only(run(SH, 'tritonserver --model-repository=/m --model-control-mode=explicit\n', id), id[0]);
    assert.equal(open[0].severity, 'error');
    assert.match(open[0].message, /critical/);
    const local = only(run(SH, 'tritonserver --model-repository=/m --model-control-mode=poll --http-address=127.0.0.1 --grpc-address=127.0.0.1\n', id), id[0]);
    assert.equal(local[0].severity, 'error');
    assert.doesNotMatch(local[0].message, /critical/);
    const restricted = only(run(SH, 'tritonserver --model-control-mode=explicit --http-restricted-api=model-repository:k=${K} --allow-grpc=false\n', id), id[0]);
    assert.equal(restricted[0].severity, 'warning');
    assert.deepEqual(run(SH, 'tritonserver --model-control-mode=explicit --allow-http=false --allow-grpc=false\n', id), []);
    assert.deepEqual(run(SH, 'tritonserver --model-control-mode=none\n', id), []);
    const spaced = only(run(SH, 'tritonserver --model-control-mode explicit\n', id), id[0]);
    assert.deepEqual(spaced[0].range, { start: { line: 0, character: 34 }, end: { line: 0, character: 42 } });
  });

  test('the fix sets the mode to none in every syntax, and the finding goes away', () => {
    for (const [uri, text] of [
      [SH, 'tritonserver --model-repository=/m --model-control-mode=explicit\n'],
      [SH, 'bash -c "tritonserver --model-control-mode=poll --model-repository=/m"\n'],
      [DOCKERFILE, 'FROM nvcr.io/nvidia/tritonserver:24.08-py3\nCMD ["tritonserver", "--model-control-mode", "explicit"]\n'],
      [COMPOSE, 'services:\n  t:\n    image: nvcr.io/nvidia/tritonserver:24.08-py3\n    command: ["tritonserver", "--model-control-mode=explicit"]\n'],
    ] as const) {
      const [f] = only(run(uri, text, id), id[0]);
      assert.ok(f, text);
      const after = fixed(text, f);
      assert.match(after, /none/);
      assert.deepEqual(only(run(uri, after, id), id[0]), [], after);
    }
  });
});

describe('triton-metrics-exposed', () => {
  const id = ['triton-metrics-exposed'];
  test('the inserted --metrics-address keeps JSON arrays, YAML lists and shell lines valid', () => {
    for (const text of [
      'services:\n  t:\n    image: nvcr.io/nvidia/tritonserver:24.08-py3\n    command: ["tritonserver", "--model-repository=/models"]\n    ports: ["8002:8002"]\n',
      'services:\n  t:\n    image: nvcr.io/nvidia/tritonserver:24.08-py3\n    command:\n      - tritonserver\n      - --model-repository=/models\n    ports:\n      - "8002:8002"\n',
      'services:\n  t:\n    image: nvcr.io/nvidia/tritonserver:24.08-py3\n    command: tritonserver --model-repository=/models\n    ports:\n      - "8002:8002"\n',
    ]) {
      const [f] = only(run(COMPOSE, text, id), id[0]);
      assert.ok(f, text);
      assert.equal(f.severity, 'info');
      const after = fixed(text, f);
      assert.match(after, /--metrics-address=127\.0\.0\.1/);
      assert.deepEqual(only(run(COMPOSE, after, id), id[0]), [], after);
      assert.equal(run(COMPOSE, after, ['triton-admin-api-unrestricted']).length, run(COMPOSE, text, ['triton-admin-api-unrestricted']).length);
    }
  });
});

describe('triton-restricted-api-invalid and triton-admin-api-unrestricted', () => {
  test('an unknown category is reported on exactly that category', () => {
    const text = 'tritonserver --http-restricted-api=model-repository,loging:k=${KEY} --http-address=127.0.0.1\n';
    const [f] = only(run(SH, text, ['triton-restricted-api-invalid']), 'triton-restricted-api-invalid');
    assert.equal(text.slice(f.range.start.character, f.range.end.character), 'loging');
  });

  test('the admin fix appends the missing categories to the existing group', () => {
    const text = 'tritonserver --model-repository=/m --http-restricted-api=model-repository:k=${KEY} --allow-grpc=false\n';
    const [f] = only(run(SH, text, ['triton-admin-api-unrestricted']), 'triton-admin-api-unrestricted');
    const after = fixed(text, f);
    assert.match(after, /--http-restricted-api=model-repository,logging,trace,shared-memory:k=\$\{KEY\}/);
    assert.deepEqual(run(SH, after, ['triton-admin-api-unrestricted', 'triton-restricted-api-invalid']), []);
  });
});

describe('TorchServe rules', () => {
  const props = (text: string) => run('file:///w/config.properties', text, ['torchserve-model-api-enabled', 'torchserve-bind-all', 'torchserve-token-auth-disabled', 'serving-dangerous-env']);

  test('model API: critical with the default allowed_urls or a management API on all interfaces', () => {
    const [open] = only(props('enable_model_api=true\n'), 'torchserve-model-api-enabled');
    assert.match(open.message, /Critical here: allowed_urls is not set/);
    const [mgmt] = only(props('management_address=http://0.0.0.0:8081\nenable_model_api=true\nallowed_urls=https://b\\.example\\.com/.*\n'), 'torchserve-model-api-enabled');
    assert.match(mgmt.message, /Critical here: the management API listens on all interfaces/);
    const [strict] = only(props('management_address=http://127.0.0.1:8081\nenable_model_api=true\nallowed_urls=https://b\\.example\\.com/.*\n'), 'torchserve-model-api-enabled');
    assert.doesNotMatch(strict.message, /Critical/);
    const [wild] = only(props('enable_model_api=true\nallowed_urls=https://.*\\.amazonaws\\.com/.*\n'), 'torchserve-model-api-enabled');
    assert.match(wild.message, /Critical/);
  });

  test('bind-all points at the host and the fix binds 127.0.0.1', () => {
    const text = 'inference_address=https://0.0.0.0:8443\nmanagement_address = http://[::]:8081\ngrpc_management_address=0.0.0.0\n';
    const found = only(props(text), 'torchserve-bind-all');
    assert.deepEqual(found.map((f) => [f.range.start.line, text.split('\n')[f.range.start.line].slice(f.range.start.character, f.range.end.character), f.severity]), [[0, '0.0.0.0', 'warning'], [1, '[::]', 'error'], [2, '0.0.0.0', 'error']]);
    let after = text;
    for (const f of only(props(after), 'torchserve-bind-all').reverse()) after = fixed(after, f);
    assert.deepEqual(only(props(after), 'torchserve-bind-all'), []);
  });

  test('token auth: the value that takes effect, and the fix flips it', () => {
    assert.deepEqual(only(props('disable_token_authorization=true\ndisable_token_authorization=false\n'), 'torchserve-token-auth-disabled'), []);
    const [f] = only(props('disable_token_authorization=true\n'), 'torchserve-token-auth-disabled');
    assert.equal(fixed('disable_token_authorization=true\n', f), 'disable_token_authorization=false\n');
  });

  test('a ConfigMap holding config.properties is checked at the exact YAML position', () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ts\ndata:\n  config.properties: |\n    inference_address=http://0.0.0.0:8080\n    enable_model_api=true\n';
    const found = run('file:///w/ts-config.yaml', yaml, ['torchserve-bind-all', 'torchserve-model-api-enabled']);
    assert.deepEqual(found.map((f) => [f.ruleId, f.range.start.line, f.range.start.character, f.range.end.character]), [['torchserve-bind-all', 6, 29, 36], ['torchserve-model-api-enabled', 7, 21, 25]]);
  });
});

describe('serving-trust-remote-code and serving-exposed-without-auth', () => {
  test('vLLM: pinned revisions lower the severity; the fix inserts placeholders', () => {
    const id = ['serving-trust-remote-code'];
    const [open] = run(SH, 'vllm serve org/m --trust-remote-code\n', id);
    assert.equal(open.severity, 'error');
    const fix = open.fixes![0];
    assert.ok(fix.snippet && !fix.safe);
    assert.match(fixed('vllm serve org/m --trust-remote-code\n', open), /--revision REVIEWED_COMMIT_SHA --code-revision REVIEWED_COMMIT_SHA\n/);
    const sha = 'a'.repeat(40);
    const [pinned] = run(SH, `vllm serve org/m --trust-remote-code --revision ${sha} --code-revision ${sha}\n`, id);
    assert.equal(pinned.severity, 'warning');
    assert.deepEqual(run(SH, 'vllm serve org/m --trust-remote-code --no-trust-remote-code\n', id), []);
  });

  test('vLLM on all interfaces: the fix adds --host 127.0.0.1 and the finding goes away', () => {
    const id = ['serving-exposed-without-auth'];
    for (const text of ['vllm serve org/m --port 8000\n', 'vllm serve org/m --host 0.0.0.0\n', 'python3 -m vllm.entrypoints.openai.api_server --model org/m\n']) {
      const [f] = run(SH, text, id);
      assert.equal(f.severity, 'warning', text);
      const after = fixed(text, f);
      assert.deepEqual(run(SH, after, id), [], after);
    }
  });
});

describe('triton config rules with workspace facts', () => {
  const config = 'name: "m"\nbackend: "python"\n';

  test('triton-python-backend: Info alone, Warning when the repository is loaded at run time or writable', () => {
    const id = ['triton-python-backend'];
    assert.equal(run('file:///r/m/config.pbtxt', config, id)[0].severity, 'info');
    const dynamic: WorkspaceFacts = { ...emptyWorkspace, tritonRepositoryUses: () => [{ file: '/w/Makefile', line: 3, mode: 'explicit' }] };
    const [f] = run('file:///r/m/config.pbtxt', config, id, dynamic);
    assert.equal(f.severity, 'warning');
    assert.equal(f.related?.[0].uri, pathToFileURL('/w/Makefile').href);
    const writable: WorkspaceFacts = { ...emptyWorkspace, tritonRepositoryUses: () => [{ file: '/w/c.yml', line: 1, writableMount: { file: '/w/c.yml', line: 7 } }] };
    assert.equal(run('file:///r/m/config.pbtxt', config, id, writable)[0].severity, 'warning');
  });

  test('triton-unbounded-queue: the skeleton is indented like the block, inline blocks stay inline', () => {
    const id = ['triton-unbounded-queue'];
    const multi = 'dynamic_batching {\n    preferred_batch_size: [ 4 ]\n}\n';
    const [f] = run('file:///r/m/config.pbtxt', multi, id);
    assert.equal(fixed(multi, f), 'dynamic_batching {\n    preferred_batch_size: [ 4 ]\n    default_queue_policy {\n        max_queue_size: 128\n    }\n}\n');
    const inline = 'dynamic_batching { }\n';
    assert.equal(fixed(inline, run('file:///r/m/config.pbtxt', inline, id)[0]), 'dynamic_batching { default_queue_policy { max_queue_size: 128 } }\n');
    const partial = 'dynamic_batching {\n  default_queue_policy {\n    timeout_action: REJECT\n  }\n}\n';
    const after = fixed(partial, run('file:///r/m/config.pbtxt', partial, id)[0]);
    assert.equal(after, 'dynamic_batching {\n  default_queue_policy {\n    timeout_action: REJECT\n    max_queue_size: 128\n  }\n}\n');
    for (const t of [fixed(multi, f), after]) {
      assert.deepEqual(parsePbtxt(t).problems, []);
      assert.deepEqual(run('file:///r/m/config.pbtxt', t, id), []);
    }
  });
});

describe('workspace scan of tritonserver commands', () => {
  test('bind mounts, COPY and relative paths map a container repository to the workspace folder', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-triton-'));
    try {
      fs.mkdirSync(path.join(root, 'repo', 'm'), { recursive: true });
      fs.writeFileSync(path.join(root, 'repo', 'm', 'config.pbtxt'), 'backend: "python"\n');
      fs.writeFileSync(path.join(root, 'docker-compose.yml'), 'services:\n  t:\n    command: ["tritonserver", "--model-repository", "/models", "--model-control-mode", "poll"]\n    volumes:\n      - ./repo:/models\n');
      fs.writeFileSync(path.join(root, 'Dockerfile'), 'FROM x\nCOPY repo /srv/models\nCMD ["tritonserver", "--model-repository=/srv/models"]\n');
      const scan = new TritonRepositoryScan(root, (f) => fs.readFileSync(f, 'utf8'), { maxEntries: 1000, maxFileBytes: 1 << 20, maxDepth: 4 });
      const uses = scan.usesOf(path.join(root, 'repo'));
      assert.deepEqual(uses.map((u) => [path.basename(u.file), u.mode ?? 'none', !!u.writableMount]).sort(), [['Dockerfile', 'none', false], ['docker-compose.yml', 'poll', true]]);
      assert.deepEqual(scan.usesOf(path.join(root, 'other')), []);
      const ws = new FsWorkspace({ roots: [root], env: {} });
      const configUri = pathToFileURL(path.join(root, 'repo', 'm', 'config.pbtxt')).href;
      assert.equal(ws.tritonRepositoryUses(configUri).length, 2);
      const [f] = run(configUri, 'backend: "python"\n', ['triton-python-backend'], ws);
      assert.equal(f.severity, 'warning');
      // A read-only mount and no dynamic loading: the escalation goes away after invalidation.
      fs.writeFileSync(path.join(root, 'docker-compose.yml'), 'services:\n  t:\n    command: ["tritonserver", "--model-repository", "/models"]\n    volumes:\n      - ./repo:/models:ro\n');
      ws.invalidate(path.join(root, 'docker-compose.yml'));
      assert.equal(run(configUri, 'backend: "python"\n', ['triton-python-backend'], ws)[0].severity, 'info');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
