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
  for (const c of ['modellint.restartServer', 'modellint.showOutputChannel']) assert.ok(commands.includes(c), `command ${c} is registered`);
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

// ---------------------------------------------------------------------------------------------

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`test timed out after ${ms} ms`)), ms); }),
  ]);
}

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
