import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveDocumentSettings } from '../../server/src/lsp/document-settings';
import { DEFAULT_SETTINGS, parseSettings, type ServerSettings } from '../../server/src/lsp/settings';
import type { TeamConfig } from '../../server/src/config/team-config';
import { REPO_ROOT } from '../helpers/fixtures';

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const declared: Record<string, { scope?: string; markdownDescription?: string; default?: unknown; enum?: string[] }> = manifest.contributes.configuration.properties;

/** What VS Code sends when nobody changed anything: every declared default. */
function vscodeDefaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(declared)) {
    const name = key.replace(/^modellint\./, '');
    if (name.includes('.')) continue; // trace.server is read by the client library
    out[name] = spec.default;
  }
  return out;
}

const editor = (over: Partial<ServerSettings> = {}): ServerSettings => ({ ...DEFAULT_SETTINGS, severity: {}, ...over });

describe('settings contract: package.json ↔ server', () => {
  test('the declared defaults parse without problems into the server defaults', () => {
    const { settings, problems } = parseSettings(vscodeDefaults());
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, { ...DEFAULT_SETTINGS, severity: {} });
  });

  test('every setting has a scope and a markdownDescription; paths are machine-overridable and restricted', () => {
    for (const [key, spec] of Object.entries(declared)) {
      assert.ok(spec.scope, `${key} has a scope`);
      assert.ok(spec.markdownDescription, `${key} has a markdownDescription`);
    }
    assert.equal(declared['modellint.trace.server'].scope, 'window');
    for (const key of ['enable', 'run', 'configurationPreference', 'severity', 'select', 'ignore']) assert.equal(declared[`modellint.${key}`].scope, 'resource', key);
    assert.equal(declared['modellint.hfCache'].scope, 'machine-overridable');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['modellint.hfCache']);
    assert.deepEqual(declared['modellint.run'].enum, ['onType', 'onSave']);
    assert.deepEqual(declared['modellint.configurationPreference'].enum, ['filesystemFirst', 'editorFirst', 'editorOnly']);
  });

  test('every key the server reads is declared', () => {
    const raw = { enable: false, run: 'onSave', configurationPreference: 'editorOnly', severity: { a: 'off' }, select: ['python'], ignore: ['x'], hfCache: '/c' };
    const { settings, problems } = parseSettings(raw);
    assert.deepEqual(problems, []);
    for (const key of Object.keys(settings)) assert.ok(declared[`modellint.${key}`], `modellint.${key} is declared in package.json`);
  });

  test('invalid values fall back to defaults with one message each (partial settings, never a failure)', () => {
    const { settings, problems } = parseSettings({ enable: 'yes', run: 'always', configurationPreference: 1, severity: { a: 'fatal', b: 'info' }, select: 'python', hfCache: 3 });
    assert.deepEqual(settings, { ...DEFAULT_SETTINGS, severity: { b: 'info' } });
    assert.equal(problems.length, 6);
    assert.deepEqual(parseSettings('nonsense').problems, ['the "modellint" settings section is not an object; using defaults']);
  });
});

describe('document settings: editor settings ⊕ team config', () => {
  const config: TeamConfig = { file: '/repo/modellint.toml', select: ['python'], ignore: ['pickle-load'], severity: { 'torch-load-unsafe': 'error' }, extendExclude: ['gen'], hfCache: 'cache', trustedRepos: ['acme/*'], torchVersion: '2.4.0' };
  const scope = { file: '/repo/src/a.py', folder: '/repo', trusted: true };

  test('filesystemFirst: the file wins, the editor fills gaps', () => {
    const s = resolveDocumentSettings(editor({ severity: { 'torch-load-unsafe': 'info', 'joblib-load': 'info' }, ignore: ['yaml-unsafe-load'] }), config, scope);
    assert.deepEqual(s.selection, { select: ['python'], ignore: ['pickle-load'], severity: { 'torch-load-unsafe': 'error', 'joblib-load': 'info' } });
    assert.deepEqual(s.options, { trustedRepos: ['acme/*'], torchVersion: '2.4.0' });
    assert.equal(s.hfCache, '/repo/cache');
    assert.equal(s.configFile, '/repo/modellint.toml');
  });

  test('editorFirst: editor values win; editor select replaces the file lists; off disables', () => {
    const s = resolveDocumentSettings(editor({ configurationPreference: 'editorFirst', severity: { 'torch-load-unsafe': 'off' }, hfCache: '/mine' }), config, scope);
    assert.deepEqual(s.selection, { select: ['python'], ignore: ['pickle-load', 'torch-load-unsafe'], severity: {} });
    assert.equal(s.hfCache, '/mine');
    const sel = resolveDocumentSettings(editor({ configurationPreference: 'editorFirst', select: ['pickle-load'] }), config, scope);
    assert.deepEqual(sel.selection.select, ['pickle-load']);
    assert.deepEqual(sel.selection.ignore, []);
  });

  test('editorOnly: the file is ignored (including its excludes)', () => {
    const s = resolveDocumentSettings(editor({ configurationPreference: 'editorOnly' }), config, { ...scope, file: '/repo/gen/a.py' });
    assert.deepEqual(s.selection, { select: undefined, ignore: [], severity: {} });
    assert.equal(s.excludedBy, undefined);
    assert.equal(s.configFile, undefined);
  });

  test('exclusion relative to the config folder; the workspace folder itself is never excluded', () => {
    assert.equal(resolveDocumentSettings(editor(), config, { ...scope, file: '/repo/gen/a.py' }).excludedBy, '/repo/modellint.toml');
    assert.equal(resolveDocumentSettings(editor(), undefined, { file: '/w/build/a.py', folder: '/w', trusted: true }).excludedBy, 'the default exclusions');
    assert.equal(resolveDocumentSettings(editor(), undefined, { file: '/w/build/a.py', folder: '/w/build', trusted: true }).excludedBy, undefined);
    assert.equal(resolveDocumentSettings(editor(), undefined, { file: '/elsewhere/build/a.py', trusted: true }).excludedBy, undefined, 'no folder, no file: nothing to be relative to');
  });

  test('untrusted workspaces ignore path settings from the file and the editor', () => {
    const s = resolveDocumentSettings(editor({ hfCache: '/mine' }), config, { ...scope, trusted: false });
    assert.equal(s.hfCache, undefined);
  });
});
