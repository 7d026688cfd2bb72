import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TriggerMatcher } from '../../server/src/engine/trigger-matcher';

import { mulberry32 } from '../helpers/prng';

describe('TriggerMatcher (the prefilter)', () => {
  test('a group matches when all its words occur, in any order and overlapping', () => {
    const m = new TriggerMatcher([['torch', 'load'], ['hf_'], ['subprocess', 'hf']]);
    assert.equal(m.matches('import torch\nx = torch.load(p)'), true);
    assert.equal(m.matches('x = load(p)  # nothing imported'), false);
    assert.equal(m.matches('self.hf_token = 1'), true);
    // "hf" is implied by "hf_", and found even where a longer word starts one character earlier.
    assert.equal(m.matches('subprocess.run(["hf_cli"])'), true);
    assert.equal(m.matches('subprocess.run(["ls"])'), false);
  });

  test('same answer as checking every word with includes()', () => {
    const groups = [['torch', 'load'], ['API_KEY'], ['_API_KEY'], ['yaml', 'load'], ['pickle'], ['distributed', '_object']];
    const m = new TriggerMatcher(groups);
    const texts = ['MY_API_KEY = 1', 'API_KEY', 'yaml.safe_load', 'torch.distributed.all_gather_object', 'unpickler', 'nothing', 'loadtorch'];
    for (const t of texts) assert.equal(m.matches(t), groups.some((g) => g.every((w) => t.includes(w))), t);
  });

  test('bytes and strings give the same answers as includes(), on random texts', () => {
    const groups = [['torch', 'load'], ['load_url'], ['hf_'], ['hf'], ['pickle', 'Unpickler'], ['os.system'], ['a', 'ab', 'abc'], ['bca']];
    const m = new TriggerMatcher(groups);
    const words = [...new Set(groups.flat())];
    const rand = mulberry32(7);
    const alphabet = ['a', 'b', 'c', 'h', 'f', '_', '.', ' ', 'é', '\n', ...words];
    for (let k = 0; k < 2000; k++) {
      let t = '';
      const len = Math.floor(rand() * 12);
      for (let i = 0; i < len; i++) t += alphabet[Math.floor(rand() * alphabet.length)];
      const expected = groups.some((g) => g.every((w) => t.includes(w)));
      assert.equal(m.matches(t), expected, JSON.stringify(t));
      assert.equal(m.matches(Buffer.from(t, 'utf8')), expected, JSON.stringify(t));
      assert.deepEqual([...m.present(t)].sort(), words.filter((w) => t.includes(w)).sort(), JSON.stringify(t));
    }
  });

  test('non-ASCII characters restart the search and never match a word', () => {
    const m = new TriggerMatcher([['pickle']]);
    assert.equal(m.matches('pic\u00e9kle'), false);
    assert.equal(m.matches(Buffer.from('\u00e9pickle\u00e9', 'utf8')), true);
    assert.throws(() => new TriggerMatcher([['pické']]));
  });
});
