import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic, MarkupContent, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver';
import { applyEdits } from '../../server/src/engine/fixes';
import { fileUri, LspTestClient } from '../helpers/lsp-client';
import { makeTree, removeTree } from '../helpers/temp-tree';

/** Several findings: three torch.load calls with safe fixes, a snippet (unsafe) pin fix, two rules on one line. */
const MANY = [
  'import joblib',
  'import pickle',
  'import torch',
  'from transformers import AutoModel',
  '',
  'model = joblib.load(pickle.load(open("m.pkl", "rb")))',
  'a = torch.load("a.pt")',
  'b = torch.load("b.pt", map_location="cpu")',
  'c = torch.load("c.pt", weights_only=False)',
  'm = AutoModel.from_pretrained("acme/backbone")',
  '',
].join('\n');

/** The one edit set of a versioned WorkspaceEdit, checked to target `uri` at `version`. */
function versionedEdits(edit: WorkspaceEdit | undefined, uri: string, version: number) {
  assert.ok(edit?.documentChanges, 'a WorkspaceEdit with documentChanges');
  assert.equal(edit!.documentChanges!.length, 1, 'exactly one TextDocumentEdit');
  const change = edit!.documentChanges![0] as TextDocumentEdit;
  assert.equal(change.textDocument.uri, uri);
  assert.equal(change.textDocument.version, version, 'the edit is pinned to the document version');
  return change.edits as { range: Diagnostic['range']; newText: string }[];
}

/** A tiny editor: the text of each open document and its version, kept in step with the server. */
class Buffer {
  version = 1;
  constructor(
    readonly client: LspTestClient,
    readonly uri: string,
    public text: string,
    readonly languageId = 'python',
  ) {}

  async open(): Promise<Diagnostic[]> {
    await this.client.open(this.uri, this.text, this.languageId, this.version);
    return (await this.client.waitForDiagnostics(this.uri, (p) => p.version === this.version)).diagnostics;
  }

  /** Applies a code action's edit (to this document) like an editor, then sends the new text; resolves with the new diagnostics. */
  async apply(action: CodeAction): Promise<Diagnostic[]> {
    const edits = versionedEdits(action.edit, this.uri, this.version);
    this.text = applyEdits(this.text, edits);
    this.version++;
    await this.client.replaceText(this.uri, this.version, this.text);
    return (await this.client.waitForDiagnostics(this.uri, (p) => p.version === this.version)).diagnostics;
  }

  actions(diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return this.client.codeActions(this.uri, range, diagnostics, only);
  }

  line(n: number): string {
    return this.text.split('\n')[n];
  }
}

const byRule = (ds: Diagnostic[], rule: string) => ds.filter((d) => d.code === rule);

describe('code actions (push client with versioned edits)', () => {
  let dir: string;
  let client: LspTestClient;

  before(async () => {
    dir = makeTree({});
    client = LspTestClient.start({ workspaceFolder: dir });
    await client.initialize();
  });
  after(() => {
    client.kill();
    removeTree(dir);
  });

  it('announces quickfix and source.fixAll.modellint, hover, and the show-docs command', async () => {
    const again = LspTestClient.start({ workspaceFolder: dir });
    try {
      const init = await again.initialize();
      assert.deepEqual(init.capabilities.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.modellint'], resolveProvider: false });
      assert.equal(init.capabilities.hoverProvider, true);
      assert.deepEqual(init.capabilities.executeCommandProvider, { commands: ['modellint.showRuleDocs'] });
    } finally {
      again.kill();
    }
  });

  it('offers the preferred fix from the diagnostic data; applying it clears the finding', async () => {
    const doc = new Buffer(client, fileUri(path.join(dir, 'preferred.py')), 'import torch\nstate = torch.load("ckpt.pt")\n');
    const diags = await doc.open();
    assert.equal(diags.length, 1);
    const t0 = performance.now();
    const actions = await doc.actions(diags);
    console.log(`  codeAction round trip: ${(performance.now() - t0).toFixed(1)} ms`);
    const titles = actions.map((a) => a.title);
    assert.deepEqual(titles, [
      'ModelLint (torch-load-unsafe): Add weights_only=True',
      'ModelLint (torch-load-unsafe): Ignore torch-load-unsafe on this line',
      'ModelLint (torch-load-unsafe): Ignore torch-load-unsafe in this file',
      'ModelLint (torch-load-unsafe): Show documentation for torch-load-unsafe',
    ]);
    for (const a of actions) {
      assert.equal(a.kind, 'quickfix');
      assert.deepEqual(a.diagnostics, [diags[0]]);
    }
    const preferred = actions.filter((a) => a.isPreferred);
    assert.equal(preferred.length, 1);
    assert.deepEqual(await doc.apply(preferred[0]), []);
    assert.equal(doc.line(1), 'state = torch.load("ckpt.pt", weights_only=True)');
    await client.close(doc.uri);
  });

  it('reads fixes only from the data the client sends back (no server state, alternatives after the preferred one)', async () => {
    const uri = fileUri(path.join(dir, 'crafted.py'));
    await client.open(uri, 'import torch\nx = torch.load("a.pt")\n');
    const [real] = (await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 1)).diagnostics;
    const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } };
    const crafted: Diagnostic = {
      ...real,
      data: {
        ruleId: 'torch-load-unsafe',
        fixes: [
          { title: 'Alternative', edits: [{ range, newText: 'y' }], safe: false },
          { title: 'Chosen', edits: [{ range, newText: 'z' }], safe: true, preferred: true },
          { title: 'Broken: no edits', edits: [], safe: true },
          { title: 'Broken: bad range', edits: [{ range: { start: { line: -1 } }, newText: '' }], safe: true },
        ],
      },
    };
    const actions = await client.codeActions(uri, range, [crafted]);
    const fixes = actions.filter((a) => a.edit && !/Ignore|Fix all/.test(a.title));
    assert.deepEqual(fixes.map((a) => [a.title, a.isPreferred ?? false]), [
      ['ModelLint (torch-load-unsafe): Chosen', true],
      ['ModelLint (torch-load-unsafe): Alternative', false],
    ]);
    // A diagnostic of another tool, or without data, gets nothing.
    assert.deepEqual(await client.codeActions(uri, range, [{ ...real, source: 'other' }]), []);
    assert.deepEqual(await client.codeActions(uri, range, [{ ...real, data: undefined }]), []);
    await client.close(uri);
  });

  it('ignore on this line adds a comment, and a second rule merges into it', async () => {
    const doc = new Buffer(client, fileUri(path.join(dir, 'ignore_line.py')), MANY);
    let diags = await doc.open();
    const line = 5;
    const first = byRule(diags, 'pickle-load')[0];
    const ignorePickle = (await doc.actions([first])).find((a) => a.title === 'ModelLint (pickle-load): Ignore pickle-load on this line');
    assert.ok(ignorePickle);
    diags = await doc.apply(ignorePickle);
    assert.equal(doc.line(line), 'model = joblib.load(pickle.load(open("m.pkl", "rb")))  # modellint: ignore[pickle-load]');
    assert.equal(byRule(diags, 'pickle-load').length, 0);

    const second = byRule(diags, 'joblib-load')[0];
    const ignoreJoblib = (await doc.actions([second])).find((a) => a.title === 'ModelLint (joblib-load): Ignore joblib-load on this line');
    assert.ok(ignoreJoblib);
    diags = await doc.apply(ignoreJoblib);
    assert.equal(doc.line(line), 'model = joblib.load(pickle.load(open("m.pkl", "rb")))  # modellint: ignore[pickle-load, joblib-load]');
    assert.deepEqual(diags.filter((d) => d.range.start.line === line), [], 'both silenced, and no unused-suppression');
    await client.close(doc.uri);
  });

  it('ignore in this file adds an ignore-file comment at the top, and a second rule merges into it', async () => {
    const doc = new Buffer(client, fileUri(path.join(dir, 'ignore_file.py')), '#!/usr/bin/env python\n' + MANY);
    let diags = await doc.open();
    const ignore = (await doc.actions(byRule(diags, 'torch-load-unsafe').slice(0, 1))).find((a) => /Ignore torch-load-unsafe in this file/.test(a.title));
    diags = await doc.apply(ignore!);
    assert.equal(doc.line(0), '#!/usr/bin/env python', 'the shebang stays first');
    assert.equal(doc.line(1), '# modellint: ignore-file[torch-load-unsafe]');
    assert.equal(byRule(diags, 'torch-load-unsafe').length, 0, 'all three torch.load findings silenced');
    const ignore2 = (await doc.actions(byRule(diags, 'hf-unpinned-revision'))).find((a) => /in this file/.test(a.title));
    diags = await doc.apply(ignore2!);
    assert.equal(doc.line(1), '# modellint: ignore-file[torch-load-unsafe, hf-unpinned-revision]');
    assert.equal(byRule(diags, 'hf-unpinned-revision').length, 0);
    await client.close(doc.uri);
  });

  it('source.fixAll.modellint: one versioned edit with only safe fixes, then nothing (idempotent)', async () => {
    const doc = new Buffer(client, fileUri(path.join(dir, 'fix_all.py')), MANY);
    const diags = await doc.open();
    assert.equal(byRule(diags, 'torch-load-unsafe').length, 3);
    const t0 = performance.now();
    const actions = await doc.actions([], ['source.fixAll.modellint']);
    console.log(`  source.fixAll round trip: ${(performance.now() - t0).toFixed(1)} ms`);
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'source.fixAll.modellint');
    const edits = versionedEdits(actions[0].edit, doc.uri, doc.version);
    assert.equal(edits.length, 3, 'the three safe torch.load fixes; not the pin placeholder (unsafe, snippet)');
    assert.ok(edits.every((e) => !e.newText.includes('revision')));
    const after = await doc.apply(actions[0]);
    assert.equal(byRule(after, 'torch-load-unsafe').length, 0);
    assert.equal(byRule(after, 'hf-unpinned-revision').length, 1, 'the unsafe fix is not applied');
    assert.deepEqual(await doc.actions([], ['source.fixAll.modellint']), [], 'nothing left to fix');
    // `source` (the Source Action menu) includes it; a lightbulb request (no `only`) does not.
    assert.deepEqual(await doc.actions([], ['source']), []);
    await client.close(doc.uri);
  });

  it('offers "Fix all <rule> problems in this file" when a rule has several safe fixes', async () => {
    const doc = new Buffer(client, fileUri(path.join(dir, 'fix_rule.py')), MANY);
    const diags = await doc.open();
    const first = byRule(diags, 'torch-load-unsafe')[0];
    const action = (await doc.actions([first])).find((a) => a.title === 'ModelLint (torch-load-unsafe): Fix all torch-load-unsafe problems in this file');
    assert.ok(action, 'offered');
    assert.equal(versionedEdits(action.edit, doc.uri, doc.version).length, 3);
    const after = await doc.apply(action);
    assert.equal(byRule(after, 'torch-load-unsafe').length, 0);
    const joblib = byRule(after, 'joblib-load');
    assert.ok(!(await doc.actions(joblib)).some((a) => /Fix all/.test(a.title)), 'not offered for a rule without fixes');
    await client.close(doc.uri);
  });

  it('inserts a snippet fix as plain text (the placeholder stays flagged)', async () => {
    const doc = new Buffer(client, fileUri(path.join(dir, 'snippet.py')), 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme/backbone")\n');
    const diags = await doc.open();
    const pin = (await doc.actions(diags)).find((a) => a.isPreferred);
    assert.ok(pin);
    assert.equal(pin.title, 'ModelLint (hf-unpinned-revision): Pin revision to a commit (fill in the hash)');
    const after = await doc.apply(pin);
    assert.equal(doc.line(1), 'm = AutoModel.from_pretrained("acme/backbone", revision="<40-hex commit>")');
    assert.equal(byRule(after, 'hf-unpinned-revision').length, 1, 'the placeholder is not a commit');
    await client.close(doc.uri);
  });

  it('"Show documentation" runs modellint.showRuleDocs, answered with window/showDocument', async () => {
    const uri = fileUri(path.join(dir, 'docs.py'));
    await client.open(uri, 'import torch\ntorch.load("a.pt")\n');
    const diags = (await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 1)).diagnostics;
    const docs = (await client.codeActions(uri, diags[0].range, diags)).find((a) => /Show documentation/.test(a.title));
    assert.deepEqual(docs?.command, { title: 'Show documentation for torch-load-unsafe', command: 'modellint.showRuleDocs', arguments: ['torch-load-unsafe'] });
    const url = await client.conn.sendRequest('workspace/executeCommand', { command: docs!.command!.command, arguments: docs!.command!.arguments });
    assert.equal(client.shownDocuments.length, 1);
    const shown = client.shownDocuments[0];
    assert.equal(shown.uri, url);
    assert.match(shown.uri, /^file:.*\/docs\/rules\/torch-load-unsafe\.md$/, 'the page shipped next to the server');
    assert.equal(shown.external, false, 'a file URL opens inside the editor');
    await client.close(uri);
  });

  it('hover on a rule id inside a suppression comment shows its title, summary and docs link (Python and other # languages)', async () => {
    const uri = fileUri(path.join(dir, 'hover.py'));
    const text = 'import torch\nx = torch.load("a.pt")  # modellint: ignore[torch-load-unsafe, no-such-rule]\n';
    await client.open(uri, text);
    const col = text.split('\n')[1].indexOf('torch-load-unsafe') + 3;
    const t0 = performance.now();
    const hover = await client.hover(uri, { line: 1, character: col });
    console.log(`  hover round trip: ${(performance.now() - t0).toFixed(1)} ms`);
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /\*\*torch-load-unsafe\*\* — torch\.load may unpickle arbitrary objects/);
    assert.match(value, /A torch checkpoint load that can run code/);
    assert.match(value, /\[Documentation for torch-load-unsafe\]\(file:.*torch-load-unsafe\.md\)/);
    assert.deepEqual(hover?.range, { start: { line: 1, character: col - 3 }, end: { line: 1, character: col - 3 + 'torch-load-unsafe'.length } });
    const unknown = await client.hover(uri, { line: 1, character: text.split('\n')[1].indexOf('no-such-rule') + 1 });
    assert.match((unknown?.contents as MarkupContent).value, /not a ModelLint rule id/);
    assert.equal(await client.hover(uri, { line: 1, character: 5 }), null, 'no hover on code');

    const req = fileUri(path.join(dir, 'requirements.txt'));
    await client.open(req, 'torch==2.1.0  # modellint: ignore-file[torch-version-vulnerable]\n', 'pip-requirements');
    const h2 = await client.hover(req, { line: 0, character: 45 });
    assert.match((h2?.contents as MarkupContent).value, /\*\*torch-version-vulnerable\*\*/);
    await client.close(uri);
    await client.close(req);
  });

  it('notebook cells: actions per cell, ignore-file goes to the first code cell, fix-all stays within the cell', async () => {
    const nbPath = path.join(dir, 'nb.ipynb');
    const cell = (i: number) => `vscode-notebook-cell:${nbPath}#W${i}sZmlsZQ%3D%3D`;
    const texts = ['import torch\n', '# Notes\n', 'a = torch.load("a.pt")\nb = torch.load("b.pt")\n', 'c = torch.load("c.pt")\n'];
    await client.conn.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: fileUri(nbPath), notebookType: 'jupyter-notebook', version: 1, cells: texts.map((_, i) => ({ kind: i === 1 ? 1 : 2, document: cell(i) })) },
      cellTextDocuments: texts.map((text, i) => ({ uri: cell(i), languageId: i === 1 ? 'markdown' : 'python', version: 1, text })),
    });
    const d2 = (await client.waitForDiagnostics(cell(2), (p) => p.diagnostics.length === 2)).diagnostics;
    await client.waitForDiagnostics(cell(3), (p) => p.diagnostics.length === 1);
    const actions = await client.codeActions(cell(2), d2[0].range, [d2[0]]);
    const ignoreFile = actions.find((a) => /Ignore torch-load-unsafe in this file/.test(a.title))!;
    assert.ok(actions.some((a) => a.title === 'ModelLint (torch-load-unsafe): Fix all torch-load-unsafe problems in this cell'));
    const fileEdit = (ignoreFile.edit!.documentChanges![0] as TextDocumentEdit);
    assert.equal(fileEdit.textDocument.uri, cell(0), 'into the first code cell');
    assert.deepEqual(fileEdit.edits, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '# modellint: ignore-file[torch-load-unsafe]\n' }]);
    const ignoreLine = actions.find((a) => /on this line/.test(a.title))!;
    assert.equal((ignoreLine.edit!.documentChanges![0] as TextDocumentEdit).textDocument.uri, cell(2));

    const fixAll = await client.codeActions(cell(2), d2[0].range, [], ['source.fixAll.modellint']);
    assert.equal(fixAll.length, 1);
    const edits = versionedEdits(fixAll[0].edit, cell(2), 1);
    assert.equal(edits.length, 2, 'the two findings of this cell only');
    await client.conn.sendNotification('notebookDocument/didClose', { notebookDocument: { uri: fileUri(nbPath) }, cellTextDocuments: texts.map((_, i) => ({ uri: cell(i) })) });
  });

  it('exits with 0 after shutdown + exit', async () => {
    assert.equal(await client.shutdownAndExit(), 0);
  });
});

describe('code actions for a client without versioned edits', () => {
  it('returns plain `changes`', async () => {
    const dir = makeTree({});
    const client = LspTestClient.start({ workspaceFolder: dir });
    try {
      // Initialize by hand without workspaceEdit.documentChanges.
      await client.conn.sendRequest('initialize', { processId: process.pid, rootUri: fileUri(dir), capabilities: { textDocument: { publishDiagnostics: { dataSupport: true } } } });
      await client.conn.sendNotification('initialized', {});
      const uri = fileUri(path.join(dir, 'a.py'));
      await client.open(uri, 'import torch\ntorch.load("a.pt")\n');
      const diags = (await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 1)).diagnostics;
      const preferred = (await client.codeActions(uri, diags[0].range, diags)).find((a) => a.isPreferred);
      assert.deepEqual(preferred?.edit, { changes: { [uri]: [{ range: { start: { line: 1, character: 17 }, end: { line: 1, character: 17 } }, newText: ', weights_only=True' }] } });
      assert.equal(await client.shutdownAndExit(), 0);
    } finally {
      client.kill();
      removeTree(dir);
    }
  });
});
