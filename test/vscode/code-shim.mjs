#!/usr/bin/env node
// A stand-in for the VS Code executable, for @vscode/test-electron's runTests({ vscodeExecutablePath }).
// It accepts the command line test-electron builds (runtime.md §10.6):
//   <folder> --no-sandbox … --extensionTestsPath=<suite> --extensionDevelopmentPath=<dir>
//   --extensions-dir=… --user-data-dir=…
// and runs the suite in code-server's extension host instead (test/vscode/run.mjs), exiting
// with the suite's result like VS Code does. Electron-only flags and profile dirs are ignored:
// the runner uses its own isolated profile under .cache/.
import { resolve } from 'node:path';
import { runExtensionTests } from './run.mjs';

const args = process.argv.slice(2);
const value = (name) => {
  const prefix = `--${name}=`;
  const hit = args.find((a) => a.startsWith(prefix));
  if (hit) return hit.slice(prefix.length);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const takesValue = new Set(['--extensionTestsPath', '--extensionDevelopmentPath', '--extensions-dir', '--user-data-dir', '--locale']);
const positional = args.filter((a, i) => !a.startsWith('-') && !takesValue.has(args[i - 1]));

const extensionTestsPath = value('extensionTestsPath');
const extensionDevelopmentPath = value('extensionDevelopmentPath');
if (!extensionTestsPath || !extensionDevelopmentPath) {
  console.error('code-shim: --extensionTestsPath and --extensionDevelopmentPath are required');
  process.exit(2);
}

let outcome;
try {
  outcome = await runExtensionTests({
    extensionTestsPath: resolve(extensionTestsPath),
    extensionDevelopmentPath: resolve(extensionDevelopmentPath),
    ...(positional[0] ? { workspace: resolve(positional[0]), copy: false } : {}),
    resultsFile: process.env.MODELLINT_TEST_RESULTS,
  });
} catch (e) {
  console.error(`code-shim: ${e.stack ?? e}`);
  process.exit(1);
}
console.log(`code-shim: workbench exit code ${outcome.code}; ${outcome.passed} test(s) passed and ${outcome.failed} failed`);
process.exit(outcome.code === 0 && outcome.failed === 0 ? 0 : 1);
