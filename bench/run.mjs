#!/usr/bin/env node
// ModelLint performance benchmarks (architecture.md §13). Run with `npm run bench`
// (which builds dist/ first) or `node bench/run.mjs` after `node scripts/build.mjs`.
//
//   node bench/run.mjs [--only editor,lsp,cli] [--runs 3] [--edits 50] [--lsp-edits 20]
//                      [--lsp-files 2000] [--lsp-no-tree-root] [--no-ruff] [--no-bandit] [--rebuild-tree]
//
// (a) editor: the engine, bundled from server/src, on a generated 10,000-line Python file:
//     first analysis, re-analysis after one-line edits (incremental parse), full analysis.
// (b) lsp: `node dist/server.js --stdio` as a push-only client: didOpen → publishDiagnostics,
//     didChange → publishDiagnostics, server RSS with the big file and after 2,000 more files.
//     The workspace folders are the big file's folder and the tree of (c) (--lsp-no-tree-root: only the former).
// (c) cli: `node dist/cli.js check` on a tree of real Python files (the machine's stdlib and
//     site-packages, built once under bench/.work/tree) side by side with Ruff and Bandit.
// (d) memory: the server RSS numbers of (b).
//
// Results go to bench/results.json; scratch files to bench/.work/ (gitignored).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildEngineBundle } from './lib/engine-bundle.mjs';
import { LspClient } from './lib/lsp-client.mjs';
import { editableLines, generatePythonModule, nextEdit } from './lib/pygen.mjs';
import { ensureTree } from './lib/tree.mjs';
import {
  fmtInt, fmtMB, fmtMs, fmtS, hasGnuTime, hwmOf, killAllChildren, median, round, rssOf, runCapture, runMeasured, summarize,
} from './lib/util.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(benchDir, '..');
const workDir = path.join(benchDir, '.work');
const dist = path.join(root, 'dist');

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const o = { only: new Set(['editor', 'lsp', 'cli']), runs: 3, edits: 50, fullRuns: 10, lspEdits: 20, lspFiles: 2000, lspTreeRoot: true, ruff: true, bandit: true, rebuildTree: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--only': o.only = new Set(value().split(',').map((s) => s.trim()).filter(Boolean)); break;
      case '--runs': o.runs = Math.max(1, Number(value())); break;
      case '--edits': o.edits = Math.max(1, Number(value())); break;
      case '--lsp-edits': o.lspEdits = Math.max(1, Number(value())); break;
      case '--lsp-files': o.lspFiles = Math.max(0, Number(value())); break;
      case '--lsp-no-tree-root': o.lspTreeRoot = false; break;
      case '--no-ruff': o.ruff = false; break;
      case '--no-bandit': o.bandit = false; break;
      case '--rebuild-tree': o.rebuildTree = true; break;
      case '--help': case '-h':
        process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 16).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
        process.exit(0);
        break;
      default:
        process.stderr.write(`bench: unknown option ${a}\n`);
        process.exit(2);
    }
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));

// Bounds (generous; every child is killed with its process group when one is exceeded).
// BENCH_TIMEOUT_SCALE multiplies them all (e.g. 2 on a slow machine).
const scale = Number(process.env.BENCH_TIMEOUT_SCALE) > 0 ? Number(process.env.BENCH_TIMEOUT_SCALE) : 1;
/** The server's burst window for changes (CHANGE_DEBOUNCE_MS in server/src/server.ts). */
const SERVER_BURST_WINDOW_MS = 30;

const LIMIT = {
  editorPhaseMs: 5 * 60_000,
  lspInitializeMs: 60_000,
  lspOpenMs: 60_000,
  lspEditMs: 30_000,
  lspManyFilesMs: 10 * 60_000,
  cliRunMs: 15 * 60_000,
  ruffRunMs: 5 * 60_000,
  pipMs: 5 * 60_000,
  banditRunMs: 45 * 60_000,
};
for (const k of Object.keys(LIMIT)) LIMIT[k] = Math.round(LIMIT[k] * scale);

const log = (m = '') => process.stdout.write(m + '\n');
const loadavg = () => os.loadavg().map((x) => round(x, 2));

const cleanupAndExit = (signal) => {
  killAllChildren();
  process.stderr.write(`\nbench: interrupted (${signal}); children stopped\n`);
  process.exit(130);
};
process.on('SIGINT', () => cleanupAndExit('SIGINT'));
process.on('SIGTERM', () => cleanupAndExit('SIGTERM'));

const results = {
  startedAt: new Date().toISOString(),
  machine: {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memTotal: os.totalmem(),
    loadavgAtStart: loadavg(),
  },
  options: { ...opts, only: [...opts.only] },
};

fs.mkdirSync(workDir, { recursive: true });

// ---------------------------------------------------------------------------------------------
// Inputs: the 10,000-line module and the tree of real files

const editorDir = path.join(workDir, 'editor');
fs.mkdirSync(editorDir, { recursive: true });
const bigFile = path.join(editorDir, 'big_module.py');
const generated = generatePythonModule({ targetLines: 10000, seed: 42, riskyCount: 20 });
fs.writeFileSync(bigFile, generated.text);
results.input = { file: path.relative(root, bigFile), lines: generated.text.split('\n').length - 1, bytes: Buffer.byteLength(generated.text), riskySnippets: generated.risky };
log(`ModelLint benchmarks — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${loadavg().join(' ')}`);
log(`input: ${results.input.file}: ${fmtInt(results.input.lines)} lines, ${fmtInt(results.input.bytes / 1024)} KB, ${generated.risky} risky calls`);

let tree;
if (opts.only.has('lsp') || opts.only.has('cli')) {
  log(`tree: ${opts.rebuildTree ? 'rebuilding' : 'preparing'} bench/.work/tree …`);
  try {
    tree = await ensureTree(workDir, { rebuild: opts.rebuildTree, log });
    results.tree = { root: path.relative(root, tree.root), python: tree.python, sources: tree.sources, files: tree.files, bytes: tree.bytes, skippedLarge: tree.skippedLarge, cached: tree.cached };
    log(`tree: ${fmtInt(tree.files)} .py files, ${fmtMB(tree.bytes)} (python ${tree.python} stdlib + site-packages${tree.cached ? ', cached' : `, built in ${fmtS(tree.builtMs)}`}; ${tree.skippedLarge} files > 1 MB skipped)`);
  } catch (e) {
    results.tree = { error: String(e?.message ?? e) };
    log(`tree: failed: ${results.tree.error}`);
  }
}

// ---------------------------------------------------------------------------------------------
// (a) Editor latency, in-process against the engine

async function benchEditor() {
  const r = { loadavgBefore: loadavg() };
  let engine;
  try {
    engine = await buildEngineBundle(root, path.join(workDir, 'engine'));
  } catch (e) {
    return { ...r, skipped: `engine bundle failed: ${String(e?.message ?? e).split('\n')[0]}` };
  }
  // A fresh process measures the cold first analysis; a second one, warmed up like the language server, the rest.
  const cold = await runCapture(process.execPath, [path.join(benchDir, 'lib', 'editor-phase.mjs'), engine, bigFile, '0', '0', 'cold'], { timeoutMs: LIMIT.editorPhaseMs, cwd: root });
  try {
    r.coldFirstMs = JSON.parse(cold.stdout.trim().split('\n').pop()).firstMs;
  } catch {
    r.coldFirstMs = undefined;
  }
  const run = await runCapture(process.execPath, [path.join(benchDir, 'lib', 'editor-phase.mjs'), engine, bigFile, String(opts.edits), String(opts.fullRuns)], { timeoutMs: LIMIT.editorPhaseMs, cwd: root });
  if (run.timedOut) return { ...r, skipped: `timed out after ${LIMIT.editorPhaseMs / 1000} s` };
  if (run.code !== 0) return { ...r, skipped: `editor phase failed (exit ${run.code ?? run.signal}): ${(run.stderr || run.error || '').trim().split('\n').slice(0, 5).join(' | ')}` };
  try {
    return { ...r, ...JSON.parse(run.stdout.trim().split('\n').pop()) };
  } catch {
    return { ...r, skipped: `unreadable output: ${run.stdout.slice(0, 200)}` };
  }
}

// ---------------------------------------------------------------------------------------------
// (b) Language server: push diagnostics latency and RSS

function pickSmallFiles(n) {
  if (!tree?.list || n === 0) return [];
  const small = tree.list.filter((f) => f.size >= 256 && f.size <= 16 * 1024);
  if (small.length <= n) return small;
  const step = small.length / n;
  return Array.from({ length: n }, (_, i) => small[Math.floor(i * step)]);
}

async function benchLsp() {
  const r = { loadavgBefore: loadavg() };
  const serverJs = path.join(dist, 'server.js');
  if (!fs.existsSync(serverJs)) return { ...r, skipped: 'dist/server.js does not exist (run node scripts/build.mjs)' };
  // Started the way the VS Code client starts it: with package.json's modellint.serverNodeFlags.
  const nodeFlags = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).modellint?.serverNodeFlags ?? [];
  const client = new LspClient(process.execPath, [...nodeFlags, serverJs, '--stdio'], { cwd: root });
  r.pid = client.pid;
  const fail = (stage, e) => {
    r.skipped = `${stage}: ${String(e?.message ?? e)}${client.stderr ? ` (stderr: ${client.stderr.trim().split('\n').slice(0, 3).join(' | ')})` : ''}`;
  };
  try {
    // initialize as a push-only client (no textDocument.diagnostic capability)
    const bigUri = pathToFileURL(bigFile).href;
    const folders = [{ uri: pathToFileURL(editorDir).href, name: 'editor' }];
    if (tree?.root && opts.lspTreeRoot) folders.push({ uri: pathToFileURL(tree.root).href, name: 'tree' });
    let t0 = performance.now();
    try {
      const init = await withTimeoutP(
        client.request('initialize', {
          processId: process.pid,
          clientInfo: { name: 'modellint-bench' },
          rootUri: folders[0].uri,
          workspaceFolders: folders,
          capabilities: {
            textDocument: { synchronization: { dynamicRegistration: false }, publishDiagnostics: { versionSupport: true, relatedInformation: true } },
            workspace: { workspaceFolders: false, configuration: false },
          },
          initializationOptions: {},
        }),
        LIMIT.lspInitializeMs,
        'initialize',
      );
      r.initializeMs = performance.now() - t0;
      r.serverInfo = init?.serverInfo;
      if (init?.capabilities?.diagnosticProvider) r.note = 'server announced pull diagnostics to a push-only client';
    } catch (e) {
      fail('initialize', e);
      return r;
    }
    client.notify('initialized', {});
    r.rssAfterInitialize = rssOf(client.pid);

    // didOpen the big file → first publishDiagnostics for it
    const text = generated.text;
    const isBig = (v) => (m) => m.method === 'textDocument/publishDiagnostics' && m.params?.uri === bigUri && (v === undefined || m.params.version === undefined || m.params.version === v);
    t0 = performance.now();
    let waiter = client.waitFor(isBig(1), LIMIT.lspOpenMs, 'diagnostics of the opened 10,000-line file');
    client.notify('textDocument/didOpen', { textDocument: { uri: bigUri, languageId: 'python', version: 1, text } });
    try {
      const { msg, at } = await waiter;
      r.openToDiagnosticsMs = at - t0;
      r.openDiagnostics = msg.params.diagnostics.length;
    } catch (e) {
      fail('didOpen', e);
      return r;
    }

    // didChange one-line edits → next publishDiagnostics. Each edit follows a pause longer than
    // the server's burst window (changes within CHANGE_DEBOUNCE_MS of the previous one are
    // coalesced on purpose), as a typist's keystrokes do: sent back to back, every other edit
    // would land in the window and be measured with the debounce in it.
    const lines = text.split('\n');
    const candidates = editableLines(lines);
    const samples = [];
    const edit = (i) => {
      const e = nextEdit(lines, candidates, i);
      return { range: { start: { line: e.line, character: e.character }, end: { line: e.line, character: e.character + e.deleteCount } }, text: e.text };
    };
    for (let i = 0; i < opts.lspEdits; i++) {
      await new Promise((resolve) => setTimeout(resolve, SERVER_BURST_WINDOW_MS + 20));
      const change = edit(i);
      const version = i + 2;
      waiter = client.waitFor(isBig(version), LIMIT.lspEditMs, `diagnostics after edit ${i + 1}`);
      t0 = performance.now();
      client.notify('textDocument/didChange', { textDocument: { uri: bigUri, version }, contentChanges: [change] });
      try {
        const { msg, at } = await waiter;
        samples.push(at - t0);
        r.diagnosticsAfterEdits = msg.params.diagnostics.length;
      } catch (err) {
        fail(`didChange ${i + 1}`, err);
        break;
      }
    }
    if (samples.length) r.editToDiagnostics = { ...summarize(samples), samples: samples.map((x) => round(x, 2)) };

    // A burst: 5 characters typed at one place 10 ms apart, from the last one to its diagnostics
    // (coalesced: the server waits for the burst window to pass, then analyzes once).
    if (samples.length === opts.lspEdits) {
      const bursts = [];
      let version = opts.lspEdits + 1;
      for (let b = 0; b < 5; b++) {
        await new Promise((resolve) => setTimeout(resolve, SERVER_BURST_WINDOW_MS + 20));
        const line = candidates[(b * 104_729 + 7) % candidates.length];
        const at = lines[line].length;
        for (let k = 0; k < 5; k++) {
          version++;
          if (k > 0) await new Promise((resolve) => setTimeout(resolve, 10));
          if (k === 4) waiter = client.waitFor(isBig(version), LIMIT.lspEditMs, `diagnostics after burst ${b + 1}`);
          // `  # note` typed at the end of a line, one character at a time.
          const ch = '  # note'[k];
          lines[line] += ch;
          t0 = performance.now();
          const position = { line, character: at + k };
          client.notify('textDocument/didChange', { textDocument: { uri: bigUri, version }, contentChanges: [{ range: { start: position, end: position }, text: ch }] });
        }
        try {
          bursts.push((await waiter).at - t0);
        } catch (err) {
          fail(`burst ${b + 1}`, err);
          break;
        }
      }
      if (bursts.length) r.burstToDiagnostics = { ...summarize(bursts), samples: bursts.map((x) => round(x, 2)) };
    }
    r.rssWithBigFile = rssOf(client.pid);
    r.hwmWithBigFile = hwmOf(client.pid);
    if (r.skipped) return r;

    // open many small files of the tree → wait until each has its diagnostics
    const small = pickSmallFiles(opts.lspFiles);
    if (small.length) {
      const pendingUris = new Set();
      const docs = small.map((f) => {
        const abs = path.join(tree.root, f.rel);
        const uri = pathToFileURL(abs).href;
        pendingUris.add(uri);
        return { uri, text: fs.readFileSync(abs, 'utf8') };
      });
      let diagnostics = 0;
      let resolveAll;
      const all = new Promise((res) => (resolveAll = res));
      const off = client.on((m) => {
        if (m.method !== 'textDocument/publishDiagnostics' || !pendingUris.has(m.params?.uri)) return;
        pendingUris.delete(m.params.uri);
        diagnostics += m.params.diagnostics?.length ?? 0;
        if (pendingUris.size === 0) resolveAll();
      });
      t0 = performance.now();
      for (const d of docs) client.notify('textDocument/didOpen', { textDocument: { uri: d.uri, languageId: 'python', version: 1, text: d.text } });
      try {
        await withTimeoutP(Promise.race([all, client.exited.then(() => Promise.reject(new Error('server exited')))]), LIMIT.lspManyFilesMs, `diagnostics of ${docs.length} opened files`);
        r.manyFiles = { files: docs.length, bytes: docs.reduce((s, d) => s + Buffer.byteLength(d.text), 0), allDiagnosticsMs: performance.now() - t0, diagnostics };
      } catch (e) {
        r.manyFiles = { files: docs.length, received: docs.length - pendingUris.size, error: String(e?.message ?? e) };
      } finally {
        off();
      }
      r.rssWithManyFiles = rssOf(client.pid);
      r.hwmWithManyFiles = hwmOf(client.pid);
    }
    r.serverLogs = client.logs.slice(0, 20);
    return r;
  } finally {
    const closed = await client.close();
    r.shutdown = closed.clean ? 'clean' : `forced (${JSON.stringify(closed.exit)})`;
  }
}

function withTimeoutP(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms))),
  ]);
}

// ---------------------------------------------------------------------------------------------
// (c) CLI throughput, side by side with Ruff and Bandit

function runStats(runs) {
  const ok = runs.filter((x) => x.code === 0 && !x.timedOut);
  const walls = ok.map((x) => x.wallMs);
  return {
    runs: runs.map((x) => ({ wallMs: round(x.wallMs, 1), cpuMs: x.cpuMs === undefined ? undefined : round(x.cpuMs, 0), peakRss: x.peakRss, peakRssSampled: x.peakRssSampled, code: x.code, timedOut: x.timedOut || undefined })),
    minMs: walls.length ? round(Math.min(...walls), 1) : undefined,
    medianMs: walls.length ? round(median(walls), 1) : undefined,
    cpuMedianMs: ok.some((x) => x.cpuMs !== undefined) ? round(median(ok.filter((x) => x.cpuMs !== undefined).map((x) => x.cpuMs)), 0) : undefined,
    peakRss: ok.length ? Math.max(...ok.map((x) => x.peakRss ?? 0)) : undefined,
  };
}

async function ensureVenvTool(pkg, exe) {
  const venv = path.join(workDir, 'venv');
  const bin = path.join(venv, 'bin', exe);
  if (fs.existsSync(bin)) return { bin };
  if (!fs.existsSync(path.join(venv, 'bin', 'python'))) {
    const mk = await runCapture('python3', ['-m', 'venv', venv], { timeoutMs: LIMIT.pipMs });
    if (mk.code !== 0) return { skipped: `python3 -m venv failed: ${(mk.error || mk.stderr).trim().split('\n').pop()}` };
  }
  const pip = await runCapture(path.join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--timeout', '15', '--retries', '1', pkg], { timeoutMs: LIMIT.pipMs });
  if (pip.timedOut) return { skipped: `pip install ${pkg} timed out` };
  if (pip.code !== 0 || !fs.existsSync(bin)) {
    const all = (pip.stderr || pip.stdout || pip.error || '').trim().split('\n');
    const line = all.filter((l) => /^ERROR:/.test(l)).pop() ?? all.pop() ?? 'unknown error';
    const offline = all.some((l) => /NewConnectionError|Name or service not known|Network is unreachable/.test(l));
    return { skipped: `pip install ${pkg} failed: ${line.replace(/^ERROR:\s*/, '')}${offline ? ' (not in the local wheel mirror; no network)' : ''}` };
  }
  return { bin, installed: true };
}

async function benchCli() {
  const r = { loadavgBefore: loadavg() };
  if (!tree?.root) return { ...r, skipped: `no tree (${results.tree?.error ?? 'not built'})` };
  r.files = tree.files;
  r.bytes = tree.bytes;
  const target = path.relative(root, tree.root);

  // ModelLint
  const cliJs = path.join(dist, 'cli.js');
  const ours = {};
  r.modellint = ours;
  if (!fs.existsSync(cliJs)) {
    ours.skipped = 'dist/cli.js does not exist (run node scripts/build.mjs)';
  } else {
    const help = await runCapture(process.execPath, [cliJs, 'check', '--help'], { timeoutMs: 30_000, cwd: root });
    const helpText = help.stdout + help.stderr;
    if (help.code !== 0 || !/--format/.test(helpText) || !/--fail-on/.test(helpText) || !/--output/.test(helpText)) {
      ours.skipped = `modellint check --help did not list --format/--fail-on/--output (exit ${help.code ?? help.signal}): ${helpText.trim().split('\n').slice(0, 2).join(' | ')}`;
    }
  }
  if (!ours.skipped) {
    const args = (out) => [path.join(dist, 'cli.js'), 'check', target, '--format', 'json', '--fail-on', 'never', '--output', out];
    // warm-up (page cache, and the summary: files and findings)
    const summaryFile = path.join(workDir, 'modellint-check.json');
    log(`cli: modellint warm-up run …`);
    const warm = await runMeasured(process.execPath, args(summaryFile), { timeoutMs: LIMIT.cliRunMs, cwd: root });
    if (warm.code !== 0) {
      ours.skipped = `modellint check failed (exit ${warm.code ?? warm.signal}${warm.timedOut ? ', timed out' : ''}): ${(warm.stderr || warm.error || '').trim().split('\n').slice(0, 3).join(' | ')}`;
    } else {
      try {
        const report = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
        ours.summary = { files: report.summary?.files, findings: report.summary?.findings, bySeverity: report.summary?.bySeverity, skipped: report.summary?.skipped?.length, durationMs: report.summary?.durationMs };
        const byRule = {};
        for (const f of report.findings ?? []) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
        ours.summary.byRule = byRule;
      } catch (e) {
        ours.summary = { error: `unreadable JSON report: ${e.message}` };
      }
      ours.warmupMs = round(warm.wallMs, 1);
      const runs = [];
      for (let i = 0; i < opts.runs; i++) {
        log(`cli: modellint run ${i + 1}/${opts.runs} …`);
        runs.push(await runMeasured(process.execPath, args('/dev/null'), { timeoutMs: LIMIT.cliRunMs, cwd: root, stdout: 'ignore' }));
      }
      Object.assign(ours, runStats(runs));
      if (ours.medianMs === undefined) ours.skipped = `all runs failed: ${runs.map((x) => x.code ?? x.signal).join(', ')}`;
    }
  }

  // Ruff
  const ruff = {};
  r.ruff = ruff;
  if (!opts.ruff) ruff.skipped = 'disabled (--no-ruff)';
  else {
    const tool = await ensureVenvTool('ruff', 'ruff');
    if (tool.skipped) ruff.skipped = tool.skipped;
    else {
      const v = await runCapture(tool.bin, ['--version'], { timeoutMs: 30_000 });
      ruff.version = v.stdout.trim();
      // --isolated: ignore any configuration file; the tree has the same files for both tools
      // (see lib/tree.mjs), checked with --show-files.
      const base = ['check', '--isolated', '--select', 'S', '--no-cache', '--exit-zero'];
      const shown = await runCapture(tool.bin, [...base, '--show-files', target], { timeoutMs: LIMIT.ruffRunMs, cwd: root });
      ruff.filesSeen = shown.stdout.split('\n').filter((l) => l.trim().endsWith('.py')).length;
      log(`cli: ruff warm-up run …`);
      const outFile = path.join(workDir, 'ruff-check.json');
      const warm = await runMeasured(tool.bin, [...base, '--output-format', 'json', '--output-file', outFile, target], { timeoutMs: LIMIT.ruffRunMs, cwd: root });
      if (warm.code !== 0) ruff.skipped = `ruff failed (exit ${warm.code ?? warm.signal}${warm.timedOut ? `, timed out after ${LIMIT.ruffRunMs / 1000} s` : ""}): ${(warm.stderr || warm.error || '').trim().split('\n')[0]}`;
      else {
        try {
          ruff.findings = JSON.parse(fs.readFileSync(outFile, 'utf8')).length;
        } catch {
          // count unavailable
        }
        ruff.warmupMs = round(warm.wallMs, 1);
        const runs = [];
        for (let i = 0; i < opts.runs; i++) {
          log(`cli: ruff run ${i + 1}/${opts.runs} …`);
          runs.push(await runMeasured(tool.bin, [...base, '--quiet', '--output-format', 'json', target], { timeoutMs: LIMIT.ruffRunMs, cwd: root, stdout: 'ignore' }));
        }
        Object.assign(ruff, runStats(runs));
        ruff.command = `ruff ${[...base, '--quiet', '--output-format', 'json'].join(' ')} <tree> >/dev/null`;
      }
    }
  }

  // Bandit (once: it is slow)
  const bandit = {};
  r.bandit = bandit;
  if (!opts.bandit) bandit.skipped = 'disabled (--no-bandit)';
  else {
    const tool = await ensureVenvTool('bandit', 'bandit');
    if (tool.skipped) bandit.skipped = tool.skipped;
    else {
      const v = await runCapture(tool.bin, ['--version'], { timeoutMs: 30_000 });
      bandit.version = v.stdout.trim().split('\n')[0];
      log(`cli: bandit run (slow) …`);
      const run = await runMeasured(tool.bin, ['-r', '-q', '-f', 'json', '-o', '/dev/null', target], { timeoutMs: LIMIT.banditRunMs, cwd: root });
      // bandit exits 1 when it reports issues
      if (run.timedOut) bandit.skipped = `timed out after ${LIMIT.banditRunMs / 60000} min`;
      else if (run.code !== 0 && run.code !== 1) bandit.skipped = `bandit failed (exit ${run.code ?? run.signal}): ${(run.stderr || run.error || '').trim().split('\n')[0]}`;
      else {
        bandit.wallMs = round(run.wallMs, 1);
        bandit.cpuMs = run.cpuMs === undefined ? undefined : round(run.cpuMs, 0);
        bandit.peakRss = run.peakRss;
        bandit.command = 'bandit -r -q -f json -o /dev/null <tree>';
      }
    }
  }

  // Ratios of medians (wall), of minima (wall: the least disturbed run), and of CPU time (user+sys).
  if (ours.medianMs && ruff.medianMs) {
    r.oursOverRuff = round(ours.medianMs / ruff.medianMs, 2);
    r.oursOverRuffMin = round(ours.minMs / ruff.minMs, 2);
    if (ours.cpuMedianMs && ruff.cpuMedianMs) r.oursOverRuffCpu = round(ours.cpuMedianMs / ruff.cpuMedianMs, 2);
  }
  if (ours.medianMs && bandit.wallMs) {
    r.banditOverOurs = round(bandit.wallMs / ours.medianMs, 1);
    if (ours.cpuMedianMs && bandit.cpuMs) r.banditOverOursCpu = round(bandit.cpuMs / ours.cpuMedianMs, 1);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Run, report

const verdict = (ok) => (ok ? 'ok' : 'OVER BUDGET');

if (opts.only.has('editor')) {
  log('\n(a) editor latency (engine in-process, bundled from server/src) …');
  results.editor = await benchEditor();
  const e = results.editor;
  if (e.skipped) log(`editor: skipped: ${e.skipped}`);
  else log(`editor: initParsers ${fmtMs(e.initParsersMs)} ms; warm-up ${fmtMs(e.warmUpMs)} ms; first analysis ${fmtMs(e.firstMs)} ms (cold process: ${fmtMs(e.coldFirstMs)} ms; ${e.findings} findings); re-analysis after a one-line edit median ${fmtMs(e.incremental.median)} ms, p95 ${fmtMs(e.incremental.p95)} ms (${e.incremental.n} edits); full analysis median ${fmtMs(e.full.median)} ms`);
}

if (opts.only.has('lsp')) {
  log('\n(b) language server (push diagnostics) …');
  try {
    results.lsp = await benchLsp();
  } catch (e) {
    results.lsp = { skipped: `unexpected error: ${String(e?.stack ?? e)}` };
  }
  const l = results.lsp;
  if (l.initializeMs !== undefined) log(`lsp: initialize ${fmtMs(l.initializeMs)} ms`);
  if (l.openToDiagnosticsMs !== undefined) log(`lsp: didOpen (10,000 lines) → diagnostics ${fmtMs(l.openToDiagnosticsMs)} ms (${l.openDiagnostics} diagnostics)`);
  if (l.editToDiagnostics) log(`lsp: didChange → diagnostics median ${fmtMs(l.editToDiagnostics.median)} ms, p95 ${fmtMs(l.editToDiagnostics.p95)} ms (${l.editToDiagnostics.n} edits, each after a ${SERVER_BURST_WINDOW_MS + 20} ms pause: analyzed at once)`);
  if (l.burstToDiagnostics) log(`lsp: burst of 5 keystrokes 10 ms apart at one place → diagnostics ${fmtMs(l.burstToDiagnostics.median)} ms median after the last (${l.burstToDiagnostics.n} bursts; coalesced after the ${SERVER_BURST_WINDOW_MS} ms window)`);
  if (l.rssWithBigFile) log(`lsp: server RSS with the big file ${fmtMB(l.rssWithBigFile)}`);
  if (l.manyFiles?.allDiagnosticsMs !== undefined) log(`lsp: ${fmtInt(l.manyFiles.files)} more files opened → all diagnostics in ${fmtS(l.manyFiles.allDiagnosticsMs)}; RSS ${fmtMB(l.rssWithManyFiles)} (peak ${fmtMB(l.hwmWithManyFiles)})`);
  else if (l.manyFiles?.error) log(`lsp: opening ${l.manyFiles.files} files: ${l.manyFiles.error} (${l.manyFiles.received} answered)`);
  if (l.skipped) log(`lsp: skipped: ${l.skipped}`);
  if (l.shutdown) log(`lsp: shutdown ${l.shutdown}`);
}

if (opts.only.has('cli')) {
  log('\n(c) CLI throughput …');
  try {
    results.cli = await benchCli();
  } catch (e) {
    results.cli = { skipped: `unexpected error: ${String(e?.stack ?? e)}` };
  }
}

results.finishedAt = new Date().toISOString();
results.machine.loadavgAtEnd = loadavg();
fs.writeFileSync(path.join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');

// ---------------------------------------------------------------------------------------------
// Summary table

const lines = [];
const e = results.editor;
if (e) {
  if (e.skipped) lines.push(`editor: skipped: ${e.skipped}`);
  else {
    lines.push(
      `editor: ${fmtInt(e.lines)}-line file, ${e.findings} findings: first ${fmtMs(e.firstMs)} ms after the server's start-up warm-up (${fmtMs(e.warmUpMs)} ms, at initialize) [budget 150: ${verdict(e.firstMs < 150)}], ` +
        `first in a cold process ${fmtMs(e.coldFirstMs)} ms, ` +
        `re-analysis median ${fmtMs(e.incremental.median)} ms p95 ${fmtMs(e.incremental.p95)} ms [budget p95 50: ${verdict(e.incremental.p95 < 50)}], ` +
        `full analysis median ${fmtMs(e.full.median)} ms`,
    );
  }
}
const l = results.lsp;
if (l) {
  if (l.openToDiagnosticsMs !== undefined || l.editToDiagnostics) {
    const parts = [];
    if (l.openToDiagnosticsMs !== undefined) parts.push(`didOpen→diagnostics ${fmtMs(l.openToDiagnosticsMs)} ms [budget 150: ${verdict(l.openToDiagnosticsMs < 150)}]`);
    if (l.editToDiagnostics) parts.push(`didChange→diagnostics median ${fmtMs(l.editToDiagnostics.median)} ms p95 ${fmtMs(l.editToDiagnostics.p95)} ms [budget p95 50: ${verdict(l.editToDiagnostics.p95 < 50)}]`);
    lines.push(`lsp:    ${parts.join(', ')}${l.skipped ? ` (then skipped: ${l.skipped})` : ''}`);
  } else lines.push(`lsp:    skipped: ${l.skipped}`);
  if (l.rssWithBigFile) {
    let m = `memory: server RSS ${fmtMB(l.rssWithBigFile)} with the 10,000-line file`;
    if (l.rssWithManyFiles) m += `, ${fmtMB(l.rssWithManyFiles)} after opening ${fmtInt(l.manyFiles.files)} more files (peak ${fmtMB(l.hwmWithManyFiles)}) [budget 200 MB: ${verdict(Math.max(l.rssWithManyFiles, l.rssWithBigFile) < 200 * 1048576)}]`;
    lines.push(m + (results.tree?.files && opts.lspTreeRoot ? `; workspace folders hold ${fmtInt(results.tree.files + 1)} files` : ''));
  }
}
const c = results.cli;
if (c) {
  if (c.skipped) lines.push(`cli:    skipped: ${c.skipped}`);
  else {
    const ours = c.modellint;
    const parts = [];
    const cpu = (ms) => (ms === undefined ? '' : `, cpu ${fmtS(ms)}`);
    if (ours.skipped) parts.push(`modellint skipped: ${ours.skipped}`);
    else {
      const files = ours.summary?.files ?? c.files;
      parts.push(
        `${fmtInt(files)} files (${fmtMB(c.bytes)}) in ${fmtS(ours.medianMs)} median, ${fmtS(ours.minMs)} min (${fmtInt(files / (ours.medianMs / 1000))} files/s${cpu(ours.cpuMedianMs)}), peak RSS ${ours.peakRss ? fmtMB(ours.peakRss) : '?'}` +
          (ours.summary?.findings !== undefined ? `, ${fmtInt(ours.summary.findings)} findings` : ''),
      );
    }
    if (c.ruff.skipped) parts.push(`ruff skipped: ${c.ruff.skipped}`);
    else {
      const ratio = c.oursOverRuff
        ? ` (ours/ruff ${c.oursOverRuff}x median, ${c.oursOverRuffMin}x min${c.oursOverRuffCpu ? `, ${c.oursOverRuffCpu}x cpu` : ''} [budget 2x: ${verdict(c.oursOverRuff <= 2)}])`
        : '';
      parts.push(`ruff --select S ${fmtS(c.ruff.medianMs)} median, ${fmtS(c.ruff.minMs)} min${cpu(c.ruff.cpuMedianMs)}, peak RSS ${c.ruff.peakRss ? fmtMB(c.ruff.peakRss) : '?'}${ratio}`);
    }
    if (c.bandit.skipped) parts.push(`bandit skipped: ${c.bandit.skipped}`);
    else {
      const ratio = c.banditOverOurs ? ` (${c.banditOverOurs}x slower than ours${c.banditOverOursCpu ? `, ${c.banditOverOursCpu}x cpu` : ''} [budget ≥10x: ${verdict(c.banditOverOurs >= 10)}])` : '';
      parts.push(`bandit ${fmtS(c.bandit.wallMs)}${cpu(c.bandit.cpuMs)}${ratio}`);
    }
    if (!ours.skipped && ours.summary?.files !== undefined && c.ruff.filesSeen !== undefined && ours.summary.files !== c.ruff.filesSeen) {
      parts.push(`WARNING: modellint checked ${fmtInt(ours.summary.files)} files, ruff ${fmtInt(c.ruff.filesSeen)}`);
    }
    lines.push(`cli:    ${parts.join(';\n        ')}`);
  }
}
log('\n── summary ' + '─'.repeat(60));
for (const line of lines) log(line);
const la = results.machine.loadavgAtStart;
if (la[0] > os.cpus().length * 0.5) log(`note: load average was ${la.join(' ')} on ${os.cpus().length} CPUs at start: timings are inflated by other work on the machine`);
log(`results: ${path.relative(process.cwd(), path.join(benchDir, 'results.json'))}`);
killAllChildren();
