#!/usr/bin/env node
// `npm run test:desktop`: the extension-host suite through @vscode/test-electron's runTests().
//
// Here (no Electron VS Code can be downloaded) vscodeExecutablePath is test/vscode/code-shim.mjs,
// which maps test-electron's command line onto the code-server runner (runtime.md §10.6).
// On a desktop with network access, `node test/vscode/desktop.mjs --download` lets test-electron
// download a real VS Code instead, and MODELLINT_VSCODE_EXECUTABLE=/path/to/code uses an
// installed one; the suite (test/vscode/suite/index.js) is the same in every case.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { build } from '../../scripts/package-vsix.mjs';
import { cacheDir, root } from '../../scripts/vscode-env.mjs';
import { printReport } from './run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shim = join(here, 'code-shim.mjs');
const runDir = join(cacheDir, 'test-desktop');
const workspace = join(runDir, 'workspace');
const resultsFile = join(runDir, 'results.json');

let runError;
try {
  if (!process.argv.includes('--no-build')) build({ retries: 3 });
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  cpSync(join(here, 'fixtures', 'workspace'), workspace, { recursive: true });
  const vscodeExecutablePath = process.argv.includes('--download') ? undefined : (process.env.MODELLINT_VSCODE_EXECUTABLE || shim);
  await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: join(here, 'suite', 'index.js'),
    launchArgs: [workspace],
    extensionTestsEnv: { MODELLINT_TEST_RESULTS: resultsFile, ...(process.env.MODELLINT_TEST_GREP ? { MODELLINT_TEST_GREP: process.env.MODELLINT_TEST_GREP } : {}) },
  });
} catch (e) {
  runError = e;
  console.log(`runTests failed: ${e.message ?? e}`);
}

const results = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')).results : [];
if (runError && !results.some((r) => !r.ok)) results.push({ name: '(runTests)', ok: false, error: String(runError.message ?? runError) });
const passed = results.filter((r) => r.ok).length;
console.log('');
printReport({ results, passed, failed: results.length - passed });
process.exit(!runError && passed > 0 && passed === results.length ? 0 : 1);
