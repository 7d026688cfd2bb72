import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { ParseCache } from '../../server/src/languages/python/parse-cache';
import { buildPythonFacts } from '../../server/src/languages/python/facts';
import { analyzeDocument } from '../../server/src/engine/analyze';
import { allRules } from '../../server/src/rules';
import { emptyWorkspace } from '../../server/src/workspace/workspace-facts';
import { generatePythonModule } from '../helpers/python-corpus';
import { mulberry32 } from '../helpers/prng';

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
  test('after any sequence of edits, the cached analysis finds what a fresh one finds', () => {
    // Edits that move, add and remove calls, bindings and definitions in one chunk while others
    // depend on them (module constants, imports, aliases): what each chunk keeps across an edit
    // (its tree, binding sites, word occurrences) must never outlive the text it was made from.
    const lines = generatePythonModule(600, 60).text.split('\n');
    lines.splice(20, 0, 'WEIGHTS_ONLY = True', 'REMOTE = False', 'from pickle import loads as deser', '');
    const snippets = [
      'state = torch.load(path, weights_only=WEIGHTS_ONLY)',
      'WEIGHTS_ONLY = False',
      'REMOTE = True',
      'model = AutoModel.from_pretrained("org/model", trust_remote_code=REMOTE)',
      'def load_weights(path):',
      'import torch as T',
      'obj = deser(blob)',
      'deser = json.loads',
      'x = yaml.load(open(p))',
      'import yaml',
      'from transformers import AutoModel',
      '    """Loads with torch.load."""',
      '# torch.load(path)',
      's = "unterminated',
      'r = (',
    ];
    const rnd = mulberry32(2026);
    const cache = new ParseCache();
    const ctx = { rules: allRules, selection: {}, options: { trustedRepos: [] }, workspace: emptyWorkspace };
    const findings = (text: string, parseCache?: ParseCache) =>
      analyzeDocument({ uri: 'file:///edited.py', languageId: 'python', text }, { ...ctx, parseCache }).findings.map(
        (f) => `${f.ruleId} ${f.range.start.line}:${f.range.start.character} ${f.message}`,
      );
    findings(lines.join('\n'), cache);
    let withFindings = 0;
    for (let round = 0; round < 60; round++) {
      const at = Math.floor(rnd() * lines.length);
      const kind = rnd();
      if (kind < 0.45) {
        const indent = rnd() < 0.5 ? '' : '    ';
        lines.splice(at, 0, indent + snippets[Math.floor(rnd() * snippets.length)]);
      } else if (kind < 0.7) {
        lines.splice(at, 1);
      } else {
        // Change a few characters inside a line.
        const line = lines[at] ?? '';
        const col = Math.floor(rnd() * (line.length + 1));
        lines[at] = line.slice(0, col) + ['=', ' ', 'True', '(', '"', 'x'][Math.floor(rnd() * 6)] + line.slice(col + Math.floor(rnd() * 3));
      }
      const text = lines.join('\n');
      const fresh = findings(text);
      assert.deepEqual(findings(text, cache), fresh, `round ${round}`);
      if (fresh.length > 0) withFindings++;
    }
    assert.ok(withFindings >= 30, `${withFindings} rounds with findings`);
    cache.clear();
  });
  test('the prefilter follows edits: a rule wakes when its word is typed and sleeps when it goes', () => {
    const cache = new ParseCache();
    const ctx = { rules: allRules, selection: {}, options: { trustedRepos: [] }, workspace: emptyWorkspace, parseCache: cache };
    // Edits inside one function: its chunk keeps its boundaries, the chunks after it move. The
    // tail makes another rule's words present, so every step is analyzed (and its chunks' values kept).
    const tail = ['def tail():', '    return AutoModel.from_pretrained("./local", trust_remote_code=False)', ''];
    const run = (body: string) =>
      analyzeDocument(
        { uri: 'file:///prefilter.py', languageId: 'python', text: ['from transformers import AutoModel', 'import pickle', '', 'def middle(f):', `    ${body}`, '', ...tail].join('\n') },
        ctx,
      ).findings.map((f) => f.ruleId);
    assert.deepEqual(run('x = 1'), []);
    assert.deepEqual(run('x = pickle.load(f)'), ['pickle-load']);
    assert.deepEqual(run('# x = pickle.load(f)'), []);
    assert.deepEqual(run('x = pickle.load(f)'), ['pickle-load']);
    assert.deepEqual(run('"""pickle.load(f)"""'), []);
    assert.deepEqual(run('x = pickle.loads(f)'), ['pickle-load']);
    cache.clear();
  });
});
