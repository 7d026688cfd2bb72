import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allRules } from '../../server/src/rules/index';
import { analyzeFixture, compareWithExpectations, fixtureFiles, RULE_FIXTURES } from '../helpers/fixtures';

before(() => initParsers());

for (const rule of allRules) {
  const dir = path.join(RULE_FIXTURES, rule.meta.id);
  describe(`fixtures of ${rule.meta.id}`, () => {
    const files = fs.existsSync(dir) ? fixtureFiles(dir) : [];
    for (const file of files) {
      test(path.relative(dir, file), () => {
        const problems = compareWithExpectations(file, analyzeFixture(file, dir));
        assert.deepEqual(problems, []);
      });
    }
  });
}
