import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { ChunkedTree } from '../../server/src/languages/python/chunked-tree';
import { analyzeDocument } from '../../server/src/engine/analyze';
import { allRules } from '../../server/src/rules';
import { emptyWorkspace } from '../../server/src/workspace/workspace-facts';
import { sampleModule, warmUpEngine, warmUpSettings } from '../../server/src/lsp/warm-up';

before(() => initParsers());

const ctx = { rules: allRules, selection: {}, options: { trustedRepos: [] }, workspace: emptyWorkspace };

describe('server start-up warm-up', () => {
  const text = sampleModule(16);

  test('the sample is valid Python', () => {
    const tree = ChunkedTree.of(text);
    try {
      assert.equal(tree.hasError, false);
    } finally {
      tree.dispose();
    }
  });

  // Code that has never run before the first real file is compiled without type feedback and
  // deoptimized when it does run: the sample must use every construct the front-end's lexers
  // (code text, chunks, binding sites) branch on.
  const constructs: [string, RegExp][] = [
    ['integer and float literals', /= \d+\n[\s\S]*= 3e-4 \* \d+\.5/],
    ['hex literal', /0x[0-9A-F]+/],
    ['semicolon between statements', /\w; \w+ [-+*]?= /],
    ['line continuation', /\\\n/],
    ['CRLF line ends', /\r\n/],
    ['tab inside a line', /\w:\t\w/],
    ['f-string with a comprehension', /f"[^"\n]*\{\[\w+ for \w+ in /],
    ['raw and bytes prefixes', /\br"[^"\n]*"[\s\S]*\bb"[\s\S]*\brb"/],
    ['escaped quote', /\\'/],
    ['multi-line docstring', /"""[^"\n]*\n[^"]*\n[^"]*"""/],
    ['walrus', /\(\w+ := /],
    ['augmented assignments', /\+= [\s\S]*-= [\s\S]*\*= [\s\S]*\/\/= [\s\S]*\*\*= [\s\S]*>>= [\s\S]*<<= /],
    ['comparisons', />= [\s\S]*<= [\s\S]*!= [\s\S]*== /],
    ['global and nonlocal', /\bglobal \w+[\s\S]*\bnonlocal \w+/],
    ['for … in with a tuple target', /for \w+, \(\w+, \w+\) in /],
    ['with … as, twice', /with [^\n]* as \w+, [^\n]* as \w+:/],
    ['except … as', /except \([^)]*\) as \w+:/],
    ['decorator with arguments', /^@\w+\(\w+=\w+\)$/m],
    ['elif at column 0', /^elif /m],
    ['bracket spanning lines', /\[\n\s+\w+,\n/],
    ['item and attribute assignment', /\w+\["[^"]+"\] = [\s\S]*\w+\.trust_remote_code = /],
    ['keyword dict', /\*\*\{"/],
  ];
  for (const [what, pattern] of constructs) {
    test(`the sample has ${what}`, () => assert.match(text, pattern));
  }

  test('the sample gives findings of the Python rules, and the warm-up reports its runs', () => {
    const rules = new Set(analyzeDocument({ uri: 'untitled:sample.py', languageId: 'python', text }, ctx).findings.map((f) => f.ruleId));
    for (const id of ['torch-load-unsafe', 'pickle-load', 'joblib-load', 'hf-unpinned-revision']) assert.ok(rules.has(id), `${id} in ${[...rules].join(', ')}`);
    const warm = warmUpEngine(ctx, 60_000, 3);
    assert.equal(warm.runs, 3);
    assert.equal(warmUpEngine(ctx, 0).runs, 0, 'no budget, no run');
  });

  test('the settings warm-up accepts any folder, existing or not', () => {
    warmUpSettings('/nonexistent/modellint-warm-up');
    warmUpSettings(process.cwd());
  });
});
