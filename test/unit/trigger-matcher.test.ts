import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TriggerMatcher } from '../../server/src/engine/trigger-matcher';

describe('TriggerMatcher (the CLI byte prefilter)', () => {
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
});
