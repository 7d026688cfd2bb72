import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, expandSnippet, fixAllEdits, preferredFix } from '../../server/src/engine/fixes';
import { buildPythonFacts } from '../../server/src/languages/python/facts';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allRules } from '../../server/src/rules/index';
import { fixtureFiles, fixtureText, RULE_FIXTURES, analyzeFixtureText, countByRule } from '../helpers/fixtures';
import { parsePbtxt } from '../../server/src/languages/pbtxt/parser';
import { parseJson } from '../../server/src/languages/json/parser';

before(() => initParsers());

const analyze = analyzeFixtureText;
const counts = countByRule;

function assertParses(file: string, text: string, what: string): void {
  if (file.endsWith('.pbtxt')) {
    const before = parsePbtxt(fixtureText(file, fs.readFileSync(file, 'utf8'))).problems.length;
    assert.ok(parsePbtxt(text).problems.length <= before, `${what} leaves a config.pbtxt syntax error`);
    return;
  }
  if (file.endsWith('.json')) {
    assert.deepEqual(parseJson(text).problems, [], `${what} leaves invalid JSON`);
    return;
  }
  if (!file.endsWith('.py')) return;
  const facts = buildPythonFacts(text);
  try {
    assert.ok(!facts.hasSyntaxErrors, `${what} leaves a syntax error`);
  } finally {
    facts.dispose();
  }
}

for (const rule of allRules) {
  const root = path.join(RULE_FIXTURES, rule.meta.id);
  if (!fs.existsSync(root)) continue;
  describe(`quick-fixes of ${rule.meta.id}`, () => {
    for (const file of fixtureFiles(root).filter((f) => !f.endsWith('.ipynb'))) {
      test(path.relative(root, file), () => {
        const text = fixtureText(file, fs.readFileSync(file, 'utf8'));
        const before = analyze(file, root, text);
        const beforeCounts = counts(before);
        for (const f of before) {
          const fix = preferredFix(f);
          if (!fix) continue;
          const what = `"${fix.title}" for ${f.ruleId} at line ${f.range.start.line + 1}`;
          const fixed = applyEdits(text, fix.edits.map((e) => ({ ...e, newText: expandSnippet(e.newText) })));
          assertParses(file, fixed, what);
          if (fix.snippet) continue; // a placeholder the user still has to fill in
          const after = counts(analyze(file, root, fixed));
          assert.ok((after.get(f.ruleId) ?? 0) <= (beforeCounts.get(f.ruleId) ?? 0) - 1, `${what} does not remove the finding`);
          for (const [id, n] of after) if (id !== f.ruleId) assert.ok(n <= (beforeCounts.get(id) ?? 0), `${what} introduces ${id}`);
        }
        // Fix-all: one edit set, applied once, then nothing left to fix, and idempotent.
        const edits = fixAllEdits(before);
        if (edits.length === 0) return;
        const once = applyEdits(text, edits);
        assertParses(file, once, 'fix-all');
        assert.deepEqual(fixAllEdits(analyze(file, root, once)), [], 'fix-all leaves nothing to fix (idempotent)');
      });
    }
  });
}
