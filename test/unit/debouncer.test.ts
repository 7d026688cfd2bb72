import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Debouncer } from '../../server/src/lsp/debouncer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Debouncer', () => {
  test('trailing: a burst runs once, after the delay', async () => {
    const d = new Debouncer();
    let runs = 0;
    for (let i = 0; i < 5; i++) d.schedule('a', 20, () => runs++);
    await sleep(5);
    assert.equal(runs, 0);
    await sleep(40);
    assert.equal(runs, 1);
  });

  test('leading: an isolated change runs at once; changes of the same tick run once; a burst after it is coalesced', async () => {
    const d = new Debouncer();
    let runs = 0;
    d.schedule('a', 30, () => runs++, true);
    d.schedule('a', 30, () => runs++, true); // same tick
    await new Promise((r) => setImmediate(r));
    assert.equal(runs, 1);
    // Within the quiet period: coalesced into one trailing run.
    for (let i = 0; i < 4; i++) {
      d.schedule('a', 30, () => runs++, true);
      await sleep(2);
    }
    assert.equal(runs, 1);
    await sleep(60);
    assert.equal(runs, 2);
    // After a quiet period: immediate again.
    d.schedule('a', 30, () => runs++, true);
    await new Promise((r) => setImmediate(r));
    assert.equal(runs, 3);
  });

  test('cancel drops a pending run; keys are independent', async () => {
    const d = new Debouncer();
    const seen: string[] = [];
    d.schedule('a', 10, () => seen.push('a'));
    d.schedule('b', 10, () => seen.push('b'), true);
    d.cancel('a');
    await sleep(30);
    assert.deepEqual(seen, ['b']);
    d.schedule('c', 10, () => seen.push('c'), true);
    d.cancelAll();
    await sleep(30);
    assert.deepEqual(seen, ['b']);
  });
});
