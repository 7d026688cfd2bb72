import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { initParsers, parserFor } from '../../server/src/languages/tree-sitter';
import { MAX_CHUNKS, topLevelChunks } from '../../server/src/languages/python/chunks';
import { analyzeDocument } from '../../server/src/engine/analyze';
import { allRules } from '../../server/src/rules';
import { emptyWorkspace } from '../../server/src/workspace/workspace-facts';
import { ParseCache } from '../../server/src/languages/python/parse-cache';
import { ChunkedTree } from '../../server/src/languages/python/chunked-tree';
import { definedNameAt, namePartPattern } from '../../server/src/languages/python/facts';
import { fixtureFiles, RULE_FIXTURES } from '../helpers/fixtures';
import { generatePythonModule } from '../helpers/python-corpus';
import { mulberry32 } from '../helpers/prng';

before(() => initParsers());

/** The first line of each chunk. */
function chunkLines(text: string): number[] {
  return topLevelChunks(text).rows;
}

describe('topLevelChunks', () => {
  test('one chunk per top-level statement, with its comments and blank lines', () => {
    const text = ['import os', '# setup', '', 'X = 1', 'def f():', '    return X', '', '', 'class A:', '    pass', ''].join('\n');
    assert.deepEqual(chunkLines(text), [0, 3, 4, 8]);
  });

  test('decorators, else/elif/except/finally stay with their statement', () => {
    const text = [
      '@dataclass',
      '@other(x=1)',
      'class A:',
      '    a: int = 0',
      'try:',
      '    import yaml',
      'except ImportError:',
      '    yaml = None',
      'finally:',
      '    pass',
      'if X:',
      '    y = 1',
      'elif Y:',
      '    y = 2',
      'else:',
      '    y = 3',
      'elsewhere = 1',
    ].join('\n');
    assert.deepEqual(chunkLines(text), [0, 4, 10, 16]);
  });

  test('column-0 lines inside brackets, strings and continuations are not boundaries', () => {
    const text = ['x = f(', 'a,', ')', 'DOC = """', 'def not_a_def():', '"""', 'y = 1 + \\', '2', "s = 'a' # )", 'z = [', ']'].join('\n');
    assert.deepEqual(chunkLines(text), [0, 3, 6, 8, 9]);
  });

  test('CRLF line ends count rows like LF', () => {
    assert.deepEqual(chunkLines('a = 1\r\nb = (\r\n2)\r\nc = 3\r\n'), [0, 1, 3]);
  });

  test('an unclosed bracket or string runs its chunk to the end; a stray closing bracket is ignored', () => {
    assert.deepEqual(chunkLines('a = 1\nb = (\nc = 2\nd = 3\n'), [0, 1]);
    assert.deepEqual(chunkLines('a = 1\nb = """\nc = 2\n'), [0, 1]);
    assert.deepEqual(chunkLines('a = 1)\nb = 2\n'), [0, 1]);
  });
});

/** Top-level nodes of a tree root, compared by type, syntax, ranges and text. */
function describeNodes(nodes: Node[], text: string): string[] {
  return nodes.map((n) => {
    assert.equal(n.text, text.slice(n.startIndex, n.endIndex), 'node text is the text at its indices');
    return `${n.startIndex}-${n.endIndex} ${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column} ${n.toString()}`;
  });
}

function wholeVersusChunks(text: string, chunked: ChunkedTree): { whole: string[]; chunks: string[]; hasError: boolean } {
  const tree = parserFor('python').parse(text)!;
  try {
    const whole = describeNodes(tree.rootNode.children.filter((n): n is Node => n !== null), text);
    const chunks: string[] = [];
    for (let k = 0; k < chunked.chunkCount; k++) chunks.push(...describeNodes(chunked.root(k).children.filter((n): n is Node => n !== null), text));
    return { whole, chunks, hasError: tree.rootNode.hasError };
  } finally {
    tree.delete();
  }
}

function pointAt(text: string, index: number) {
  const before = text.slice(0, index);
  return { row: before.split('\n').length - 1, column: index - (before.lastIndexOf('\n') + 1) };
}

function editSpan(text: string, start: number, end: number, insert: string) {
  const next = text.slice(0, start) + insert + text.slice(end);
  return {
    startIndex: start,
    oldEndIndex: end,
    newEndIndex: start + insert.length,
    startPosition: pointAt(text, start),
    oldEndPosition: pointAt(text, end),
    newEndPosition: pointAt(next, start + insert.length),
  };
}

describe('ChunkedTree', () => {
  test('chunks parse to the same syntax as the whole file: every Python rule fixture and a generated module', () => {
    const texts = fixtureFiles(RULE_FIXTURES)
      .filter((f) => f.endsWith('.py'))
      .map((f) => [path.relative(RULE_FIXTURES, f), fs.readFileSync(f, 'utf8')] as const);
    texts.push(['generated', generatePythonModule(3000, 300).text]);
    let compared = 0;
    for (const [name, text] of texts) {
      const chunked = ChunkedTree.of(text);
      try {
        const { whole, chunks, hasError } = wholeVersusChunks(text, chunked);
        if (hasError) continue; // error recovery may differ; nothing requires the same ERROR nodes
        assert.deepEqual(chunks, whole, name);
        compared++;
      } finally {
        chunked.dispose();
      }
    }
    assert.ok(compared > 50, `${compared} files compared`);
  });

  test('only the chunks asked about are parsed', () => {
    const text = generatePythonModule(2000, 1000).text;
    const chunked = ChunkedTree.of(text);
    try {
      assert.ok(chunked.chunkCount > 50);
      const at = text.indexOf('torch.load');
      assert.equal(chunked.nodeAt(at)?.text, 'torch');
      assert.equal(chunked.parsedCount, 1);
    } finally {
      chunked.dispose();
    }
  });

  test('after random edits, kept and moved chunks equal a fresh parse of the new text', () => {
    const rnd = mulberry32(7);
    const snippets = ['x', '\n', '\ndef g():\n    return 1\n', '(', ')', '"""', '#', '    ', '\n\nclass B:\n    y = 2\n', 'é😀', ''];
    let text = generatePythonModule(600, 100).text;
    let chunked = ChunkedTree.of(text);
    let compared = 0;
    let undo: { start: number; end: number; insert: string } | undefined;
    try {
      for (let round = 0; round < 80; round++) {
        // Touch a few chunks so that some trees are kept, moved and re-parsed.
        for (let t = 0; t < 5; t++) chunked.nodeAt(Math.floor(rnd() * text.length));
        // A random edit; one that breaks the syntax is undone by the next round.
        let start: number;
        let end: number;
        let insert: string;
        if (undo) {
          ({ start, end, insert } = undo);
          undo = undefined;
        } else {
          start = Math.floor(rnd() * text.length);
          end = Math.min(text.length, start + (rnd() < 0.5 ? 0 : Math.floor(rnd() * 40)));
          insert = snippets[Math.floor(rnd() * snippets.length)];
        }
        const next = text.slice(0, start) + insert + text.slice(end);
        const removed = text.slice(start, end);
        chunked = chunked.edited(next, editSpan(text, start, end, insert));
        text = next;
        const { whole, chunks, hasError } = wholeVersusChunks(text, chunked);
        if (hasError) {
          undo = { start, end: start + insert.length, insert: removed };
          continue;
        }
        assert.deepEqual(chunks, whole, `round ${round}`);
        compared++;
      }
      assert.ok(compared >= 30, `${compared} rounds compared`);
    } finally {
      chunked.dispose();
    }
  });
});

describe('call words match as parts of names', () => {
  const matches = (word: string, text: string) => new RegExp(namePartPattern(word)).test(text);
  test('a lowercase word needs a name-part boundary on its lowercase ends', () => {
    for (const t of ['torch.load(f)', 'yaml.safe_load(f)', 'pickle.loads(b)', 'load_file(p)', 'loadModel(p)', 'x = load']) assert.ok(matches('load', t), t);
    for (const t of ['loader = 1', 'download(u)', 'payload', 'reload(m)', 'loadtxt(p)']) assert.ok(!matches('load', t), t);
  });
  test('other shapes match anywhere', () => {
    assert.ok(matches('YAML', 'ruamel.yaml.YAML()'));
    assert.ok(matches('OpenAI', 'AzureOpenAI(api_key=k)'));
    assert.ok(matches('hf://', 'read_csv("hf://datasets/x")'));
    assert.ok(matches('_TRUST_REMOTE_CODE', 'HF_TRUST_REMOTE_CODE'));
  });
});

describe('names that def and class statements define are not climbed from', () => {
  const at = (text: string, word = 'load') => definedNameAt(text, text.indexOf(word));
  test('def, async def and class names, at any indentation and with any line end', () => {
    for (const t of ['def load_model(p):', '    def load(self):', 'async def load_all():', '\tasync  def   preload_load():', 'x = 1\r\nclass loader_load:', 'class my_load(Base):']) {
      assert.ok(at(t, t.includes('preload') ? 'load(' : 'load'), JSON.stringify(t));
    }
  });
  test('anything else is climbed from', () => {
    for (const t of ['torch.load(p)', 'x = load_model(p)', 'undef load(p)', 'xasync def load():', 'return def_load(p)', 'print("def load")', 'f(x); def load(): pass', 'def(load)']) {
      assert.ok(!at(t), JSON.stringify(t));
    }
  });
});

describe('texts of very many statements', () => {
  test('chunks are runs of statements, at most MAX_CHUNKS of them', () => {
    const lines = ['import torch'];
    for (let i = 0; i < 3 * MAX_CHUNKS + 5; i++) lines.push(i % 7 === 0 ? `def f${i}():\n    return ${i}` : `x${i % 13} = ${i}`);
    const text = lines.join('\n');
    const { starts, rows } = topLevelChunks(text);
    assert.ok(starts.length <= MAX_CHUNKS && starts.length > MAX_CHUNKS / 2, `${starts.length} chunks`);
    const rowOfLineStart = new Map([[0, 0]]);
    for (let i = text.indexOf('\n'), row = 1; i !== -1; i = text.indexOf('\n', i + 1), row++) rowOfLineStart.set(i + 1, row);
    starts.forEach((s, k) => {
      assert.ok(rowOfLineStart.has(s) && text[s] !== ' ', `chunk ${k} starts a top-level statement`);
      assert.equal(rowOfLineStart.get(s), rows[k]);
    });
  });

  test('an 8 MB module of one-line statements is analyzed in bounded time, with and without a parse cache', { timeout: 120_000 }, () => {
    // Per-chunk steps must stay linear in the text: with one chunk per statement (600,000) and
    // each chunk's word search running on through the whole text to the one occurrence at its
    // end, this took more than two minutes.
    const lines = ['import torch', 'WEIGHTS = False'];
    for (let i = 0; i < 600_000; i++) lines.push(`x${i % 50} = ${i}`);
    lines.push('m = torch.load(p, weights_only=WEIGHTS)', '');
    const text = lines.join('\n');
    const ctx = { rules: allRules, selection: {}, options: { trustedRepos: [] }, workspace: emptyWorkspace };
    const rules = (parseCache?: ParseCache) => analyzeDocument({ uri: 'file:///many.py', languageId: 'python', text }, { ...ctx, parseCache }).findings.map((f) => f.ruleId);
    assert.deepEqual(rules(), ['torch-load-unsafe']);
    const cache = new ParseCache();
    assert.deepEqual(rules(cache), ['torch-load-unsafe']);
    cache.clear();
  });
});
