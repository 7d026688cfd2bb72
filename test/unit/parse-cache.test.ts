import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { ParseCache } from '../../server/src/languages/python/parse-cache';
import { buildPythonFacts } from '../../server/src/languages/python/facts';

before(() => initParsers());

describe('ParseCache', () => {
  test('keeps the trees of the most recently used documents only, and edits still re-parse correctly', () => {
    const cache = new ParseCache(3);
    const text = (i: number) => `import torch\nm${i} = torch.load("a${i}.pt")\n`;
    for (let i = 0; i < 5; i++) buildPythonFacts(text(i), { cache, key: `k${i}`, callWords: ['load'] }).dispose();
    assert.equal(cache.size, 3);
    assert.equal(cache.get('k0'), undefined);
    assert.ok(cache.get('k4'));
    // k2 was used last by get(): k3 is now the oldest and goes first.
    cache.get('k2');
    buildPythonFacts(text(5), { cache, key: 'k5', callWords: ['load'] }).dispose();
    assert.equal(cache.get('k3'), undefined);
    assert.ok(cache.get('k2'));
    // An evicted document is parsed afresh; a cached one incrementally; both give the same facts.
    for (const key of ['k0', 'k2']) {
      const edited = 'import torch\nmodel = torch.load("b.pt", weights_only=True)\n';
      const facts = buildPythonFacts(edited, { cache, key, callWords: ['load'] });
      assert.deepEqual(facts.calls.map((c) => [c.qname, c.keywords.get('weights_only')?.text]), [['torch.load', 'True']]);
      facts.dispose();
    }
    cache.clear();
    assert.equal(cache.size, 0);
  });
});
