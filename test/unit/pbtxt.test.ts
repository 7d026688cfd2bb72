import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePbtxt, MAX_DEPTH, type PbMessage, type PbScalar } from '../../server/src/languages/pbtxt/parser';
import { buildTritonConfigFacts, mapEntries, modelParameter, scalarField, childMessages } from '../../server/src/languages/pbtxt/facts';
import { analyzeDocument } from '../../server/src/engine/analyze';
import { allRules } from '../../server/src/rules/index';
import { emptyWorkspace } from '../../server/src/workspace/workspace-facts';
import { REPO_ROOT } from '../helpers/fixtures';

const at = (line: number, character: number) => ({ line, character });

function scalar(msg: PbMessage, name: string): PbScalar {
  const v = scalarField(msg, name)?.value;
  assert.ok(v, `no scalar ${name}`);
  return v;
}

describe('pbtxt parser', () => {
  const TRITON = [
    'name: "preprocess"  # comment',
    'backend: "python"',
    'max_batch_size: 8',
    'input [',
    '  {',
    '    name: "INPUT_0"',
    '    data_type: TYPE_FP32',
    '    dims: [ -1, 3 ]',
    '  }',
    ']',
    'parameters: {',
    '  key: "EXECUTION_ENV_PATH",',
    '  value: {string_value: "$$TRITON_MODEL_DIRECTORY/env.tar.gz"}',
    '}',
  ].join('\n');

  test('a real Triton config parses without problems, with exact positions', () => {
    const doc = parsePbtxt(TRITON);
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(doc.root.fields.map((f) => f.name), ['name', 'backend', 'max_batch_size', 'input', 'parameters']);
    const name = scalar(doc.root, 'name');
    assert.equal(name.value, 'preprocess');
    assert.deepEqual(name.range, { start: at(0, 6), end: at(0, 18) });
    assert.deepEqual(name.contentRange, { start: at(0, 7), end: at(0, 17) });
    const input = childMessages(doc.root, 'input')[0];
    const dims = input.fields.find((f) => f.name === 'dims')!.value;
    assert.equal(dims?.type, 'list');
    if (dims?.type !== 'list') return;
    assert.deepEqual(dims.items.map((i) => (i.type === 'scalar' ? [i.value, i.range.start.character, i.range.end.character] : [])), [['-1', 12, 14], ['3', 16, 17]]);
    const env = modelParameter(doc.root, 'EXECUTION_ENV_PATH');
    assert.equal(env?.value?.value, '$$TRITON_MODEL_DIRECTORY/env.tar.gz');
    assert.deepEqual(env?.value?.range, { start: at(12, 24), end: at(12, 61) });
    assert.deepEqual(buildTritonConfigFacts(TRITON, 'file:///m/config.pbtxt').schemaProblems, []);
  });

  test('strings: escapes, both quotes, adjacent concatenation', () => {
    const doc = parsePbtxt(`a: "t\\tab\\n\\x41\\101\\u00e9" 'x' "y"\nb: 'it\\'s'`);
    assert.deepEqual(doc.problems, []);
    const a = scalar(doc.root, 'a');
    assert.equal(a.value, 't\tab\nAAéxy');
    assert.equal(a.contentRange, undefined, 'a concatenation has no single content range');
    assert.equal(scalar(doc.root, 'b').value, "it's");
  });

  test('numbers, negatives, hex, floats, inf/nan and identifiers', () => {
    const doc = parsePbtxt('a: -1 b: 0x1F c: 1.5e-3 d: .5 e: 2f f: -inf g: nan h: KIND_GPU i: - 7');
    assert.deepEqual(doc.problems, []);
    const get = (n: string) => scalar(doc.root, n);
    assert.deepEqual([get('a').value, get('a').integer], ['-1', true]);
    assert.deepEqual([get('b').value, get('b').integer], ['0x1F', true]);
    assert.deepEqual([get('c').value, get('c').integer], ['1.5e-3', false]);
    assert.equal(get('d').kind, 'number');
    assert.equal(get('e').integer, false);
    assert.deepEqual([get('f').kind, get('f').value], ['identifier', '-inf']);
    assert.equal(get('g').kind, 'identifier');
    assert.equal(get('h').kind, 'identifier');
    assert.equal(get('i').value, '-7');
  });

  test('every message and list spelling, separators and extension names', () => {
    const doc = parsePbtxt('a { x: 1 } b: { x: 2 }, c < x: 3 >; d [ { x: 4 }, < x: 5 > ] e: [1, 2,] [pkg.ext]: 1 [type.googleapis.com/pkg.M] { }');
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(doc.root.fields.map((f) => [f.name, f.extension, f.value?.type]), [
      ['a', false, 'message'], ['b', false, 'message'], ['c', false, 'message'], ['d', false, 'list'], ['e', false, 'list'],
      ['pkg.ext', true, 'scalar'], ['type.googleapis.com/pkg.M', true, 'message'],
    ]);
  });

  test('syntax errors are positioned and parsing continues', () => {
    const text = ['name: "text_encoder"', 'backend "onnxruntime"', 'max_batch_size:', 'input [ { name: "a" dims: [ 1, 2 } ]', 'output { name: "b" }', '} extra ]'].join('\n');
    const doc = parsePbtxt(text);
    const problems = doc.problems.map((p) => `${p.range.start.line}:${p.range.start.character} ${p.message}`);
    assert.ok(problems.some((p) => p.startsWith('1:7 expected ":"')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('3:0 expected a value for "max_batch_size"') || p.startsWith('2:14 expected a value for "max_batch_size"')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('3:26 "[" is never closed')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('5:0 expected a field name')), problems.join('\n'));
    // Recovery: the fields after the errors are still there.
    assert.deepEqual(doc.root.fields.map((f) => f.name), ['name', 'backend', 'max_batch_size', 'input', 'output', 'extra']);
    assert.equal(scalar(childMessages(doc.root, 'output')[0], 'name').value, 'b');
  });

  test('an unterminated string is reported from its quote to the end of the line', () => {
    const doc = parsePbtxt('name: "abc\nbackend: "python"\n');
    assert.equal(doc.problems.length, 1);
    assert.match(doc.problems[0].message, /unterminated string/);
    assert.deepEqual(doc.problems[0].range, { start: at(0, 6), end: at(0, 10) });
    assert.equal(scalar(doc.root, 'backend').value, 'python');
  });

  test('an unclosed block is reported at its opening brace', () => {
    const doc = parsePbtxt('dynamic_batching {\n  max_queue_delay_microseconds: 100\n');
    assert.equal(doc.problems.length, 1);
    assert.deepEqual(doc.problems[0].range, { start: at(0, 17), end: at(0, 18) });
  });

  test('UTF-16 columns: characters outside the BMP count as two', () => {
    const doc = parsePbtxt('a: "😀" b: 1');
    assert.deepEqual(scalar(doc.root, 'b').range, { start: at(0, 11), end: at(0, 12) });
  });

  test('100k levels of nesting: bounded, no stack overflow, reported once', () => {
    for (const text of ['a{'.repeat(100_000), 'a:{'.repeat(100_000) + '}'.repeat(100_000), 'x:[{y:['.repeat(50_000), '['.repeat(100_000), '<'.repeat(100_000), 'a <'.repeat(100_000)]) {
      const started = Date.now();
      const doc = parsePbtxt(text);
      assert.ok(Date.now() - started < 2000, 'bounded time');
      assert.ok(doc.problems.length > 0 && doc.problems.length <= 200);
      assert.ok(doc.problems.filter((p) => p.message.includes('nesting deeper')).length <= 1);
    }
    const doc = parsePbtxt('a:{'.repeat(MAX_DEPTH + 10) + '}'.repeat(MAX_DEPTH + 10));
    assert.equal(doc.problems.length, 1);
    assert.match(doc.problems[0].message, new RegExp(`deeper than ${MAX_DEPTH}`));
  });

  test('binary and random junk: no crash, bounded problems and time', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 20; round++) {
      let junk = '';
      const n = 1000 + Math.floor(rnd() * 200_000);
      for (let i = 0; i < n; i++) junk += String.fromCharCode(rnd() < 0.3 ? ' {}[]<>:"\'#,;-.\n'.charCodeAt(Math.floor(rnd() * 16)) : Math.floor(rnd() * 0xd7ff));
      const started = Date.now();
      const facts = buildTritonConfigFacts(junk, 'file:///junk/config.pbtxt');
      assert.ok(Date.now() - started < 3000);
      assert.ok(facts.syntaxProblems.length <= 200 && facts.schemaProblems.length <= 200);
    }
    // Mutations of a real config: every prefix and single-character deletion parses without throwing.
    for (let i = 0; i < TRITON.length; i += 3) {
      parsePbtxt(TRITON.slice(0, i));
      buildTritonConfigFacts(TRITON.slice(0, i) + TRITON.slice(i + 1), 'file:///m/config.pbtxt');
    }
  });

  test('junk named config.pbtxt through the engine: analyzed or skipped, never an error', () => {
    const ctx = { rules: allRules, workspace: emptyWorkspace, selection: {}, options: { trustedRepos: [] } };
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    const r1 = analyzeDocument({ uri: 'file:///r/m/config.pbtxt', languageId: 'pbtxt', text: binary }, ctx);
    assert.ok(r1.skipped, 'NUL bytes: skipped');
    const r2 = analyzeDocument({ uri: 'file:///r/m/config.pbtxt', languageId: 'pbtxt', text: binary.replace(/\0/g, 'x') }, ctx);
    assert.deepEqual(r2.errors, []);
    assert.ok(r2.findings.every((f) => f.ruleId === 'triton-config-invalid'));
  });
});

describe('Triton ModelConfig schema', () => {
  const problems = (text: string) => buildTritonConfigFacts(text, 'file:///m/config.pbtxt').schemaProblems.map((p) => `${p.range.start.line}:${p.range.start.character} ${p.message}`);

  test('unknown fields with suggestions, at the field name', () => {
    assert.deepEqual(problems('dynamic_batching {\n  preffered_batch_size: [4]\n}'), ['1:2 unknown field "preffered_batch_size" in ModelDynamicBatching; did you mean "preferred_batch_size"? (Triton refuses to load a config with unknown fields)']);
    assert.match(problems('foo: 1')[0], /^0:0 unknown field "foo" in ModelConfig \(/);
  });

  test('enums, scalar kinds, shapes, repeated and oneof', () => {
    assert.match(problems('instance_group [ { kind: KIND_GPUS } ]')[0], /KIND_GPUS" is not a value of ModelInstanceGroup.Kind; did you mean KIND_GPU\?/);
    assert.match(problems('response_cache { enable: yes }')[0], /expected true or false/);
    assert.match(problems('name: 12')[0], /expected a quoted string/);
    assert.match(problems('max_batch_size: 1.5')[0], /expected an integer/);
    assert.match(problems('max_batch_size: 99999999999')[0], /out of range for int32/);
    assert.match(problems('dynamic_batching: 1')[0], /is a message/);
    assert.match(problems('name: [ "a" ]')[0], /not a repeated field/);
    assert.match(problems('name: "a"\nname: "b"')[0], /^1:0 "name" is not a repeated field and is already set on line 1/);
    assert.match(problems('dynamic_batching { }\nsequence_batching { }')[0], /alternatives \(oneof scheduling_choice\)/);
    assert.match(problems('[ext.x]: 1')[0], /no extensions/);
  });

  test('valid spellings pass: maps, numeric enums, booleans, repeated scalars written both ways', () => {
    assert.deepEqual(problems([
      'input { name: "a" data_type: 11 dims: -1 dims: 3 }',
      'input [ { name: "b", data_type: TYPE_FP32, dims: [ 1 ] } ]',
      'parameters { key: "k" value: { string_value: "v" } }',
      'parameters [ { key: "k2" value { string_value: "v2" } } ]',
      'model_transaction_policy { decoupled: True }',
      'response_cache { enable: t }',
      'dynamic_batching { priority_levels: 2 priority_queue_policy { key: 1 value { max_queue_size: 4 } } }',
      'optimization { execution_accelerators { gpu_execution_accelerator: [ { name: "tensorrt" parameters { key: "precision_mode" value: "FP16" } } ] } }',
      'version_policy: { specific: { versions: [1, 3] } }',
      'model_warmup [ { name: "w" batch_size: 1 inputs { key: "a" value: { data_type: TYPE_FP32 dims: [ 1 ] random_data: true } } } ]',
    ].join('\n')), []);
  });

  test('map entries are read as key/value pairs', () => {
    const root = parsePbtxt('metric_tags { key: "team" value: "vision" } metric_tags [ { key: "tier", value: "gold" } ]').root;
    assert.deepEqual(mapEntries(root, 'metric_tags').map((e) => [e.key?.value, e.value?.type === 'scalar' ? e.value.value : undefined]), [['team', 'vision'], ['tier', 'gold']]);
  });
});

describe('pbtxt language contribution', () => {
  test('the TextMate grammar and language configuration are valid JSON with the expected scopes', () => {
    const grammar = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'grammars', 'pbtxt.tmLanguage.json'), 'utf8'));
    assert.equal(grammar.scopeName, 'source.pbtxt');
    for (const key of ['comment', 'string-double', 'string-single', 'number', 'constant', 'enum', 'field', 'punctuation']) assert.ok(grammar.repository[key], key);
    // Every regex compiles (TextMate uses Oniguruma; these patterns stay within the common subset).
    const walk = (o: unknown): void => {
      if (!o || typeof o !== 'object') return;
      for (const [k, v] of Object.entries(o)) {
        if ((k === 'match' || k === 'begin' || k === 'end') && typeof v === 'string') assert.doesNotThrow(() => new RegExp(v), `${k}: ${v}`);
        else walk(v);
      }
    };
    walk(grammar);
    const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'grammars', 'pbtxt.language-configuration.json'), 'utf8'));
    assert.equal(config.comments.lineComment, '#');
    assert.ok(config.autoClosingPairs.some((p: { open: string }) => p.open === '"'));
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'pbtxt');
    assert.ok(lang && lang.filenames.includes('config.pbtxt'));
    assert.ok(pkg.contributes.grammars.some((g: { language: string; path: string }) => g.language === 'pbtxt' && fs.existsSync(path.join(REPO_ROOT, g.path))));
    assert.ok(pkg.activationEvents.includes('onLanguage:pbtxt'));
  });
});
