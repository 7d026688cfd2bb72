import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver';
import { applyEdits, preferredFix } from '../../server/src/engine/fixes';
import { suppressFileEdit, suppressLineEdit } from '../../server/src/engine/suppression';
import { buildPythonFacts } from '../../server/src/languages/python/facts';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allowsTrailingComments, codeActions, FIX_ALL_KIND, hasHashComments } from '../../server/src/lsp/code-actions';
import { detectInputKind } from '../../server/src/languages/detect';
import { toDiagnostic } from '../../server/src/lsp/diagnostics';
import { allRules } from '../../server/src/rules/index';
import { fixtureFiles, RULE_FIXTURES, analyzeFixtureText, countByRule } from '../helpers/fixtures';

/**
 * The language server's code actions over every rule fixture, without a process: diagnostics are
 * made exactly as the server makes them (toDiagnostic, fixes in `data`), the actions are computed
 * from those, and their edits are applied like an editor would. Proves the Done-when of the
 * issue at the LSP layer: the preferred fix removes its finding and adds none, the file still
 * parses, fix-all is one edit and idempotent; and "Ignore on this line" silences the finding
 * without leaving an unused suppression.
 */

before(() => initParsers());

const analyze = analyzeFixtureText;
const counts = countByRule;

function parses(file: string, text: string): boolean {
  if (!file.endsWith('.py')) return true;
  const facts = buildPythonFacts(text);
  try {
    return !facts.hasSyntaxErrors;
  } finally {
    facts.dispose();
  }
}

function actionsFor(uri: string, text: string, diagnostics: Diagnostic[], requested: Diagnostic[], only?: string[]): CodeAction[] {
  return codeActions({
    doc: { uri, version: 7, text },
    context: { diagnostics: requested, ...(only ? { only } : {}) },
    computed: { diagnostics, version: 7 },
    hashComments: hasHashComments(detectInputKind(uri)),
    trailingComments: allowsTrailingComments(detectInputKind(uri)),
    documentChanges: true,
  });
}

function apply(text: string, action: CodeAction): string {
  const changes = action.edit?.documentChanges as TextDocumentEdit[];
  assert.equal(changes.length, 1);
  assert.equal(changes[0].textDocument.version, 7);
  return applyEdits(text, changes[0].edits as { range: Diagnostic['range']; newText: string }[]);
}

for (const rule of allRules) {
  const root = path.join(RULE_FIXTURES, rule.meta.id);
  if (!fs.existsSync(root)) continue;
  describe(`code actions on fixtures of ${rule.meta.id}`, () => {
    for (const file of fixtureFiles(root).filter((f) => !f.endsWith('.ipynb'))) {
      test(path.relative(root, file), () => {
        const uri = pathToFileURL(file).toString();
        const text = fs.readFileSync(file, 'utf8');
        const findings = analyze(file, root, text);
        const before = counts(findings);
        const diagnostics = findings.map((f) => toDiagnostic(f, uri));
        diagnostics.forEach((d, i) => {
          const f = findings[i];
          const actions = actionsFor(uri, text, diagnostics, [d]);
          const where = `${f.ruleId} at line ${f.range.start.line + 1}`;
          const preferred = actions.filter((a) => a.isPreferred);
          assert.ok(preferred.length <= 1, `at most one preferred action for ${where}`);
          const fix = preferred[0];
          if (fix) {
            const fixed = apply(text, fix);
            assert.ok(parses(file, fixed), `"${fix.title}" for ${where} leaves a syntax error`);
            // A snippet's placeholder is inserted verbatim and stays flagged until the user fills it in.
            if (preferredFix(f)?.snippet) assert.ok(!/\$\{\d+:/.test(fixed), 'snippet syntax is stripped');
          }
          if (fix && !preferredFix(f)?.snippet) {
            const fixed = apply(text, fix);
            const after = counts(analyze(file, root, fixed));
            assert.ok((after.get(f.ruleId) ?? 0) < (before.get(f.ruleId) ?? 0), `"${fix.title}" does not remove ${where}`);
            for (const [id, n] of after) if (id !== f.ruleId) assert.ok(n <= (before.get(id) ?? 0), `"${fix.title}" introduces ${id}`);
          }
          const ignore = actions.find((a) => a.title === `ModelLint (${f.ruleId}): Ignore ${f.ruleId} on this line`);
          if (f.ruleId === 'unused-suppression' || !hasHashComments(detectInputKind(uri))) {
            assert.equal(ignore, undefined, 'no "ignore" for an unused suppression, nor where # comments cannot be written');
            return;
          }
          assert.ok(ignore, `ignore-line offered for ${where}`);
          const silenced = apply(text, ignore);
          assert.ok(parses(file, silenced), `ignoring ${where} leaves a syntax error`);
          const after = counts(analyze(file, root, silenced));
          const sameLine = findings.filter((g) => g.ruleId === f.ruleId && g.range.start.line === f.range.start.line).length;
          assert.equal(after.get(f.ruleId) ?? 0, (before.get(f.ruleId) ?? 0) - sameLine, `ignoring ${where} silences exactly that line`);
          assert.equal(after.get('unused-suppression') ?? 0, before.get('unused-suppression') ?? 0, `ignoring ${where} is not an unused suppression`);
        });
        // source.fixAll: one edit, then nothing left (idempotent).
        const all = actionsFor(uri, text, diagnostics, [], [FIX_ALL_KIND]);
        if (all.length === 0) return;
        assert.equal(all.length, 1);
        const once = apply(text, all[0]);
        assert.ok(parses(file, once), 'fix-all leaves a syntax error');
        const again = analyze(file, root, once);
        assert.deepEqual(actionsFor(uri, once, again.map((f) => toDiagnostic(f, uri)), [], [FIX_ALL_KIND]), [], 'fix-all is idempotent');
      });
    }
  });
}

describe('suppression edits', () => {
  test('a line ending in a backslash continuation gets the comment alone on the line above', () => {
    const text = 'import torch\nx = torch.load("a.pt") + \\\n    1\n';
    assert.deepEqual(suppressLineEdit(text, 1, 'torch-load-unsafe'), { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, newText: '# modellint: ignore[torch-load-unsafe]\n' });
    const continued = '  x = a + \\\n    b + \\\n    c\n';
    const above = suppressLineEdit(continued, 1, 'x');
    assert.deepEqual(above, { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '  # modellint: ignore[x]\n' }, 'inside a continuation: above the statement');
    assert.deepEqual(suppressLineEdit(applyEdits(continued, [above!]), 3, 'y'), { range: { start: { line: 0, character: 23 }, end: { line: 0, character: 23 } }, newText: ', y' }, 'a second rule merges into it');
    assert.deepEqual(suppressLineEdit('  doc = load("""\n  text\n""")\n', 0, 'r'), { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '  # modellint: ignore[r]\n' }, 'not inside an unterminated string');
    assert.deepEqual(suppressLineEdit('    y = f()\r\n', 0, 'r'), { range: { start: { line: 0, character: 11 }, end: { line: 0, character: 11 } }, newText: '  # modellint: ignore[r]' }, 'CRLF: before the \\r');
  });

  test('ignore-file stays below a shebang, an encoding line and Dockerfile parser directives', () => {
    assert.equal(suppressFileEdit('#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport torch\n', 'r').range.start.line, 2);
    assert.equal(suppressFileEdit('# syntax=docker/dockerfile:1\n# escape=`\nFROM python\n', 'r').range.start.line, 2);
    assert.equal(suppressFileEdit('a = 1\r\n', 'r').newText, '# modellint: ignore-file[r]\r\n');
  });

  test('no ignore actions where # comments cannot be written; none when the id is already in the comment', () => {
    const uri = 'file:///x/a.py';
    const text = 'import torch\nx = torch.load("a.pt")\n';
    const d = toDiagnostic({ ruleId: 'torch-load-unsafe', severity: 'warning', message: 'm', range: { start: { line: 1, character: 4 }, end: { line: 1, character: 22 } } }, uri);
    const none = codeActions({ doc: { uri, version: 1, text }, context: { diagnostics: [d] }, hashComments: false, documentChanges: true });
    assert.deepEqual(none.map((a) => a.title), ['ModelLint (torch-load-unsafe): Show documentation for torch-load-unsafe']);
    const already = 'import torch\nx = torch.load("a.pt")  # modellint: ignore[torch-load-unsafe]\n';
    const some = codeActions({ doc: { uri, version: 1, text: already }, context: { diagnostics: [d] }, hashComments: true, documentChanges: true });
    assert.ok(!some.some((a) => /on this line/.test(a.title)));
  });
});
