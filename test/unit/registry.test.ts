import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectPathSync } from '../../server/src/models/inspect';
import { allRules } from '../../server/src/rules/index';
import { fixtureFiles, readExpectations, REPO_ROOT, RULE_FIXTURES } from '../helpers/fixtures';

const DOC_SECTIONS = ['## What it flags', '## Why it is risky', '## Example', '## How to fix', '## References'];

/** Rule id → model fixtures (test/fixtures/models/manifest.json) whose report carries a finding of it. */
let modelFixtureHits: Map<string, string[]> | undefined;
function modelFixtureRuleIds(): Map<string, string[]> {
  if (modelFixtureHits) return modelFixtureHits;
  const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'models');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { name: string }[];
  modelFixtureHits = new Map();
  for (const { name } of manifest) {
    for (const f of inspectPathSync(path.join(dir, name)).findings) {
      const list = modelFixtureHits.get(f.ruleId) ?? [];
      if (!list.includes(name)) list.push(name);
      modelFixtureHits.set(f.ruleId, list);
    }
  }
  return modelFixtureHits;
}

describe('rule registry', () => {
  test('ids are unique kebab-case', () => {
    const ids = allRules.map((r) => r.meta.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test('every rule file under server/src/rules is registered', () => {
    const registered = new Set(allRules.map((r) => r.meta.id));
    const dir = path.join(REPO_ROOT, 'server', 'src', 'rules');
    for (const group of fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const file of fs.readdirSync(path.join(dir, group.name))) {
        const text = fs.readFileSync(path.join(dir, group.name, file), 'utf8');
        const id = /^\s*id: '([a-z0-9-]+)'/m.exec(text)?.[1];
        if (id && /defineRule\(/.test(text)) assert.ok(registered.has(id), `${group.name}/${file} defines ${id} but rules/index.ts does not register it`);
        if (id && /defineRule\(/.test(text)) assert.equal(file, `${id}.ts`, 'one rule per file, named after its id');
      }
    }
  });

  for (const rule of allRules) {
    const id = rule.meta.id;
    test(`${id} has a docs page with every section`, () => {
      const page = path.join(REPO_ROOT, 'docs', 'rules', `${id}.md`);
      assert.ok(fs.existsSync(page), `missing docs/rules/${id}.md`);
      const text = fs.readFileSync(page, 'utf8');
      assert.ok(text.startsWith(`# ${id}`), `docs/rules/${id}.md must start with "# ${id}"`);
      for (const s of DOC_SECTIONS) assert.ok(text.includes(s), `docs/rules/${id}.md lacks "${s}"`);
    });

    // Rules of the `model-file` group are reported by the model scanner on binary files: their
    // fixtures are the model files in test/fixtures/models (manifest.json), each inspected here.
    if (rule.meta.group === 'model-file') {
      test(`${id} has a positive model fixture in test/fixtures/models`, () => {
        const hits = modelFixtureRuleIds().get(id) ?? [];
        assert.ok(hits.length >= 1, `${id}: no model fixture in test/fixtures/models reports it`);
      });
      test(`${id} metadata is complete`, () => {
        const m = rule.meta;
        assert.ok(m.title && m.summary && m.references.length > 0 && m.catalog.length > 0);
        assert.deepEqual(rule.check, {}, 'model-file rules are metadata only (the scanner reports them)');
      });
      continue;
    }

    test(`${id} has at least 3 positive and 3 negative fixtures`, () => {
      const dir = path.join(RULE_FIXTURES, id);
      assert.ok(fs.existsSync(dir), `missing test/fixtures/rules/${id}/`);
      let positive = 0;
      let negative = 0;
      for (const f of fixtureFiles(dir)) {
        for (const e of readExpectations(f)) {
          if (e.rules.includes(id)) positive++;
          if (e.none) negative++;
        }
      }
      assert.ok(positive >= 3, `${id}: ${positive} positive fixture lines (need 3)`);
      assert.ok(negative >= 3, `${id}: ${negative} negative fixture lines (need 3)`);
    });

    test(`${id} metadata is complete`, () => {
      const m = rule.meta;
      assert.ok(m.title && m.summary && m.references.length > 0 && m.catalog.length > 0);
      // Rules of the `meta` group are reported by the engine itself (e.g. unused-suppression).
      if (m.group !== 'meta') assert.ok(Object.keys(rule.check).length > 0);
    });
  }
});
