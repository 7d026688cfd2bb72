// Extension tests. This module runs INSIDE the VS Code extension host (loaded through
// extensionTestsPath); the workbench calls run() and reports success or failure back to the
// runner (test/vscode/run.mjs). Plain CommonJS so it needs no build step.
//
// Per-test results are written to $MODELLINT_TEST_RESULTS as JSON; MODELLINT_TEST_GREP (a
// regular expression) selects tests by name.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const vscode = require('vscode');

const EXTENSION_ID = 'modellint.modellint';
const RULE = 'torch-load-unsafe';

const tests = [];
function test(name, fn, timeoutMs = 60_000) {
  tests.push({ name, fn, timeoutMs });
}

// ---------------------------------------------------------------------------------------------
// helpers

function log(message) {
  console.log(`[test] ${message}`);
}

function codeOf(d) {
  return d.code !== null && typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function modellintDiagnostics(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'modellint');
}

function ruleDiagnostics(uri, rule = RULE) {
  return modellintDiagnostics(uri).filter((d) => codeOf(d) === rule);
}

function describe(uri) {
  const all = vscode.languages.getDiagnostics(uri);
  return all.length
    ? all.map((d) => `${d.source}/${codeOf(d)}@${d.range.start.line}:${d.range.start.character} ${d.message}`).join('; ')
    : '(no diagnostics)';
}

/** Polls pred() until it returns a truthy value; never sleeps a fixed time. */
async function waitFor(what, pred, { timeoutMs = 30_000, intervalMs = 100, state = () => '' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await pred();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; state: ${state()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** 0-based lines of `text` carrying an inline `# expect: <rule>` marker. */
function expectedLines(text, rule = RULE) {
  return text.split('\n').flatMap((line, i) => (new RegExp(`#\\s*expect:.*\\b${rule}\\b`).test(line) ? [i] : []));
}

function workspaceFile(name) {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

const state = {};

async function api() {
  if (state.api) return state.api;
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed (development path)`);
  state.api = await ext.activate();
  return state.api;
}

async function openPython() {
  if (state.pyDoc && !state.pyDoc.isClosed) return state.pyDoc;
  state.pyDoc = await vscode.workspace.openTextDocument(workspaceFile('load_checkpoint.py'));
  await vscode.window.showTextDocument(state.pyDoc);
  return state.pyDoc;
}

async function openNotebook() {
  if (state.notebook && !state.notebook.isClosed) return state.notebook;
  state.notebook = await vscode.workspace.openNotebookDocument(workspaceFile('notebook.ipynb'));
  await vscode.window.showNotebookDocument(state.notebook);
  return state.notebook;
}

function riskyCell(nb) {
  const cell = nb.getCells().find((c) => expectedLines(c.document.getText()).length > 0);
  assert.ok(cell, 'the fixture notebook has a cell marked "# expect: torch-load-unsafe"');
  return cell;
}

function safeCell(nb) {
  return nb.getCells().find((c) => /expect-none/.test(c.document.getText()));
}

async function setEnable(value) {
  await vscode.workspace.getConfiguration('modellint').update('enable', value, vscode.ConfigurationTarget.Workspace);
}

// ---------------------------------------------------------------------------------------------
// tests

test('the extension activates and its server starts', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is known to the extension host`);
  const a = await api();
  assert.ok(ext.isActive, 'extension is active');
  await a.whenReady();
  assert.equal(a.serverState, 'running');
  const commands = await vscode.commands.getCommands(true);
  for (const c of ['modellint.restartServer', 'modellint.showOutputChannel', 'modellint.showRuleDocs']) assert.ok(commands.includes(c), `command ${c} is registered`);
  log(`VS Code ${vscode.version}, Node ${process.version}, uiKind ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'}`);
});

test(`a Python file gets ${RULE} on exactly the marked lines`, async () => {
  await api();
  const doc = await openPython();
  const expected = expectedLines(doc.getText());
  assert.ok(expected.length > 0, 'fixture has expectations');
  const found = await waitFor(`${RULE} diagnostics on ${doc.uri.fsPath}`, () => {
    const ds = ruleDiagnostics(doc.uri);
    return ds.length > 0 && ds;
  }, { state: () => describe(doc.uri) });
  assert.deepEqual([...new Set(found.map((d) => d.range.start.line))].sort(), expected, `flagged lines (${describe(doc.uri)})`);
  for (const d of found) {
    assert.equal(d.source, 'modellint');
    assert.ok(d.code && typeof d.code === 'object' && d.code.target, `${RULE} has a codeDescription link`);
    assert.ok([vscode.DiagnosticSeverity.Error, vscode.DiagnosticSeverity.Warning].includes(d.severity), 'severity is warning or error');
    assert.ok(d.message.length > 0, 'has a message');
  }
  log(`diagnostic: ${describe(doc.uri)}`);
});

test('diagnostics follow edits as you type', async () => {
  const doc = await openPython();
  const line = expectedLines(doc.getText())[0];
  const original = doc.lineAt(line);
  const call = 'map_location="cpu")';
  const at = original.text.indexOf(call);
  assert.ok(at >= 0, `line ${line} contains ${call}`);
  const insertAt = new vscode.Position(line, at + call.length - 1);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, insertAt, ', weights_only=True');
  assert.ok(await vscode.workspace.applyEdit(edit), 'edit applied');
  try {
    await waitFor(`${RULE} to disappear after adding weights_only=True`, () => ruleDiagnostics(doc.uri).length === 0,
      { state: () => describe(doc.uri) });
  } finally {
    const undo = new vscode.WorkspaceEdit();
    undo.replace(doc.uri, doc.lineAt(line).range, original.text);
    await vscode.workspace.applyEdit(undo);
  }
  await waitFor(`${RULE} to come back after the edit is undone`, () => ruleDiagnostics(doc.uri).length > 0,
    { state: () => describe(doc.uri) });
  await doc.save(); // back to the file's original text, not dirty
});

test(`a notebook cell gets ${RULE}`, async () => {
  await api();
  const nb = await openNotebook();
  const cell = riskyCell(nb);
  assert.equal(cell.document.languageId, 'python', 'cell language');
  const found = await waitFor(`${RULE} on notebook cell ${cell.index}`, () => {
    const ds = ruleDiagnostics(cell.document.uri);
    return ds.length > 0 && ds;
  }, { state: () => nb.getCells().map((c) => `cell ${c.index}: ${describe(c.document.uri)}`).join(' | ') });
  assert.deepEqual(found.map((d) => d.range.start.line), expectedLines(cell.document.getText()), 'line within the cell');
  const safe = safeCell(nb);
  if (safe) assert.equal(ruleDiagnostics(safe.document.uri).length, 0, `safe cell is clean (${describe(safe.document.uri)})`);
});

test('modellint.enable=false clears diagnostics and true brings them back', async () => {
  await api();
  const doc = await openPython();
  const nb = await openNotebook();
  const cell = riskyCell(nb);
  const uris = [doc.uri, cell.document.uri];
  const show = () => uris.map((u) => describe(u)).join(' | ');
  await waitFor('diagnostics before the toggle', () => uris.every((u) => ruleDiagnostics(u).length > 0), { state: show });
  try {
    await setEnable(false);
    await waitFor('modellint diagnostics to clear with modellint.enable=false',
      () => uris.every((u) => modellintDiagnostics(u).length === 0), { state: show });
    await setEnable(true);
    await waitFor(`${RULE} to come back with modellint.enable=true`,
      () => uris.every((u) => ruleDiagnostics(u).length > 0), { state: show });
  } finally {
    await setEnable(undefined);
  }
});

test('ModelLint: Restart Server restarts and diagnostics return', async () => {
  const a = await api();
  const doc = await openPython();
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('modellint.restartServer');
  assert.equal(a.serverState, 'running');
  await waitFor(`${RULE} after the restart`, () => ruleDiagnostics(doc.uri).length > 0, { state: () => describe(doc.uri) });
});

test('ModelLint: Show Output runs', async () => {
  await api();
  await vscode.commands.executeCommand('modellint.showOutputChannel');
});

/** Creates (or overwrites) a file in the workspace and opens it in an editor. */
async function openNewFile(name, text) {
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return doc;
}

async function removeFile(name) {
  try {
    await vscode.workspace.fs.delete(workspaceFile(name));
  } catch {
    // already gone
  }
}

const TWO_LOADS = 'import torch\n\na = torch.load("a.pt")\nb = torch.load("b.pt", map_location="cpu")\n';

test('quick fix: vscode.executeCodeActionProvider + workspace.applyEdit removes the finding', async () => {
  await api();
  const doc = await openNewFile('quick_fix_target.py', TWO_LOADS);
  try {
    const diags = await waitFor(`${RULE} on the new file`, () => {
      const ds = ruleDiagnostics(doc.uri);
      return ds.length === 2 && ds;
    }, { state: () => describe(doc.uri) });
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, diags[0].range, vscode.CodeActionKind.QuickFix.value);
    log(`code actions: ${actions.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`).join(' | ')}`);
    const preferred = actions.find((a) => a.isPreferred && a.title.startsWith(`ModelLint (${RULE}):`));
    assert.ok(preferred, 'a preferred ModelLint fix is offered');
    assert.ok(actions.some((a) => a.title === `ModelLint (${RULE}): Ignore ${RULE} on this line`), 'ignore-line offered');
    assert.ok(actions.some((a) => a.title === `ModelLint (${RULE}): Fix all ${RULE} problems in this file`), 'fix-all for the rule offered');
    assert.ok(await vscode.workspace.applyEdit(preferred.edit), 'edit applied');
    assert.match(doc.lineAt(diags[0].range.start.line).text, /weights_only=True/);
    await waitFor('one finding left after the fix', () => ruleDiagnostics(doc.uri).length === 1, { state: () => describe(doc.uri) });
    await doc.save();
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await removeFile('quick_fix_target.py');
  }
});

test('editor.codeActionsOnSave {"source.fixAll.modellint": "explicit"} fixes a file on save', async () => {
  await api();
  const editorConfig = vscode.workspace.getConfiguration('editor', { languageId: 'python' });
  await editorConfig.update('codeActionsOnSave', { 'source.fixAll.modellint': 'explicit' }, vscode.ConfigurationTarget.Workspace, true);
  const doc = await openNewFile('fix_on_save.py', TWO_LOADS);
  try {
    await waitFor(`${RULE} before saving`, () => ruleDiagnostics(doc.uri).length === 2, { state: () => describe(doc.uri) });
    // Make the document dirty, then save explicitly.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(doc.lineCount - 1, 0), '\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('the save participants to run', async () => (await doc.save()) && !doc.isDirty, { timeoutMs: 10_000 });
    const text = doc.getText();
    assert.equal((text.match(/weights_only=True/g) ?? []).length, 2, `both loads fixed on save:\n${text}`);
    const onDisk = Buffer.from(await vscode.workspace.fs.readFile(doc.uri)).toString('utf8');
    assert.equal(onDisk, text, 'the fixed text is what was saved');
    await waitFor('no findings after the fix-on-save', () => ruleDiagnostics(doc.uri).length === 0, { state: () => describe(doc.uri) });
  } finally {
    await editorConfig.update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace, true);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await removeFile('fix_on_save.py');
  }
});

test('hover on a rule id in a suppression comment shows the rule summary', async () => {
  await api();
  const doc = await openNewFile('suppressed.py', `import torch\nx = torch.load("a.pt")  # modellint: ignore[${RULE}]\n`);
  try {
    const col = doc.lineAt(1).text.indexOf(RULE) + 2;
    const hovers = await waitFor('a ModelLint hover', async () => {
      const hs = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(1, col));
      const text = (hs ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return text.includes(`**${RULE}**`) && text;
    });
    assert.match(hovers, /torch\.load may unpickle arbitrary objects/);
    assert.equal(ruleDiagnostics(doc.uri).length, 0, 'the suppression silences the finding');
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await removeFile('suppressed.py');
  }
});

test('ModelLint (rule): Show documentation opens the rule page', async () => {
  await api();
  await vscode.commands.executeCommand('modellint.showRuleDocs', RULE);
  await waitFor(`an editor on ${RULE}.md`, () => vscode.window.visibleTextEditors.some((e) => e.document.uri.path.endsWith(`/docs/rules/${RULE}.md`)),
    { state: () => vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()).join(', ') });
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('editing modellint.toml re-analyzes open documents without a restart', async () => {
  await api();
  const doc = await openPython();
  await waitFor(`${RULE} before the config exists`, () => ruleDiagnostics(doc.uri).length > 0, { state: () => describe(doc.uri) });
  const cfg = await openNewFile('modellint.toml', 'ignore = []\n');
  try {
    await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
    const edit = new vscode.WorkspaceEdit();
    edit.replace(cfg.uri, new vscode.Range(0, 0, 1, 0), `ignore = ["${RULE}"]\n`);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(`${RULE} to disappear after the unsaved config edit`, () => ruleDiagnostics(doc.uri).length === 0, { state: () => describe(doc.uri) });
    const bad = new vscode.WorkspaceEdit();
    bad.insert(cfg.uri, new vscode.Position(1, 0), 'bogus = 1\n');
    assert.ok(await vscode.workspace.applyEdit(bad));
    await waitFor('invalid-config on the config file', () => ruleDiagnostics(cfg.uri, 'invalid-config').length === 1, { state: () => describe(cfg.uri) });
    assert.equal(ruleDiagnostics(doc.uri).length, 0, 'the valid remainder still applies');
    const undo = new vscode.WorkspaceEdit();
    undo.replace(cfg.uri, new vscode.Range(0, 0, cfg.lineCount, 0), 'ignore = []\n');
    assert.ok(await vscode.workspace.applyEdit(undo));
    await waitFor(`${RULE} to come back`, () => ruleDiagnostics(doc.uri).length > 0, { state: () => describe(doc.uri) });
  } finally {
    await cfg.save();
    await vscode.window.showTextDocument(cfg);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await removeFile('modellint.toml');
  }
  await waitFor(`${RULE} after the config file is gone`, () => ruleDiagnostics(doc.uri).length > 0, { state: () => describe(doc.uri) });
});

// ---------------------------------------------------------------------------------------------

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`test timed out after ${ms} ms`)), ms); }),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Model preview (client/src/preview): a read-only custom editor fed by modellint/inspectModel

const path = require('node:path');

async function copyModelFixture(fixtureName, name) {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const bytes = fs.readFileSync(path.join(ext.extensionPath, 'test', 'fixtures', 'models', fixtureName));
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, bytes);
  return uri;
}

function activeTabViewType() {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? `${input.viewType} ${input.uri.path}` : `not a custom editor: ${input?.constructor?.name}`;
}

test('the model preview opens for a .safetensors file (vscode.openWith)', async () => {
  await api();
  const uri = await copyModelFixture('benign-torch-state-dict.pt', 'preview-test.safetensors');
  try {
    await vscode.commands.executeCommand('vscode.openWith', uri, 'modellint.modelPreview');
    await waitFor('the preview tab', () => activeTabViewType() === `modellint.modelPreview ${uri.path}`, { state: activeTabViewType });
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  } finally {
    await removeFile('preview-test.safetensors');
  }
});

test('ModelLint: Inspect Model File opens the preview for a .pt file (priority "option")', async () => {
  await api();
  const uri = await copyModelFixture('benign-torch-state-dict.pt', 'preview-test.pt');
  try {
    await vscode.commands.executeCommand('modellint.inspectModelFile', uri);
    await waitFor('the preview tab', () => activeTabViewType() === `modellint.modelPreview ${uri.path}`, { state: activeTabViewType });
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  } finally {
    await removeFile('preview-test.pt');
  }
});

test('a hostile model file in the workspace gets model-file diagnostics', async () => {
  await api();
  const uri = await copyModelFixture('evil-os-system-p2.pkl', 'hostile-model.pkl');
  try {
    await waitFor('model-file-unsafe-pickle on the model file', () => modellintDiagnostics(uri).some((d) => codeOf(d) === 'model-file-unsafe-pickle'), { state: () => describe(uri) });
  } finally {
    await removeFile('hostile-model.pkl');
  }
  await waitFor('the diagnostics to go with the file', () => modellintDiagnostics(uri).length === 0, { state: () => describe(uri) });
});

async function run() {
  const grep = process.env.MODELLINT_TEST_GREP ? new RegExp(process.env.MODELLINT_TEST_GREP, 'i') : undefined;
  const resultsFile = process.env.MODELLINT_TEST_RESULTS;
  const results = [];
  const save = () => {
    if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify({ results }, null, 2));
  };
  for (const t of tests) {
    if (grep && !grep.test(t.name)) continue;
    const t0 = Date.now();
    try {
      await withTimeout(Promise.resolve().then(t.fn), t.timeoutMs);
      results.push({ name: t.name, ok: true, ms: Date.now() - t0 });
      log(`✔ ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      results.push({ name: t.name, ok: false, ms: Date.now() - t0, error: e && e.stack ? e.stack : String(e) });
      log(`✖ ${t.name}: ${e && e.message}`);
    }
    save();
  }
  const failed = results.filter((r) => !r.ok).length;
  log(`${results.length - failed} passed, ${failed} failed`);
  if (results.length === 0) throw new Error('no test selected');
  if (failed > 0) throw new Error(`${failed} test(s) failed`);
}

module.exports = { run };
