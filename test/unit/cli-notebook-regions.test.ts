import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notebookLocator } from '../../server/src/cli/notebook-regions';
import { parseNotebook } from '../../server/src/languages/notebook';

/** The text of `json` between two mapped positions. */
function slice(json: string, start: { line: number; character: number }, end: { line: number; character: number }): string {
  const lines = json.split('\n');
  if (start.line !== end.line) throw new Error('multi-line slice');
  return lines[start.line].slice(start.character, end.character);
}

describe('notebook → .ipynb position mapping (SARIF regions)', () => {
  it('maps line-per-string sources (nbformat layout) exactly', () => {
    const json = JSON.stringify({ cells: [{ cell_type: 'code', source: ['import torch\n', 'm = torch.load("a.pt")\n'] }] }, null, 1);
    const locate = notebookLocator(json)!;
    const s = locate(0, { line: 1, character: 4 })!;
    const e = locate(0, { line: 1, character: 22 })!;
    assert.equal(slice(json, s, e), 'torch.load(\\"a.pt\\")');
  });

  it('maps single-string sources with escapes, \\r\\n and \\u sequences', () => {
    const json = '{"cells":[{"cell_type":"code","source":"x = \\"\\u00e9\\"\\r\\ny = torch.load(p)"}]}';
    const nb = parseNotebook(json);
    assert.ok('cells' in nb);
    assert.equal(nb.cells[0].source, 'x = "é"\ny = torch.load(p)');
    const locate = notebookLocator(json)!;
    const s = locate(0, { line: 1, character: 4 })!;
    const e = locate(0, { line: 1, character: 17 })!;
    assert.equal(slice(json, s, e), 'torch.load(p)');
  });

  it('numbers cells like parseNotebook (non-object entries skipped, arrays counted)', () => {
    const json = '{"cells": [1, null, [], {"cell_type": "code", "source": ["a = 1\\n", "pickle.load(f)"]}]}';
    const nb = parseNotebook(json);
    assert.ok('cells' in nb);
    assert.equal(nb.cells.length, 2);
    const locate = notebookLocator(json)!;
    const s = locate(1, { line: 1, character: 0 })!;
    assert.equal(json.split('\n')[s.line].slice(s.character, s.character + 11), 'pickle.load');
    assert.equal(locate(0, { line: 0, character: 0 }), undefined);
  });

  it('uses the last "cells" and "source" keys like JSON.parse, and survives deep nesting and garbage', () => {
    const json = `{"cells": [], "metadata": ${'['.repeat(50_000)}${']'.repeat(50_000)}, "cells": [{"source": "ok", "source": "torch.load(x)"}]}`;
    const locate = notebookLocator(json)!;
    const s = locate(0, { line: 0, character: 0 })!;
    assert.equal(json.slice(s.character, s.character + 10), 'torch.load');
    assert.equal(notebookLocator('{"cells": [ not json'), undefined);
    assert.equal(notebookLocator('[]'), undefined);
  });
});
