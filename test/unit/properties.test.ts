import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProperties, propertyValue } from '../../server/src/languages/properties/parser';
import { embeddedPositionAt, embeddedPropertiesSources } from '../../server/src/languages/properties/facts';
import { parseJson, member } from '../../server/src/languages/json/parser';

const at = (line: number, character: number) => ({ line, character });

describe('properties parser (java.util.Properties semantics)', () => {
  test('separators, comments and exact ranges', () => {
    const doc = parseProperties(['# comment', '! also a comment', 'a=1', '  b : two words ', 'c three', 'd', 'e=', 'f\\ g=h'].join('\n'));
    assert.deepEqual(doc.entries.map((e) => [e.key, e.value]), [['a', '1'], ['b', 'two words '], ['c', 'three'], ['d', ''], ['e', ''], ['f g', 'h']]);
    const b = doc.entries[1];
    assert.deepEqual(b.keyRange, { start: at(3, 2), end: at(3, 3) });
    assert.deepEqual(b.valueRange, { start: at(3, 6), end: at(3, 16) });
  });

  test('a trailing # is part of the value (only a line start makes a comment)', () => {
    const doc = parseProperties('disable_token_authorization=true  # temporary');
    assert.equal(doc.entries[0].value, 'true  # temporary');
  });

  test('line continuations: odd backslashes continue, leading blanks of the next line are dropped', () => {
    const doc = parseProperties('k = http://0.0.0.0:\\\n     8080\nx=a\\\\\ny=z');
    assert.deepEqual(doc.entries.map((e) => [e.key, e.value]), [['k', 'http://0.0.0.0:8080'], ['x', 'a\\'], ['y', 'z']]);
    assert.deepEqual(doc.entries[0].valueRange, { start: at(0, 4), end: at(1, 9) });
    // A comment line is never continued.
    const c = parseProperties('# a \\\nkey=v');
    assert.deepEqual(c.entries.map((e) => e.key), ['key']);
  });

  test('escapes: \\t \\n \\uXXXX, escaped separators; malformed \\u reported', () => {
    const doc = parseProperties('a\\:b=x\\ty\\u00e9\\=\nbad=\\u12');
    assert.deepEqual([doc.entries[0].key, doc.entries[0].value], ['a:b', 'x\tyé=']);
    assert.equal(doc.problems.length, 1);
    assert.deepEqual(doc.problems[0].range.start, at(1, 4));
  });

  test('CRLF line ends and the last definition wins', () => {
    const doc = parseProperties('a=1\r\nb=2\r\na=3\r\n');
    assert.equal(propertyValue(doc, 'a')?.value, '3');
    assert.deepEqual(propertyValue(doc, 'a')?.valueRange, { start: at(2, 2), end: at(2, 3) });
  });

  test('embedded in YAML: positions map through the block scalar indentation', () => {
    const yaml = ['data:', '  config.properties: |', '    inference_address=http://0.0.0.0:8080', '    disable_token_authorization=true'].join('\n');
    const embedded = { name: 'config.properties', text: 'inference_address=http://0.0.0.0:8080\ndisable_token_authorization=true\n', lines: [at(2, 4), at(3, 4), at(4, 0)], range: { start: at(2, 4), end: at(3, 36) }, owner: 'ConfigMap/ts' };
    const [source] = embeddedPropertiesSources([embedded]);
    const e = propertyValue(source.doc, 'disable_token_authorization')!;
    assert.deepEqual(e.valueRange, { start: at(3, 32), end: at(3, 36) });
    assert.equal(yaml.split('\n')[3].slice(32, 36), 'true');
    assert.deepEqual(embeddedPositionAt(embedded)(0), at(2, 4));
  });

  test('pathological input stays linear', () => {
    const started = Date.now();
    parseProperties('\\\n'.repeat(200_000) + 'k=' + 'v'.repeat(500_000));
    parseProperties('a=b\n'.repeat(200_000));
    assert.ok(Date.now() - started < 3000);
  });
});

describe('JSON parser (positions)', () => {
  test('values and ranges', () => {
    const doc = parseJson('{\n  "model": "Qwen/Qwen-7B-Chat",\n  "trust_remote_code": true,\n  "n": -1.5e3, "a": [null, false]\n}');
    assert.deepEqual(doc.problems, []);
    const t = member(doc.root, 'trust_remote_code')!;
    assert.deepEqual(t.value.range, { start: at(2, 23), end: at(2, 27) });
    assert.deepEqual(t.keyRange, { start: at(2, 2), end: at(2, 21) });
    const n = member(doc.root, 'n')!.value;
    assert.ok(n.type === 'number' && n.value === -1500);
  });

  test('errors are positioned; deep nesting is bounded', () => {
    const doc = parseJson('{"a": tru}');
    assert.equal(doc.root, undefined);
    assert.deepEqual(doc.problems[0].range.start, at(0, 6));
    const deep = parseJson('['.repeat(100_000));
    assert.match(deep.problems[0].message, /nesting deeper/);
    assert.equal(parseJson('"abc').problems[0].message, 'unterminated string');
  });
});
