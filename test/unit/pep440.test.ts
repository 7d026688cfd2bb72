import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  allowsOnlyAtLeast,
  allowsOnlyBelow,
  compareVersions,
  intervalContains,
  isEmptyInterval,
  normalizeVersion,
  parseSpecifier,
  type VersionInterval,
} from '../../server/src/workspace/pep440';

/** Compact interval notation for assertions: "[2.5.1, 2.6)", "[2.6, *)", "(*, *)". */
function show(i: VersionInterval | undefined): string {
  if (!i) return 'invalid';
  const lo = i.min ? `${i.min.inclusive ? '[' : '('}${i.min.version}` : '(*';
  const hi = i.max ? `${i.max.version}${i.max.inclusive ? ']' : ')'}` : '*)';
  return `${lo}, ${hi}`;
}

describe('pep440 versions', () => {
  it('orders release segments numerically, padding with zeros', () => {
    assert.ok(compareVersions('2.10', '2.9') > 0);
    assert.equal(compareVersions('2.6', '2.6.0'), 0);
    assert.equal(compareVersions('2.6.0.0', '2.6'), 0);
    assert.ok(compareVersions('2.5.1', '2.6') < 0);
    assert.ok(compareVersions('1!0.1', '2024.1') > 0, 'epoch wins');
  });

  it('orders dev < pre < final < post', () => {
    const sorted = ['2.6.dev1', '2.6a1', '2.6b2', '2.6rc1', '2.6', '2.6.post1', '2.6.1'];
    for (let i = 0; i + 1 < sorted.length; i++) {
      assert.ok(compareVersions(sorted[i], sorted[i + 1]) < 0, `${sorted[i]} < ${sorted[i + 1]}`);
    }
    assert.ok(compareVersions('2.6a1.dev0', '2.6a1') < 0);
    assert.ok(compareVersions('2.6.post1.dev0', '2.6.post1') < 0);
    assert.ok(compareVersions('2.6.post1.dev0', '2.6') > 0);
  });

  it('ignores local labels and normalizes spellings', () => {
    assert.equal(compareVersions('2.5.1+cpu', '2.5.1'), 0);
    assert.equal(compareVersions('2.5.1+cu121', '2.5.1+cpu'), 0);
    assert.equal(normalizeVersion('v2.5.1'), '2.5.1');
    assert.equal(normalizeVersion('2.6.0-RC1'), '2.6.0rc1');
    assert.equal(normalizeVersion('1.0alpha2'), '1.0a2');
    assert.equal(normalizeVersion('1.0-1'), '1.0.post1');
    assert.equal(normalizeVersion('1.0.dev'), '1.0.dev0');
    assert.equal(normalizeVersion('2.5.1+cpu'), '2.5.1');
    assert.equal(normalizeVersion('not a version'), undefined);
  });

  it('never throws on junk', () => {
    assert.equal(typeof compareVersions('latest', '2.6'), 'number');
    assert.equal(typeof compareVersions('', ''), 'number');
  });
});

describe('pep440 specifiers', () => {
  const cases: [string, string][] = [
    ['==2.5.1', '[2.5.1, 2.5.1]'],
    ['==2.5.1+cpu', '[2.5.1, 2.5.1]'],
    ['>=2.6', '[2.6, *)'],
    ['>2.5', '(2.5, *)'],
    ['<2.6', '(*, 2.6)'],
    ['<=2.5.1', '(*, 2.5.1]'],
    ['>=2.4,<2.6', '[2.4, 2.6)'],
    ['>= 2.4 , < 2.6', '[2.4, 2.6)'],
    ['~=2.5.1', '[2.5.1, 2.6)'],
    ['~=2.5', '[2.5, 3)'],
    ['~=2.4.0', '[2.4.0, 2.5)'],
    ['==2.5.*', '[2.5, 2.6)'],
    ['===2.5.1', '[2.5.1, 2.5.1]'],
    ['!=2.5.0', '(*, *)'],
    ['>=2.0,!=2.5.*,<3', '[2.0, 3)'],
    ['>=2.4,>=2.5,<3,<2.7', '[2.5, 2.7)'],
    ['>=2.6,>2.6', '(2.6, *)'],
    ['', '(*, *)'],
    // Poetry
    ['^2.5', '[2.5, 3)'],
    ['^2.5.1', '[2.5.1, 3)'],
    ['^0.2.3', '[0.2.3, 0.3)'],
    ['^0.0.3', '[0.0.3, 0.0.4)'],
    ['^0.0', '[0.0, 0.1)'],
    ['^0', '[0, 1)'],
    ['~2.5', '[2.5, 2.6)'],
    ['~2.5.1', '[2.5.1, 2.6)'],
    ['~2', '[2, 3)'],
    ['2.5.*', '[2.5, 2.6)'],
    ['2.5.1', '[2.5.1, 2.5.1]'],
    ['*', '(*, *)'],
    ['>=2.4 <2.6', '[2.4, 2.6)'],
    ['^1.2 || ^2.0', '[1.2, 3)'],
    ['^2.0 || *', '(*, *)'],
  ];
  for (const [spec, expected] of cases) {
    it(`reads ${JSON.stringify(spec)} as ${expected}`, () => assert.equal(show(parseSpecifier(spec)), expected));
  }

  it('rejects what it cannot read', () => {
    for (const bad of ['==abc', '~=2', '>=2.5.*', '>>2', '2.5,,', '^1 ||', '${TORCH_VERSION}', '@ https://x']) {
      assert.equal(parseSpecifier(bad), undefined, bad);
    }
  });

  it('reports empty intersections', () => {
    assert.ok(isEmptyInterval(parseSpecifier('>=2.6,<2.5')!));
    assert.ok(isEmptyInterval(parseSpecifier('>2.5,<=2.5')!));
    assert.ok(!isEmptyInterval(parseSpecifier('>=2.5,<=2.5')!));
  });

  it('checks membership', () => {
    const i = parseSpecifier('>=2.4,<2.6')!;
    assert.ok(intervalContains(i, '2.5.1'));
    assert.ok(intervalContains(i, '2.4'));
    assert.ok(!intervalContains(i, '2.6.0'));
    assert.ok(!intervalContains(i, '2.3.9'));
  });
});

describe('allowsOnlyAtLeast / allowsOnlyBelow', () => {
  const atLeast = (spec: string) => allowsOnlyAtLeast(parseSpecifier(spec)!, '2.6');
  const below = (spec: string) => allowsOnlyBelow(parseSpecifier(spec)!, '2.6');

  it('needs a lower bound at or above the threshold', () => {
    assert.ok(atLeast('>=2.6'));
    assert.ok(atLeast('>=2.6.0'));
    assert.ok(atLeast('==2.7.1'));
    assert.ok(atLeast('~=2.6.0'));
    assert.ok(atLeast('^2.6'));
    assert.ok(atLeast('>2.6'));
    assert.ok(!atLeast('>2.5'), '2.5.5 is allowed');
    assert.ok(!atLeast('>=2.6.0rc1'), 'a release candidate precedes 2.6');
    assert.ok(!atLeast('<3'));
    assert.ok(!atLeast(''));
  });

  it('needs an upper bound below (or excluding) the threshold', () => {
    assert.ok(below('==2.5.1'));
    assert.ok(below('<2.6'));
    assert.ok(below('<2.6.0'));
    assert.ok(below('<=2.5.1'));
    assert.ok(below('~=2.4.0'));
    assert.ok(below('~=2.5.1'));
    assert.ok(below('==2.5.*'));
    assert.ok(below('~2.5'));
    assert.ok(!below('<=2.6'));
    assert.ok(!below('~=2.5'), '~=2.5 allows 2.9');
    assert.ok(!below('^2.5'));
    assert.ok(!below('>=2.4'));
    assert.ok(!below('==2.6.0'));
  });
});
