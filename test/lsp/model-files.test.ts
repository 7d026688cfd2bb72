import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, MarkupContent } from 'vscode-languageserver';
import { INSPECT_MODEL_REQUEST, type InspectModelResult } from '../../server/src/lsp/protocol';
import { literalModelLoads, stringLiteralAt } from '../../server/src/lsp/model-files';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { fileUri, LspTestClient, REPO } from '../helpers/lsp-client';
import { makeTree, removeTree } from '../helpers/temp-tree';

const MODELS = path.join(REPO, 'test', 'fixtures', 'models');
const fixture = (name: string) => fs.readFileSync(path.join(MODELS, name));

describe('model files in the language server', () => {
  let dir: string;
  let client: LspTestClient;
  let scan = true;
  const evilUri = () => fileUri(path.join(dir, 'models', 'evil.pkl'));

  before(async () => {
    dir = makeTree({
      'models/evil.pkl': fixture('evil-os-system-p2.pkl'),
      'models/state.pt': fixture('benign-torch-state-dict.pt'),
      'models/notes.bin': 'just some text, not a model\n',
      'node_modules/pkg/evil.pkl': fixture('evil-os-system-p2.pkl'),
      'train.py': 'import torch\n',
    });
    client = LspTestClient.start({ workspaceFolder: dir, configuration: () => ({ scanModelFiles: scan }) });
    await client.initialize();
  });
  after(() => {
    client.kill();
    removeTree(dir);
  });

  it('modellint/inspectModel returns the report of a file', async () => {
    const res = (await client.conn.sendRequest(INSPECT_MODEL_REQUEST, { uri: fileUri(path.join(dir, 'models', 'state.pt')) })) as InspectModelResult;
    assert.ok(res.ok);
    assert.equal(res.report.format, 'pytorch-zip');
    assert.equal(res.report.verdict, 'safe');
    assert.deepEqual(res.report.tensors.map((t) => t.name), ['fc.weight', 'fc.bias']);
    assert.ok(res.report.bytesRead > 0);
  });

  it('modellint/inspectModel refuses non-file URIs and missing files with a message', async () => {
    const other = (await client.conn.sendRequest(INSPECT_MODEL_REQUEST, { uri: 'untitled:Untitled-1' })) as InspectModelResult;
    assert.equal(other.ok, false);
    assert.match((other as { message: string }).message, /file: URIs/);
    const missing = (await client.conn.sendRequest(INSPECT_MODEL_REQUEST, { uri: fileUri(path.join(dir, 'nope.pt')) })) as InspectModelResult;
    assert.equal(missing.ok, false);
    assert.match((missing as { message: string }).message, /does not exist/);
  });

  it('publishes model-file diagnostics on a hostile model file of the workspace (not in node_modules, not on a text .bin)', async () => {
    const p = await client.waitForDiagnostics(evilUri(), (x) => x.diagnostics.length > 0, 15_000);
    const d = p.diagnostics[0];
    assert.equal(d.code, 'model-file-unsafe-pickle');
    assert.equal(d.source, 'modellint');
    assert.equal(d.severity, 1);
    assert.deepEqual(d.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.match(d.message as string, /os\.system/);
    assert.match(d.codeDescription!.href, /model-file-unsafe-pickle\.md$/);
    assert.equal(client.latest(fileUri(path.join(dir, 'node_modules', 'pkg', 'evil.pkl'))), undefined);
    assert.equal(client.latest(fileUri(path.join(dir, 'models', 'notes.bin'))), undefined);
    assert.equal(client.latest(fileUri(path.join(dir, 'models', 'state.pt'))), undefined, 'a safe file gets no diagnostics');
  });

  it('hover on a Python string literal naming a model file summarizes its report', async () => {
    const uri = fileUri(path.join(dir, 'load.py'));
    const text = 'import torch\nstate = torch.load("models/state.pt", weights_only=True)\n';
    await client.open(uri, text);
    const hover = await client.hover(uri, { line: 1, character: 25 });
    assert.ok(hover, 'hover');
    const value = (hover!.contents as MarkupContent).value;
    assert.match(value, /\*\*safe\*\*/);
    assert.match(value, /pytorch\\-zip/);
    assert.match(value, /Tensors: 2/);
    assert.deepEqual(hover!.range, { start: { line: 1, character: 19 }, end: { line: 1, character: 36 } });
    const none = await client.hover(uri, { line: 1, character: 2 });
    assert.equal(none, null);
  });

  it('a torch.load of a literal path whose file is dangerous is an error with the reason', async () => {
    const uri = fileUri(path.join(dir, 'serve.py'));
    const text = 'import torch\nmodel = torch.load("models/evil.pkl", weights_only=False)\n';
    await client.open(uri, text);
    const p = await client.waitForDiagnostics(uri, (x) => x.diagnostics.some((d: Diagnostic) => d.code === 'model-file-unsafe-pickle'), 15_000);
    const d = p.diagnostics.find((x) => x.code === 'model-file-unsafe-pickle')!;
    assert.equal(d.severity, 1);
    assert.equal(d.range.start.line, 1);
    assert.equal(d.range.start.character, 19);
    assert.match(d.message as string, /torch\.load loads 'models\/evil\.pkl', which is dangerous: .*os\.system/);
  });

  it('a suppression comment silences that error, and is not reported as unused', async () => {
    const uri = fileUri(path.join(dir, 'serve_reviewed.py'));
    const text = 'import torch\nmodel = torch.load("models/evil.pkl", weights_only=True)  # modellint: ignore[model-file-unsafe-pickle]\nother = torch.load("models/evil.pkl", weights_only=True)\n';
    await client.open(uri, text);
    const p = await client.waitForDiagnostics(uri, (x) => x.diagnostics.some((d: Diagnostic) => d.code === 'model-file-unsafe-pickle'), 15_000);
    assert.deepEqual(p.diagnostics.map((d) => [d.code, d.range.start.line]), [['model-file-unsafe-pickle', 2]]);
  });

  it('diagnostics on model files disappear when modellint.scanModelFiles is off', async () => {
    await client.waitForDiagnostics(evilUri(), (x) => x.diagnostics.length > 0, 15_000);
    scan = false;
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(evilUri(), (x) => x.diagnostics.length === 0, 15_000);
    scan = true;
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(evilUri(), (x) => x.diagnostics.length > 0, 15_000);
  });

  it('rescans a model file after didChangeWatchedFiles', async () => {
    const file = path.join(dir, 'models', 'late.pkl');
    fs.writeFileSync(file, fixture('evil-os-system-p2.pkl'));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(file), type: 1 }] });
    await client.waitForDiagnostics(fileUri(file), (x) => x.diagnostics.length > 0, 15_000);
    fs.rmSync(file);
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(file), type: 3 }] });
    await client.waitForDiagnostics(fileUri(file), (x) => x.diagnostics.length === 0, 15_000);
  });
});

describe('model-file helpers', () => {
  it('finds the string literal under the cursor', () => {
    assert.deepEqual(stringLiteralAt('x = torch.load("a/b.pt")', 17), { value: 'a/b.pt', start: 15, end: 23 });
    assert.deepEqual(stringLiteralAt("open(r'c:\\m.pkl')", 8), { value: 'c:\\m.pkl', start: 5, end: 16 });
    assert.equal(stringLiteralAt('x = 1', 2), undefined);
  });

  it('finds loads of statically known paths through aliases and constants, skipping comments and strings', async () => {
    await initParsers();
    const text = [
      'import torch as t, pickle',
      'from joblib import load as jl',
      'CKPT = "models/c.joblib"',
      'm = t.load("a.pt")',
      '# torch.load("b.pt")',
      'p = pickle.load(open("c.pkl", "rb"))',
      'j = jl(CKPT)',
      'doc = "torch.load(\'d.pt\')"',
      'k = t.load(some_path)',
      '',
    ].join('\n');
    const loads = literalModelLoads(text);
    assert.deepEqual(loads.map((l) => [l.call, l.literal, l.range.start.line, l.range.start.character]), [
      ['torch.load', 'a.pt', 3, 11],
      ['pickle.load', 'c.pkl', 5, 16],
      ['joblib.load', 'models/c.joblib', 6, 7],
    ]);
  });
});
