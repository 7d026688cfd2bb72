import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { fileUri, LspTestClient } from '../helpers/lsp-client';
import { makeTree, removeTree } from '../helpers/temp-tree';

const RISKY = 'import torch\ntorch.load("x.pt")\n';
const RULE = 'torch-load-unsafe';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

const rules = (ds: Diagnostic[]) => ds.map((d) => d.code);

/** Opens `rel` in `dir` and resolves with its first diagnostics. */
async function openAndWait(client: LspTestClient, dir: string, rel: string, text = RISKY, languageId = 'python'): Promise<Diagnostic[]> {
  const uri = fileUri(path.join(dir, rel));
  await client.open(uri, text, languageId);
  return (await client.waitForDiagnostics(uri, (p) => p.version === 1)).diagnostics;
}

describe('team configuration in the language server', () => {
  let dir: string;
  let client: LspTestClient;

  before(async () => {
    dir = makeTree({
      'modellint.toml': 'ignore = ["torch-load-unsafe"]\n',
      'app/a.py': RISKY,
      // nested: the nearest file wins entirely (no merging with the root file)
      'nested/modellint.toml': 'select = ["python"]\n[severity]\ntorch-load-unsafe = "error"\n',
      'nested/deep/b.py': RISKY,
      // pyproject.toml and modellint.toml in one folder: modellint.toml wins
      'both/pyproject.toml': '[project]\nname = "svc"\n\n[tool.modellint]\nignore = ["python"]\n',
      'both/modellint.toml': 'extend-exclude = ["generated"]\n',
      'both/c.py': RISKY,
      'both/generated/gen.py': RISKY,
      // pyproject alone
      'pyonly/pyproject.toml': '[tool.modellint]\nseverity = { torch-load-unsafe = "info" }\n',
      'pyonly/d.py': RISKY,
      // hf-cache and trusted-repos
      'hf/modellint.toml': 'hf-cache = "cache"\ntrusted-repos = ["acme-internal/*"]\n',
      'hf/cache/models--acme--backbone/refs/main': `${COMMIT}\n`,
      'hf/cache/models--acme--backbone/snapshots/.keep': '',
    });
    client = LspTestClient.start({ workspaceFolder: dir });
    await client.initialize();
  });
  after(() => {
    client.kill();
    removeTree(dir);
  });

  it('a modellint.toml ignore applies; editing the open config buffer brings the diagnostics back without a restart', async () => {
    const uri = fileUri(path.join(dir, 'app/a.py'));
    assert.deepEqual(await openAndWait(client, dir, 'app/a.py'), [], 'ignored by modellint.toml');

    const cfg = fileUri(path.join(dir, 'modellint.toml'));
    await client.open(cfg, 'ignore = ["torch-load-unsafe"]\n', 'toml');
    const back = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 1);
    const t0 = performance.now();
    await client.change(cfg, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: 'ignore = []\n' }]);
    assert.deepEqual(rules((await back).diagnostics), [RULE]);
    console.log(`  config buffer edit → re-analysis of an open document: ${(performance.now() - t0).toFixed(0)} ms (incl. 200 ms debounce)`);

    // Closing the unsaved buffer: the file on disk applies again.
    const gone = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 0);
    await client.close(cfg);
    await gone;
  });

  it('a config file changed on disk (watched-file event) re-analyzes open documents', async () => {
    const uri = fileUri(path.join(dir, 'app/a.py'));
    const file = path.join(dir, 'modellint.toml');
    fs.writeFileSync(file, 'ignore = ["pickle-load"]\n');
    const back = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 1);
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(file), type: 2 }] });
    await back;
    fs.writeFileSync(file, 'ignore = ["torch-load-unsafe"]\n');
    const gone = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 0);
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(file), type: 2 }] });
    await gone;
  });

  it('an invalid config gets invalid-config diagnostics with exact ranges, and its valid remainder still applies', async () => {
    const cfg = fileUri(path.join(dir, 'modellint.toml'));
    const text = 'ignore = ["torch-load-unsafe", "torch-lod-unsafe"]\nbogus = 1\ntorch-version = 26\n[severity]\npickle-load = "fatal"\n';
    await client.open(cfg, text, 'toml');
    const diags = (await client.waitForDiagnostics(cfg, (p) => p.version === 1)).diagnostics;
    assert.deepEqual(
      diags.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]),
      [
        ['invalid-config', 0, 31, 0, 49],
        ['invalid-config', 1, 0, 1, 5],
        ['invalid-config', 2, 0, 2, 13],
        ['invalid-config', 4, 0, 4, 11],
      ],
    );
    assert.match(String(diags[0].message), /did you mean "torch-load-unsafe"/);
    // The valid part (ignore torch-load-unsafe) still applies to the open Python file.
    const uri = fileUri(path.join(dir, 'app/a.py'));
    await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
    await client.close(cfg);
  });

  it('nested configs: the nearest file applies, without merging the root file', async () => {
    const diags = await openAndWait(client, dir, 'nested/deep/b.py');
    assert.deepEqual(rules(diags), [RULE], 'the root ignore does not reach into nested/');
    assert.equal(diags[0].severity, 1, 'severity "error" from nested/modellint.toml');
  });

  it('pyproject.toml [tool.modellint] vs modellint.toml in one folder: modellint.toml wins; exclude applies', async () => {
    assert.deepEqual(rules(await openAndWait(client, dir, 'both/c.py')), [RULE], 'the pyproject ignore of "python" is not used');
    assert.deepEqual(await openAndWait(client, dir, 'both/generated/gen.py'), [], 'excluded by extend-exclude');
    const pyonly = await openAndWait(client, dir, 'pyonly/d.py');
    assert.deepEqual(rules(pyonly), [RULE]);
    assert.equal(pyonly[0].severity, 3, 'severity "info" from [tool.modellint]');
  });

  it('hf-cache pins to the commit of the configured cache; trusted-repos are not reported', async () => {
    const text = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme/backbone")\nn = AutoModel.from_pretrained("acme-internal/tiny")\n';
    const diags = await openAndWait(client, dir, 'hf/train.py', text);
    assert.deepEqual(diags.map((d) => [d.code, d.range.start.line]), [['hf-unpinned-revision', 1]]);
    const actions = (await client.codeActions(fileUri(path.join(dir, 'hf/train.py')), diags[0].range, diags)) as CodeAction[];
    const pin = actions.find((a) => a.isPreferred);
    assert.match(pin!.title, /Pin revision to 0123456789ab… \(from the local Hugging Face cache\)/);
  });

  it('exits with 0 after shutdown + exit', async () => {
    assert.equal(await client.shutdownAndExit(), 0);
  });
});

describe('untrusted workspace: path settings are ignored', () => {
  it('does not use hf-cache from the config file', async () => {
    const dir = makeTree({
      'modellint.toml': 'hf-cache = "cache"\n',
      'cache/models--acme--backbone/refs/main': `${COMMIT}\n`,
    });
    const client = LspTestClient.start({ workspaceFolder: dir, initializationOptions: { clientName: 'test', isTrusted: false } });
    try {
      await client.initialize();
      const diags = await openAndWait(client, dir, 'train.py', 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme/backbone")\n');
      const pin = (await client.codeActions(fileUri(path.join(dir, 'train.py')), diags[0].range, diags)).find((a) => a.isPreferred);
      assert.equal(pin!.title, 'ModelLint (hf-unpinned-revision): Pin revision to a commit (fill in the hash)');
      assert.equal(await client.shutdownAndExit(), 0);
    } finally {
      client.kill();
      removeTree(dir);
    }
  });
});

describe('multi-root workspace', () => {
  it('resolves configuration and editor settings per folder', async () => {
    const a = makeTree({ 'modellint.toml': 'ignore = ["torch-load-unsafe"]\n' }, 'modellint-root-a-');
    const b = makeTree({ 'modellint.toml': '[severity]\ntorch-load-unsafe = "error"\n' }, 'modellint-root-b-');
    const c = makeTree({}, 'modellint-root-c-');
    // Folder c turns the rule off in its editor settings (a folder-scoped setting).
    const client = LspTestClient.start({
      workspaceFolders: [a, b, c],
      configuration: (scopeUri) => (scopeUri?.startsWith(fileUri(c)) ? { severity: { [RULE]: 'off' } } : {}),
    });
    try {
      await client.initialize();
      assert.deepEqual(await openAndWait(client, a, 'x.py'), []);
      const inB = await openAndWait(client, b, 'x.py');
      assert.deepEqual(rules(inB), [RULE]);
      assert.equal(inB[0].severity, 1);
      assert.deepEqual(await openAndWait(client, c, 'x.py'), []);
      assert.equal(await client.shutdownAndExit(), 0);
    } finally {
      client.kill();
      for (const d of [a, b, c]) removeTree(d);
    }
  });
});

describe('modellint.configurationPreference', () => {
  let dir: string;
  let client: LspTestClient;
  let editor: Record<string, unknown> = {};

  before(async () => {
    dir = makeTree({ 'modellint.toml': 'ignore = ["pickle-load"]\n[severity]\ntorch-load-unsafe = "error"\n' });
    client = LspTestClient.start({ workspaceFolder: dir, configuration: () => editor });
    await client.initialize();
  });
  after(() => {
    client.kill();
    removeTree(dir);
  });

  async function severityAfter(settings: Record<string, unknown>): Promise<number | undefined> {
    editor = settings;
    const uri = fileUri(path.join(dir, 'a.py'));
    const before = client.latest(uri);
    const next = client.nextDiagnostics(uri, () => true);
    if (before) await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    else await client.open(uri, RISKY);
    const p = await next;
    return p.diagnostics.find((d) => d.code === RULE)?.severity;
  }

  it('filesystemFirst (default): the file severity wins over the editor override', async () => {
    assert.equal(await severityAfter({ severity: { [RULE]: 'info' } }), 1);
  });

  it('editorFirst: the editor override wins', async () => {
    assert.equal(await severityAfter({ configurationPreference: 'editorFirst', severity: { [RULE]: 'info' } }), 3);
  });

  it('editorOnly: the config file is ignored entirely', async () => {
    assert.equal(await severityAfter({ configurationPreference: 'editorOnly' }), 2, 'the default warning');
  });

  it('editor "off" disables a rule (when the editor wins), and editor select/ignore apply', async () => {
    assert.equal(await severityAfter({ configurationPreference: 'editorFirst', severity: { [RULE]: 'off' } }), undefined);
    assert.equal(await severityAfter({ configurationPreference: 'editorFirst', ignore: ['python'] }), undefined);
    assert.equal(await severityAfter({ configurationPreference: 'editorFirst', select: ['dependencies'] }), undefined);
    assert.equal(await severityAfter({ configurationPreference: 'editorFirst', select: [RULE] }), 1, 'the file severity still fills in');
  });
});

describe('modellint.run: onSave', () => {
  it('analyzes on open and save only', async () => {
    const dir = makeTree({});
    const client = LspTestClient.start({ workspaceFolder: dir, configuration: () => ({ run: 'onSave' }) });
    try {
      await client.initialize();
      const uri = fileUri(path.join(dir, 'a.py'));
      assert.deepEqual(rules(await openAndWait(client, dir, 'a.py')), [RULE], 'analyzed on open');
      const count = () => client.published.get(uri)?.length ?? 0;
      const n = count();
      await client.change(uri, 2, [{ range: { start: { line: 1, character: 17 }, end: { line: 1, character: 17 } }, text: ', weights_only=True' }]);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(count(), n, 'nothing published while typing');
      const saved = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 0);
      await client.save(uri);
      assert.equal((await saved).version, 2, 'analyzed on save');
      assert.equal(await client.shutdownAndExit(), 0);
    } finally {
      client.kill();
      removeTree(dir);
    }
  });

  it('pull clients: the last result is kept while typing, and a save asks for a refresh', async () => {
    const dir = makeTree({});
    let refreshes = 0;
    const client = LspTestClient.start({ workspaceFolder: dir, pull: true, configuration: () => ({ run: 'onSave' }) });
    client.conn.onRequest('workspace/diagnostic/refresh', () => {
      refreshes++;
      return null;
    });
    try {
      await client.initialize();
      const uri = fileUri(path.join(dir, 'a.py'));
      await client.open(uri, RISKY);
      const first = await client.pull(uri);
      assert.equal(first.items!.length, 1);
      await client.change(uri, 2, [{ range: { start: { line: 1, character: 17 }, end: { line: 1, character: 17 } }, text: ', weights_only=True' }]);
      assert.deepEqual(await client.pull(uri, first.resultId), { kind: 'unchanged', resultId: first.resultId });
      await client.save(uri);
      const deadline = Date.now() + 3000;
      while (refreshes === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(refreshes, 1);
      const after = await client.pull(uri, first.resultId);
      assert.equal(after.kind, 'full');
      assert.deepEqual(after.items, []);
      assert.equal(await client.shutdownAndExit(), 0);
    } finally {
      client.kill();
      removeTree(dir);
    }
  });
});

describe('editing a config file with a pull client', () => {
  it('asks the client to refresh diagnostics', async () => {
    const dir = makeTree({ 'modellint.toml': 'ignore = ["torch-load-unsafe"]\n' });
    let refreshes = 0;
    const client = LspTestClient.start({ workspaceFolder: dir, pull: true, configuration: () => ({}) });
    client.conn.onRequest('workspace/diagnostic/refresh', () => {
      refreshes++;
      return null;
    });
    try {
      await client.initialize();
      const uri = fileUri(path.join(dir, 'a.py'));
      await client.open(uri, RISKY);
      assert.deepEqual((await client.pull(uri)).items, []);
      const cfg = fileUri(path.join(dir, 'modellint.toml'));
      await client.open(cfg, 'ignore = ["torch-load-unsafe"]\n', 'toml');
      const before = refreshes;
      await client.change(cfg, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
      const deadline = Date.now() + 3000;
      while (refreshes === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(refreshes > before, 'workspace/diagnostic/refresh sent');
      assert.deepEqual(rules((await client.pull(uri)).items!), [RULE]);
      assert.equal(await client.shutdownAndExit(), 0);
    } finally {
      client.kill();
      removeTree(dir);
    }
  });
});
