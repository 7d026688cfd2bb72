import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Query } from 'web-tree-sitter';
import { grammar, initParsers, parserFor } from '../../server/src/languages/tree-sitter';
import { BindingSites } from '../../server/src/languages/python/binding-sites';
import { topLevelChunks } from '../../server/src/languages/python/chunks';
import { bindingOf } from '../../server/src/languages/python/facts';
import { fixtureFiles, RULE_FIXTURES } from '../helpers/fixtures';
import { generatePythonModule } from '../helpers/python-corpus';

before(() => initParsers());

/** Every identifier the syntax tree says is bound (bindingOf) must be among the lexical binding sites. */
function missedBindings(text: string): string[] {
  const sites = BindingSites.of(text);
  const tree = parserFor('python').parse(text)!;
  try {
    const missed: string[] = [];
    for (const { node } of new Query(grammar('python'), '(identifier) @id').captures(tree.rootNode)) {
      if (bindingOf(node) === undefined) continue;
      if (!sites.positions(node.text, text, 0).includes(node.startIndex)) missed.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.text}`);
    }
    return missed;
  } finally {
    tree.delete();
  }
}

describe('bindingSites (lexical superset of the bindings)', () => {
  test('assignment forms, loops, with/except/import aliases, walrus, def, global', () => {
    const text = [
      'import numpy as np, os',
      'a = 1',
      'b = c = 2',
      'd, (e, f) = 1, (2, 3)',
      '[g, h] = x',
      '(i,',
      ' j) = k',
      'l: int = 3',
      'm += 1',
      'n //= 2',
      'o >>= 1',
      'for p, q in items: r = 4',
      'with open(x) as s, open(y) as (t, u):',
      '    pass',
      'try:',
      '    pass',
      'except Exception as v:',
      '    pass',
      'if (w := f(x)) > 0: pass',
      'def fn(z=1): global G, H; nonlocal_thing = 1',
      'vals = [y for y in range(3) if y]',
      's2 = "a = b"  # c = d',
      'cmp = aa <= bb; neq = cc != dd; eq = ee == ff',
      'obj.attr = 5',
      'lam = lambda k1=1: k1',
      '',
    ].join('\n');
    const sites = BindingSites.of(text);
    const has = (name: string) => sites.positions(name, text, 0).length > 0;
    for (const name of ['np', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'fn', 'G', 'H', 'nonlocal_thing', 'y', 's2', 'cmp', 'neq', 'eq', 'lam']) {
      assert.ok(has(name), `${name} should be a binding site`);
    }
    // Uses only: comparison operands, a string's and a comment's content, an attribute name, a call's argument.
    for (const name of ['aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'attr', 'x', 'k']) assert.ok(!has(name), `${name} is not bound`);
    assert.deepEqual(missedBindings(text), []);
  });

  test('every binding of every Python rule fixture, of a generated 10,000-line module and of hostile text is found', () => {
    const files = fixtureFiles(RULE_FIXTURES).filter((f) => f.endsWith('.py'));
    assert.ok(files.length > 50);
    for (const f of files) assert.deepEqual(missedBindings(fs.readFileSync(f, 'utf8')), [], path.relative(RULE_FIXTURES, f));
    assert.deepEqual(missedBindings(generatePythonModule(10_000, 500).text), []);
    for (const t of ['x = "unterminated\ny = 1', 'a = (\nb = 2', ')))\nc = 3', 'd = f"{e = 1}"\ng = 2', 'h = \\\n  1', '\u0000 = 1\ni = 2']) {
      assert.deepEqual(missedBindings(t), [], JSON.stringify(t));
    }
  });

  test('positions are ascending and unique per name', () => {
    const text = 'for a in b: a = [a for a in c]\nwith x as a: (a := 1)\n';
    const list = BindingSites.of(text).positions('a', text, 0);
    assert.equal(list.length, 5);
    for (let k = 1; k < list.length; k++) assert.ok(list[k] > list[k - 1]);
  });

  test('names are told apart by their text, not only by their hash', () => {
    const text = 'load = 1\nloads = 2\nload_x = 3\n';
    const sites = BindingSites.of(text);
    assert.deepEqual(sites.positions('load', text, 0), [0]);
    assert.deepEqual(sites.positions('loads', text, 0), [9]);
    assert.deepEqual(sites.positions('lo', text, 0), []);
  });

  test('lexed by top-level chunk, the sites are those of the whole text, and stay valid where a chunk moves', () => {
    const texts = fixtureFiles(RULE_FIXTURES)
      .filter((f) => f.endsWith('.py'))
      .map((f) => fs.readFileSync(f, 'utf8'));
    texts.push(generatePythonModule(3_000, 200).text, 'x = "unterminated\ny = 1\ndef f():\n  z = 2\n', 'a = (\nb = 2\nc = 3\n', 'd = f"{[e for e in g]}"\nh = 1');
    for (const text of texts) {
      const whole = BindingSites.of(text);
      const { starts } = topLevelChunks(text);
      const chunks = starts.map((s, k) => BindingSites.of(text, s, starts[k + 1] ?? text.length));
      const names = new Set(text.match(/[A-Za-z_]\w*/g) ?? []);
      for (const name of names) {
        const fromChunks = chunks.flatMap((c, k) => c.positions(name, text, starts[k]));
        assert.deepEqual(fromChunks, whole.positions(name, text, 0), name);
      }
      // Moved by an insertion before it, a chunk's sites give its new positions.
      if (starts.length > 1) {
        const moved = '# inserted\n' + text;
        for (const name of names) assert.deepEqual(chunks[1].positions(name, moved, starts[1] + 11), whole.positions(name, text, 0).filter((p) => p >= starts[1] && p < (starts[2] ?? text.length)).map((p) => p + 11), name);
      }
    }
  });
});
