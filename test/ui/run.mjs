#!/usr/bin/env node
// UI end-to-end test in headless Chromium against code-server (runtime.md §10.4): the packaged
// .vsix is installed into an isolated profile, a copy of examples/ is opened, train.py is opened
// through Quick Open, and we wait for the squiggle, its hover and the Problems panel row; then a
// model file opens in the preview panel (tensor table, filter) and file-derived HTML shows as text.
// Screenshots go to test-results/ (gitignored); --update-docs copies the best into docs/images/.
//
//   npm run test:ui
//   node test/ui/run.mjs [--no-build] [--vsix FILE] [--update-docs]
//
// The last line printed is "N passed, N failed"; the exit code is 0 only if all passed.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  codeServerCli, ensureAll, profileDirs, root, startCodeServer, stopGroup, writeUserSettings,
} from '../../scripts/vscode-env.mjs';
import { build, packageVsix } from '../../scripts/package-vsix.mjs';
import { copyWorkspace, freshRunDir, launchBrowser, seconds, workbenchLogger } from '../vscode/harness.mjs';

const FILE = 'train.py';
const RULE = 'torch-load-unsafe';
const resultsDir = join(root, 'test-results');
const docsImages = join(root, 'docs', 'images');

const steps = [];
function step(name, timeoutMs, fn) {
  steps.push({ name, timeoutMs, fn });
}

// Each step gets the shared context { page, ... } and must finish within its timeout.
step('workbench loads with the examples folder', 120_000, async ({ page, timeoutMs }) => {
  await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
  await page.locator(`.explorer-folders-view .monaco-list-row[aria-label*="${FILE}"]`).waitFor({ timeout: timeoutMs });
});

step(`Quick Open opens ${FILE}`, 60_000, async ({ page, timeoutMs }) => {
  await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: timeoutMs });
  await input.fill(FILE);
  // Wait for the row before pressing Enter (runtime.md §10.8 pitfall 5).
  await page.locator(`.quick-input-list .monaco-list-row[aria-label*="${FILE}"]`).first().waitFor({ timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[aria-label*="${FILE}"]`).waitFor({ timeout: timeoutMs });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: timeoutMs });
});

const RISKY_LINE = 'checkpoint = torch.load(path, map_location="cpu")';

step('a squiggle appears under risky model loading', 90_000, async ({ page, timeoutMs, shot }) => {
  // Squiggles render only for visible lines: go to the unsafe torch.load in resume() first.
  const { line, column } = positionOf(RISKY_LINE, 'torch.load');
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').waitFor({ timeout: timeoutMs });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor({ timeout: timeoutMs });
  await shot('ui-editor-squiggles.png');
});

step(`the hover names ${RULE}`, 60_000, async ({ page, timeoutMs, shot }) => {
  // The cursor is on the flagged call: ask for the hover from the keyboard (Ctrl+K Ctrl+I).
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  await page.locator(`.monaco-hover:visible :text("${RULE}")`).first().waitFor({ timeout: timeoutMs });
  await shot('ui-hover.png');
  await page.keyboard.press('Escape');
});

step(`the Problems panel lists ${RULE}`, 60_000, async ({ page, timeoutMs, shot }) => {
  await page.keyboard.press('Control+Shift+M');
  await page.locator(`.markers-panel .monaco-list-row :text("${RULE}")`).first().waitFor({ timeout: timeoutMs });
  await shot('ui-problems-panel.png');
});

// ---------------------------------------------------------------------------------------------
// The model preview (client/src/preview): a custom editor whose webview is an iframe in an iframe.

const MODEL = 'models/classifier.safetensors';
const HTML_MODEL = 'models/html-in-metadata.safetensors';
const XSS = '<img src=x onerror=alert(1)>';

/** The visible preview's document: outer webview iframe → inner #active-frame. */
function previewFrame(page) {
  return page.locator('iframe.webview.ready:visible').last().contentFrame().locator('#active-frame').contentFrame();
}

async function quickOpen(page, rel, timeoutMs) {
  const name = rel.split('/').pop();
  const input = page.locator('.quick-input-widget input');
  // A key press can land in a webview that is going away: focus the workbench and retry Ctrl+P.
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 2, y: 2 } }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    try {
      await input.waitFor({ timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
  await input.fill(rel);
  await page.locator(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`).first().waitFor({ timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor({ timeout: timeoutMs });
}

step(`the model preview opens ${MODEL} with its tensor table`, 90_000, async ({ page, timeoutMs, shot }) => {
  // Hide the Problems panel so the screenshot shows the whole preview.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+J');
  await page.locator('.markers-panel').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
  await quickOpen(page, MODEL, timeoutMs);
  const frame = previewFrame(page);
  await frame.locator('#tensor-table td.name', { hasText: 'fc.weight' }).waitFor({ timeout: timeoutMs });
  await frame.locator('#verdict', { hasText: 'SAFE' }).waitFor({ timeout: timeoutMs });
  await frame.locator('#format', { hasText: 'safetensors' }).waitFor({ timeout: timeoutMs });
  const rows = await frame.locator('#tensor-table tbody tr').count();
  if (rows !== 3) throw new Error(`expected 3 tensor rows, saw ${rows}`);
  // The filter box narrows the table.
  await frame.locator('#tensor-filter').fill('bias');
  await frame.locator('#tensor-table tbody tr').first().waitFor({ timeout: timeoutMs });
  const filtered = await frame.locator('#tensor-table tbody tr').count();
  if (filtered !== 1) throw new Error(`expected 1 row after filtering for "bias", saw ${filtered}`);
  await frame.locator('#tensor-filter').fill('');
  await frame.locator('#tensor-table tbody tr').nth(2).waitFor({ timeout: timeoutMs });
  await frame.locator('#tensor-filter').blur();
  await frame.locator('h1').scrollIntoViewIfNeeded();
  await shot('ui-model-preview.png');
});

step('file-derived HTML in the preview shows as text, never as markup', 90_000, async ({ page, timeoutMs, shot }) => {
  await page.keyboard.press('Control+W');
  await quickOpen(page, HTML_MODEL, timeoutMs);
  const frame = previewFrame(page);
  await frame.locator('#verdict').waitFor({ timeout: timeoutMs });
  await frame.getByText(XSS, { exact: true }).first().waitFor({ timeout: timeoutMs });
  const imgs = await frame.locator('img').count();
  if (imgs !== 0) throw new Error(`${imgs} <img> element(s) in the preview: file data was rendered as HTML`);
  const body = await frame.locator('body').evaluate((b) => ({ text: b.textContent, html: b.innerHTML }));
  if (!body.text.includes(XSS)) throw new Error('the metadata value is not shown as text');
  if (body.html.includes(XSS)) throw new Error('the metadata value appears unescaped in the markup');
  await shot('ui-model-preview-html-as-text.png');
});

/** 1-based line and column of `token` on the first line of examples/train.py containing `text`. */
function positionOf(text, token) {
  const lines = readFileSync(join(root, 'examples', FILE), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`examples/${FILE} no longer contains ${text}`);
  return { line: i + 1, column: lines[i].indexOf(token) + 1 };
}

async function main() {
  const t0 = Date.now();
  const results = [];
  let server;
  let browser;
  let runDir;
  try {
    let t = Date.now();
    const vsixArg = process.argv.indexOf('--vsix');
    if (vsixArg < 0 && !process.argv.includes('--no-build')) {
      build({ retries: 3 });
      console.log(`built in ${seconds(t)}`);
    }
    runDir = freshRunDir('test-ui');
    t = Date.now();
    const vsix = vsixArg > 0 ? resolve(process.argv[vsixArg + 1]) : packageVsix(join(runDir, 'modellint.vsix')).vsix;
    if (vsixArg < 0) console.log(`packaged in ${seconds(t)}`);
    const env = await ensureAll({ browser: true });
    const folder = copyWorkspace(join(root, 'examples'), runDir);
    const { userDataDir, extensionsDir } = profileDirs(runDir);
    t = Date.now();
    codeServerCli({ node: env.node, runDir, userDataDir, extensionsDir, args: ['--install-extension', vsix, '--force'] });
    writeUserSettings(userDataDir, { 'workbench.editor.enablePreviewFromQuickOpen': false });
    console.log(`installed the .vsix in ${seconds(t)}`);

    t = Date.now();
    server = await startCodeServer({ node: env.node, runDir, userDataDir, extensionsDir, folder });
    console.log(`code-server listening on ${server.url} in ${seconds(t)}`);
    browser = await launchBrowser({ runDir, executablePath: env.chromium });
    const page = browser.pages()[0] ?? await browser.newPage();
    const log = workbenchLogger(join(runDir, 'browser-console.log'), { echo: () => false });
    page.on('console', (m) => log(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log(`[pageerror] ${e.message}`));
    mkdirSync(resultsDir, { recursive: true });
    const shots = [];
    const shot = async (name) => {
      const file = join(resultsDir, name);
      await page.screenshot({ path: file });
      shots.push(file);
      console.log(`  screenshot: ${file}`);
    };
    await page.goto(`${server.url}?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });

    let broken = false;
    for (const s of steps) {
      if (broken) { results.push({ name: s.name, ok: false, error: 'skipped after an earlier failure' }); continue; }
      const ts = Date.now();
      try {
        await s.fn({ page, timeoutMs: s.timeoutMs, shot });
        results.push({ name: s.name, ok: true, ms: Date.now() - ts });
        console.log(`✔ ${s.name} (${seconds(ts)}, at ${seconds(t0)})`);
      } catch (e) {
        broken = true;
        const file = join(resultsDir, 'ui-failure.png');
        await page.screenshot({ path: file }).catch(() => undefined);
        results.push({ name: s.name, ok: false, ms: Date.now() - ts, error: e.message.split('\n')[0] });
        console.log(`✖ ${s.name}: ${e.message.split('\n')[0]}`);
        console.log(`  failure screenshot: ${file}`);
        console.log(`  code-server log tail:\n${server.logTail(25)}`);
        console.log(`  browser console: ${join(runDir, 'browser-console.log')}`);
      }
    }
    if (!broken && process.argv.includes('--update-docs')) {
      mkdirSync(docsImages, { recursive: true });
      for (const name of ['ui-problems-panel.png', 'ui-hover.png', 'ui-model-preview.png']) {
        copyFileSync(join(resultsDir, name), join(docsImages, name.replace(/^ui-/, '')));
      }
      console.log(`copied screenshots into ${docsImages}`);
    }
  } catch (e) {
    results.push({ name: '(setup)', ok: false, error: e.message });
    console.log(`setup failed: ${e.stack ?? e}`);
    if (server) console.log(`code-server log tail:\n${server.logTail(25)}`);
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    if (server) await stopGroup(server.child);
  }
  console.log(`total ${seconds(t0)}`);
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
