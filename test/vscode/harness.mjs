// Shared pieces of the code-server based test runners (test/vscode and test/ui):
// run directories, Chromium through playwright-core, workbench log filtering.
import { appendFileSync, cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium as playwright } from 'playwright-core';
import { browserEnv, cacheDir, chromiumArgs } from '../../scripts/vscode-env.mjs';

/** A fresh run directory under .cache/<kind>/; older runs of the same kind are removed. */
export function freshRunDir(kind) {
  const parent = join(cacheDir, kind);
  mkdirSync(parent, { recursive: true });
  for (const d of readdirSync(parent)) {
    const p = join(parent, d);
    const pid = Number(d.replace(/^run-/, ''));
    let alive = false;
    if (pid && pid !== process.pid) { try { process.kill(pid, 0); alive = true; } catch { alive = false; } }
    // keep directories of runs that are still going (two runners may share a machine)
    if (!alive) rmSync(p, { recursive: true, force: true });
  }
  const dir = join(parent, `run-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Copies a workspace folder into the run directory (tests may write settings into it). */
export function copyWorkspace(src, runDir, name = 'workspace') {
  const dest = join(runDir, name);
  cpSync(src, dest, { recursive: true });
  return dest;
}

/** Launches Debian's Chromium headless with an isolated profile and HOME. */
export async function launchBrowser({ runDir, executablePath, viewport = { width: 1400, height: 900 } }) {
  const profile = join(runDir, 'chromium-profile');
  mkdirSync(profile, { recursive: true });
  const context = await playwright.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: chromiumArgs.filter((a) => a !== '--headless'),
    env: browserEnv(runDir),
    viewport,
    timeout: 60_000,
  });
  return context;
}

// Harmless noise in this offline environment (runtime.md §10.8 item 6).
const NOISE = [
  /open-vsx\.org/i, /events\.data\.microsoft\.com/i, /api\.github\.com/i, /vsda/i, /ERR_NAME_NOT_RESOLVED/,
  /getaddrinfo/i, /marketplace/i, /copilot/i, /agentHost/i, /Failed to fetch/i, /ENOTFOUND/,
  /update\.code\.visualstudio\.com/i, /authentication provider 'github'/, /default\.json/, /net::ERR_/, /telemetry/i, /ms-vscode\.remote-server/,
];

/** Returns a logger that writes everything to a file and echoes the interesting lines. */
export function workbenchLogger(file, { echo = (line) => /modellint|\[test\]|extension host|activat|Error:/i.test(line) } = {}) {
  writeFileSync(file, '');
  const t0 = Date.now();
  return (line) => {
    const text = `+${((Date.now() - t0) / 1000).toFixed(1)}s ${line}`;
    appendFileSync(file, `${text}\n`);
    if (NOISE.some((re) => re.test(text))) return;
    if (echo(text)) process.stdout.write(`  | ${text.length > 400 ? `${text.slice(0, 400)}…` : text}\n`);
  };
}

/** Bounded promise: rejects after ms with a message naming what it waited for. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]);
}

export function seconds(t0) {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}
