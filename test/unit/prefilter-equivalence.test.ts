import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allRules } from '../../server/src/rules/index';
import type { Rule } from '../../server/src/engine/rule';
import { detectInputKind } from '../../server/src/languages/detect';
import { FileAnalyzer, type CheckFinding } from '../../server/src/cli/analyze-file';
import { FsWorkspace } from '../../server/src/workspace/fs-workspace';
import { fixtureFiles, RULE_FIXTURES } from '../helpers/fixtures';

before(() => initParsers());

/**
 * The prefilters (the CLI's byte pass, the engine's trigger words outside comments and docstrings)
 * and the call words that locate calls must never lose a finding: over every rule fixture, the
 * CLI's analysis equals an analysis with no triggers and no call words at all (every Python file
 * parsed, every call collected).
 */
const exhaustive: Rule[] = allRules.map((r) => ({ ...r, triggers: undefined, callWords: undefined }));

function analyzer(rules: readonly Rule[], root: string): FileAnalyzer {
  const workspace = new FsWorkspace({ roots: [root], hfCache: path.join(root, '.hf-cache'), env: {} });
  return new FileAnalyzer({ rules, lineTexts: false, settingsFor: () => ({ key: 'fixtures', selection: {}, options: { trustedRepos: [] }, workspace }) });
}

const show = (f: CheckFinding) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.ruleId} ${f.message}`;

describe('prefilters and call words lose no finding', () => {
  for (const rule of allRules) {
    const dir = path.join(RULE_FIXTURES, rule.meta.id);
    if (!fs.existsSync(dir)) continue;
    const files = fixtureFiles(dir).filter((f) => /\.(py|ipynb)$/.test(f));
    if (files.length === 0) continue;
    test(rule.meta.id, () => {
      const fast = analyzer(allRules, dir);
      const slow = analyzer(exhaustive, dir);
      for (const abs of files) {
        const file = { abs, rel: path.relative(dir, abs), kind: detectInputKind(abs)! };
        const a = fast.analyze(file);
        const b = slow.analyze(file);
        assert.deepEqual(a.errors, []);
        assert.deepEqual(a.findings.map(show), b.findings.map(show), file.rel);
      }
    });
  }
});
