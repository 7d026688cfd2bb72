#!/usr/bin/env node
// Runs an extension test suite inside a real VS Code extension host: code-server 4.139.1
// (VS Code 1.139.1) started with the smoke-test driver, bootstrapped by headless Chromium,
// which opens the workbench with a payload naming extensionDevelopmentPath and
// extensionTestsPath (runtime.md §10.5). The workbench reports the suite's result through
// codeAutomationExit; the suite writes per-test results to $MODELLINT_TEST_RESULTS.
//
//   npm run test:vscode
//   node test/vscode/run.mjs [--no-build] [--grep REGEX] [--tests FILE] [--folder DIR] [--extension DIR]
//
// The last line printed is "N passed, N failed"; the exit code is 0 only if all passed.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ensureAll, profileDirs, root, startCodeServer, stopGroup, writeUserSettings,
} from '../../scripts/vscode-env.mjs';
import { build } from '../../scripts/package-vsix.mjs';
import { copyWorkspace, freshRunDir, launchBrowser, seconds, withTimeout, workbenchLogger } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const defaultSuite = join(here, 'suite', 'index.js');
export const defaultWorkspace = join(here, 'fixtures', 'workspace');

/**
 * Starts code-server + Chromium, runs the suite and tears everything down.
 * Returns { code, passed, failed, results } where code is what the workbench reported.
 */
export async function runExtensionTests({
  extensionDevelopmentPath = root,
  extensionTestsPath = defaultSuite,
  workspace = defaultWorkspace,
  copy = true,
  resultsFile,
  timeoutMs = Number(process.env.MODELLINT_TEST_TIMEOUT_MS ?? 240_000),
} = {}) {
  const t0 = Date.now();
  const env = await ensureAll({ browser: true });
  const runDir = freshRunDir('test-vscode');
  const folder = copy ? copyWorkspace(workspace, runDir) : resolve(workspace);
  resultsFile ??= join(runDir, 'results.json');
  rmSync(resultsFile, { force: true });
  const { userDataDir, extensionsDir } = profileDirs(runDir);
  writeUserSettings(userDataDir);
  process.env.MODELLINT_TEST_RESULTS = resultsFile; // inherited by code-server → extension host
  process.env.MODELLINT_TEST_WORKSPACE = folder;

  let server;
  let browser;
  const log = workbenchLogger(join(runDir, 'workbench.log'));
  const screenshot = join(runDir, 'failure.png');
  try {
    let t = Date.now();
    server = await startCodeServer({
      node: env.node, runDir, userDataDir, extensionsDir,
      extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
    });
    console.log(`code-server listening on ${server.url} in ${seconds(t)}`);

    t = Date.now();
    browser = await launchBrowser({ runDir, executablePath: env.chromium });
    const page = browser.pages()[0] ?? await browser.newPage();
    let reportExit;
    const exited = new Promise((r) => { reportExit = r; });
    // Must be exposed before the workbench loads.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      log(`[${type}] ${Array.isArray(args) ? args.map(String).join(' ') : String(args)}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => { reportExit(Number(code)); });
    page.on('pageerror', (e) => log(`[pageerror] ${e.message}`));
    console.log(`chromium launched in ${seconds(t)}`);

    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(resolve(extensionDevelopmentPath))],
      ['extensionTestsPath', remote(resolve(extensionTestsPath))],
      ['skipWelcome', 'true'],
    ]);
    const url = `${server.url}?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`;
    t = Date.now();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    console.log(`workbench page loaded in ${seconds(t)}; running ${extensionTestsPath}`);

    let code;
    try {
      code = await withTimeout(exited, timeoutMs, 'the test suite to report codeAutomationExit');
    } catch (e) {
      await page.screenshot({ path: screenshot }).catch(() => undefined);
      console.log(`${e.message}\nscreenshot: ${screenshot}\ncode-server log tail:\n${server.logTail(30)}`);
      code = 1;
    }
    const report = readResults(resultsFile);
    if (code !== 0 && report.failed === 0) {
      // The suite did not get to report (e.g. it failed to load): count that as one failure.
      report.failed = 1;
      report.results.push({ name: '(suite did not complete)', ok: false, error: `workbench exit code ${code}` });
    }
    console.log(`workbench log: ${join(runDir, 'workbench.log')}; total ${seconds(t0)}`);
    return { code, ...report };
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    if (server) await stopGroup(server.child);
  }
}

function readResults(file) {
  if (!existsSync(file)) return { passed: 0, failed: 0, results: [] };
  const results = JSON.parse(readFileSync(file, 'utf8')).results ?? [];
  return { passed: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, results };
}

export function printReport({ results, passed, failed }) {
  for (const r of results) {
    console.log(`${r.ok ? '✔' : '✖'} ${r.name}${r.ms !== undefined ? ` (${r.ms} ms)` : ''}`);
    if (!r.ok && r.error) console.log(`    ${String(r.error).split('\n').join('\n    ')}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
}

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let outcome;
  try {
    if (arg('--grep')) process.env.MODELLINT_TEST_GREP = arg('--grep');
    if (!process.argv.includes('--no-build')) {
      const t = Date.now();
      build({ retries: 3 });
      console.log(`built in ${seconds(t)}`);
    }
    outcome = await runExtensionTests({
      extensionTestsPath: arg('--tests') ? resolve(arg('--tests')) : defaultSuite,
      workspace: arg('--folder') ? resolve(arg('--folder')) : defaultWorkspace,
      extensionDevelopmentPath: arg('--extension') ? resolve(arg('--extension')) : root,
    });
  } catch (e) {
    console.log(`runner error: ${e.stack ?? e}`);
    outcome = { passed: 0, failed: 1, results: [{ name: '(runner)', ok: false, error: e.message }] };
  }
  printReport(outcome);
  process.exit(outcome.failed === 0 && outcome.passed > 0 ? 0 : 1);
}
