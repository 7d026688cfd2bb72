import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonCodeText } from '../../server/src/languages/python/code-text';
import { analyze } from '../../server/src/engine/analyze';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allRules } from '../../server/src/rules/index';
import { emptyWorkspace } from '../../server/src/workspace/workspace-facts';

describe('pythonCodeText (prefilter: comments and docstrings removed)', () => {
  test('removes comments, module/class/function docstrings and bare string statements', () => {
    const text = [
      '"""Loads models with pickle."""',
      '# torch.load(path) would be unsafe',
      'import json',
      'class A:',
      "    '''Uses yaml.load internally.'''",
      '    def f(self):',
      '        r"""trust_remote_code=True"""  # and a comment',
      '        return json.loads("{}")  # pickle',
      "'single-quoted statement with pickle'; x = 1",
      '',
    ].join('\n');
    const code = pythonCodeText(text);
    for (const word of ['pickle', 'torch.load', 'yaml.load', 'trust_remote_code']) assert.ok(!code.includes(word), `${word} left in:\n${code}`);
    assert.ok(code.includes('json.loads("{}")'));
    assert.ok(code.includes('x = 1'));
  });

  test('keeps strings that are part of an expression', () => {
    const kept = [
      'm = load("hf://org/model")',
      'x = (\n    "pickle"\n)',
      'f(\n"""yaml.load"""\n)',
      'y = \\\n    "trust_remote_code"',
      '"""a""" + "pickle"',
      'v = ["a",\n "pickle"]',
      'os.environ["HF_TOKEN"] = "hf_abc"',
      'd = {"k":\n  "v # not a comment"}',
      "s = f'{a!r} # pickle'",
    ];
    for (const t of kept) assert.equal(pythonCodeText(t), t, t);
  });

  test('string prefixes, escapes, triple quotes and quotes inside strings', () => {
    assert.equal(pythonCodeText('x = rb"\\"# not a comment" # gone').trimEnd(), 'x = rb"\\"# not a comment"');
    assert.equal(pythonCodeText("x = '''a\n# b\n''' # c").trimEnd(), "x = '''a\n# b\n'''");
    assert.equal(pythonCodeText('x = "it\'s" # c').trimEnd(), 'x = "it\'s"');
    // An identifier ending in a prefix letter is not a string prefix.
    assert.equal(pythonCodeText('buf = 1\nof("a") # c').trimEnd(), 'buf = 1\nof("a")');
  });

  test('tolerates broken input: unterminated strings, unbalanced brackets, binary junk', () => {
    for (const t of ['x = "abc\ny = 1 # c', '"""never closed', ')))\n"doc"\n', '((((', '\\', 'x = \\\r\n "s"', '\u0000\uffff"#', "'"]) {
      const out = pythonCodeText(t);
      assert.ok(out.length <= t.length);
    }
    assert.equal(pythonCodeText('x = "abc\ny = 1 # c').trimEnd(), 'x = "abc\ny = 1');
    // A closing bracket too many does not make the next line's string look nested forever.
    assert.equal(pythonCodeText(')\n"doc"\nz = 2').replace(/\n+/g, '\n'), ')\n\nz = 2'.replace(/\n+/g, '\n'));
  });

  test('is linear on large input', () => {
    const big = '"""doc"""\n' + 'x = f("a", b)  # c\n'.repeat(200_000);
    const t = performance.now();
    const out = pythonCodeText(big);
    assert.ok(performance.now() - t < 2000);
    assert.ok(!out.includes('# c'));
  });

  test('the engine reports nothing from words that occur only in comments and docstrings, and still reports code', async () => {
    await initParsers();
    const ctx = { rules: allRules, workspace: emptyWorkspace, selection: {}, options: { trustedRepos: [] } };
    const prose = '"""Never call pickle.load or torch.load on downloads."""\n# yaml.load(open(p))\nprint("ok")\n';
    assert.deepEqual(analyze({ uri: 'file:///p/a.py', languageId: 'python', text: prose }, ctx), []);
    const code = '"""Docs."""\nimport pickle\n# comment\ndata = pickle.load(open("m.pkl", "rb"))\n';
    assert.deepEqual(analyze({ uri: 'file:///p/b.py', languageId: 'python', text: code }, ctx).map((f) => f.ruleId), ['pickle-load']);
  });
});
