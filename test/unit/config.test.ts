import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigResolver, effectiveSettings } from '../../server/src/config/discovery';
import { configJsonSchema } from '../../server/src/config/json-schema';
import { parseConfigText } from '../../server/src/config/team-config';
import { allRules } from '../../server/src/rules/index';
import { REPO_ROOT } from '../helpers/fixtures';

const ids = new Set(allRules.map((r) => r.meta.id));
const groups = new Set<string>(allRules.map((r) => r.meta.group));

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modellint-config-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('team config parsing', () => {
  test('valid keys are read, invalid entries become ranged problems and the rest still applies', () => {
    const text = ['select = ["python", "nope-rule"]', 'torch-version = "2.6.0"', 'bogus = 1', '[severity]', 'pickle-load = "error"', 'joblib-load = "fatal"'].join('\n');
    const { config, problems } = parseConfigText(text, 'modellint', ids, groups);
    assert.deepEqual(config?.select, ['python']);
    assert.equal(config?.torchVersion, '2.6.0');
    assert.deepEqual(config?.severity, { 'pickle-load': 'error' });
    assert.deepEqual(
      problems.map((p) => [p.range.start.line, p.range.start.character, p.range.end.character]),
      [[0, 20, 31], [2, 0, 5], [5, 0, 11]],
    );
  });

  test('a TOML syntax error is one problem at its position, never a throw', () => {
    const { problems, config } = parseConfigText('select = ["python"\nignore = [', 'modellint', ids, groups);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /Invalid TOML/);
    assert.deepEqual(config, {});
  });

  test('pyproject.toml without [tool.modellint] is not a configuration', () => {
    assert.equal(parseConfigText('[project]\nname = "x"\n', 'pyproject', ids, groups).config, undefined);
    assert.deepEqual(parseConfigText('[tool.modellint]\nignore = ["pickle-load"]\n', 'pyproject', ids, groups).config?.ignore, ['pickle-load']);
  });
});

describe('config discovery', () => {
  test('nearest ancestor wins; in one folder .modellint.toml > modellint.toml > pyproject.toml', () => {
    const dir = tree({
      'pyproject.toml': '[tool.modellint]\nignore = ["pickle-load"]\n',
      'modellint.toml': 'ignore = ["joblib-load"]\n',
      'pkg/sub/train.py': '',
      'svc/pyproject.toml': '[tool.modellint]\nignore = ["yaml-unsafe-load"]\n',
      'svc/.modellint.toml': 'ignore = ["numpy-allow-pickle"]\n',
      'svc/app.py': '',
      'plain/pyproject.toml': '[project]\nname = "p"\n',
      'plain/x.py': '',
    });
    const r = new ConfigResolver(ids, groups);
    assert.deepEqual(r.forFile(path.join(dir, 'pkg/sub/train.py'))?.config?.ignore, ['joblib-load']);
    assert.deepEqual(r.forFile(path.join(dir, 'svc/app.py'))?.config?.ignore, ['numpy-allow-pickle']);
    // A pyproject.toml without [tool.modellint] does not stop the search.
    assert.equal(r.forFile(path.join(dir, 'plain/x.py'))?.file, path.join(dir, 'modellint.toml'));
  });

  test('invalidate picks up an edited file', () => {
    const dir = tree({ 'modellint.toml': 'ignore = ["joblib-load"]\n', 'a.py': '' });
    const r = new ConfigResolver(ids, groups);
    assert.deepEqual(r.forFile(path.join(dir, 'a.py'))?.config?.ignore, ['joblib-load']);
    fs.writeFileSync(path.join(dir, 'modellint.toml'), 'ignore = ["pickle-load"]\n');
    r.invalidate(path.join(dir, 'modellint.toml'));
    assert.deepEqual(r.forFile(path.join(dir, 'a.py'))?.config?.ignore, ['pickle-load']);
  });

  test('exclude globs are relative to the config folder; extend-exclude adds to the defaults', () => {
    const dir = tree({ 'modellint.toml': 'extend-exclude = ["notebooks/scratch", "*.gen.py"]\n' });
    const s = effectiveSettings(new ConfigResolver(ids, groups).forFile(path.join(dir, 'x.py'))?.config);
    assert.ok(s.isExcluded(path.join(dir, 'notebooks/scratch/a.py')));
    assert.ok(s.isExcluded(path.join(dir, 'src/model.gen.py')));
    assert.ok(s.isExcluded(path.join(dir, '.venv/lib/x.py')));
    assert.ok(!s.isExcluded(path.join(dir, 'notebooks/train.py')));
  });

  test('editorFirst lets the overlay win, filesystemFirst the file', () => {
    const cfg = { select: ['python'], severity: { 'pickle-load': 'error' as const } };
    assert.deepEqual(effectiveSettings(cfg, { select: ['torch-load-unsafe'] }, true).selection.select, ['torch-load-unsafe']);
    assert.deepEqual(effectiveSettings(cfg, { select: ['torch-load-unsafe'], severity: { 'pickle-load': 'info' } }, false).selection, {
      select: ['python'], ignore: [], severity: { 'pickle-load': 'error' },
    });
  });
});

describe('JSON schema', () => {
  test('the committed schema matches the generator (run scripts/generate-schema.mjs after changing keys or rules)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas', 'modellint.schema.json'), 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(configJsonSchema(allRules))));
  });
});
