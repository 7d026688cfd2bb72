import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Rule, RuleGroup, RuleMeta } from '../engine/rule';
import { effectiveSeverity, isRuleEnabled, type RuleSelection } from '../engine/selection';
import type { Severity } from '../engine/types';
import type { FileResult } from './analyze-file';
import type { AnalyzerConfig } from './analyzer-config';
import { CHECK_HELP, parseCheckArgs, UsageError, type CheckOptions, type FailOn } from './args';
import { discoverIncrementally, type DiscoveredFile } from './discover';
import { CheckSettings, type ConfigSource, type FileSettings } from './check-settings';
import type { ConfigProblem } from '../config/team-config';
import { compareFindings, type CheckReport } from './report';

/** Above this many files the analysis runs on worker threads. */
export const WORKER_THRESHOLD = 200;

/** Every group name usable in --select/--ignore (a compile error here means rule.ts gained a group). */
const GROUPS: Record<RuleGroup, true> = {
  python: true,
  dependencies: true,
  dockerfile: true,
  serving: true,
  kubernetes: true,
  triton: true,
  'model-file': true,
  meta: true,
};

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

function note(io: CliIO, message: string): void {
  io.stderr.write(`modellint: ${message}\n`);
}

function validateIds(rules: readonly Rule[], opts: CheckOptions): void {
  const known = new Set<string>(['ALL', ...Object.keys(GROUPS), ...rules.map((r) => r.meta.id)]);
  for (const [flag, ids] of [['--select', opts.select], ['--ignore', opts.ignore]] as const) {
    for (const id of ids ?? []) {
      if (!known.has(id)) throw new UsageError(`unknown rule or group '${id}' in ${flag} (run 'modellint rules' for the list)`);
    }
  }
}

const RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };
const FAIL_RANK: Record<FailOn, number> = { info: 1, warning: 2, error: 3, never: Infinity };

/** `modellint check`: returns the exit code (0 clean, 1 findings at or above --fail-on, 2 usage error). */
export async function runCheck(argv: string[], io: CliIO, entryScript: string): Promise<number> {
  const t0 = performance.now();
  let opts: CheckOptions;
  try {
    opts = parseCheckArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      note(io, `${e.message}\nRun 'modellint check --help' for usage.`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    io.stdout.write(CHECK_HELP);
    return 0;
  }

  const { allRules } = require('../rules/index') as typeof import('../rules/index');
  try {
    validateIds(allRules, opts);
  } catch (e) {
    if (e instanceof UsageError) {
      note(io, e.message);
      return 2;
    }
    throw e;
  }
  const ids = new Set(allRules.map((r) => r.meta.id));
  const groups = new Set<string>(allRules.map((r) => r.meta.group));

  // Team configuration: --config FILE for every path, --isolated for none, else discovered per file.
  let source: ConfigSource = { mode: opts.isolated ? 'isolated' : 'discover' };
  let explicitProblems: ConfigProblem[] = [];
  if (opts.config !== undefined) {
    const loaded = loadExplicitConfig(opts.config, io, ids, groups);
    if (!loaded) return 2;
    source = loaded.source;
    explicitProblems = loaded.problems;
  }
  let known: Set<string> | undefined;
  if (opts.baseline !== undefined) {
    const { readBaseline, BaselineError } = require('./baseline') as typeof import('./baseline');
    try {
      known = readBaseline(opts.baseline, io.cwd);
    } catch (e) {
      if (e instanceof BaselineError) {
        note(io, e.message);
        return 2;
      }
      throw e;
    }
  }
  const lists = { select: opts.select, ignore: opts.ignore };
  const settings = new CheckSettings(source, lists, io.cwd, ids, groups);

  const roots = [io.cwd];
  for (const p of opts.paths) {
    const abs = path.resolve(io.cwd, p);
    const rel = path.relative(io.cwd, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) roots.push(safeIsDirectory(abs) ? abs : path.dirname(abs));
  }
  const config: AnalyzerConfig = { lists, source, cwd: io.cwd, roots, lineTexts: opts.format === 'sarif' || opts.baseline !== undefined || opts.writeBaseline !== undefined };

  // Files are analyzed while the walk goes on: past WORKER_THRESHOLD files, worker threads start
  // and take the files as each directory is read (the walk yields to them every few milliseconds).
  const parallelism = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const walk = discoverIncrementally(opts.paths, io.cwd, (abs, _isDir, parent) => settings.forDir(parent).isExcluded(abs, parent));
  let pool: import('./worker-pool').WorkerPool | undefined;
  const early: DiscoveredFile[] = [];
  let lastYield = performance.now();
  let step = walk.next();
  while (!step.done) {
    if (pool) pool.add(step.value);
    else {
      early.push(...step.value);
      if (early.length > WORKER_THRESHOLD && parallelism > 1) {
        const { WorkerPool } = require('./worker-pool') as typeof import('./worker-pool');
        pool = new WorkerPool(parallelism, config, entryScript, (rest) => analyzeInline(rest, config));
        pool.add(early);
      }
    }
    if (pool && performance.now() - lastYield > 10) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    step = walk.next();
  }
  const discovery = step.value;
  if (discovery.missing.length > 0) {
    pool?.terminate();
    for (const p of discovery.missing) note(io, `path not found: ${p}`);
    return 2;
  }
  // The settings in force for the files found, and the configuration files behind them.
  const inForce = new Map<string, FileSettings>();
  for (const f of discovery.files) {
    const s = settings.forFile(f.abs);
    inForce.set(s.key, s);
  }
  if (source.mode === 'discover') reportConfigProblems(io, discovery.files, [...inForce.values()].map((s) => s.configFile).filter((f): f is string => f !== undefined), settings);
  // --config FILE: its problems are warnings, unless the file is analyzed too (then they are invalid-config findings).
  if (source.mode === 'fixed' && !discovery.files.some((f) => f.abs === source.file)) printProblems(io, source.file, explicitProblems);

  const results = pool ? await pool.close() : await analyzeInline(discovery.files, config);
  results.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));

  // The rules that could run somewhere (any configuration in force), at the levels of the working directory's settings.
  const selections = inForce.size > 0 ? [...inForce.values()].map((s) => s.selection) : [settings.forDir(io.cwd).selection];
  const enabled = allRules.filter((r) => selections.some((sel) => isRuleEnabled(r, sel)));
  const report = buildReport(results, discovery.notices, enabled.map((r) => r.meta), settings.forDir(io.cwd).selection, io.cwd, performance.now() - t0);

  if (opts.writeBaseline !== undefined || known) {
    const baseline = require('./baseline') as typeof import('./baseline');
    if (opts.writeBaseline !== undefined) {
      try {
        const n = baseline.writeBaseline(opts.writeBaseline, report.files, io.cwd);
        note(io, `wrote ${n} finding${n === 1 ? '' : 's'} to the baseline ${opts.writeBaseline}`);
      } catch (e) {
        note(io, `could not write ${opts.writeBaseline}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        return 2;
      }
    }
    if (known) report.baselined = baseline.applyBaseline(report.files, known, io.cwd, opts.baseline!);
  }

  if (opts.format === 'text') {
    for (const s of report.skipped) note(io, `${s.file}: skipped: ${s.reason}`);
  }
  for (const r of results) for (const e of r.errors) note(io, `${r.rel}: error: ${e}`);

  const colorOk = !opts.output && io.stdout.isTTY === true && !io.env.NO_COLOR;
  let text: string;
  if (opts.format === 'json') text = (require('./format-json') as typeof import('./format-json')).formatJson(report);
  else if (opts.format === 'sarif') {
    const { packageVersion } = require('./package-info') as typeof import('./package-info');
    text = (require('./format-sarif') as typeof import('./format-sarif')).formatSarif(report, packageVersion());
  } else text = (require('./format-text') as typeof import('./format-text')).formatText(report, colorOk);

  if (opts.output) {
    try {
      fs.writeFileSync(path.resolve(io.cwd, opts.output), text);
    } catch (e) {
      note(io, `could not write ${opts.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return 2;
    }
  } else {
    io.stdout.write(text);
  }

  // Writing a baseline adopts the current findings: that run succeeds.
  if (opts.writeBaseline !== undefined && !known) return 0;
  const threshold = FAIL_RANK[opts.failOn];
  for (const r of report.files) for (const f of r.findings) if (RANK[f.severity] >= threshold) return 1;
  return 0;
}

/** `--config FILE`: read and validate it; invalid entries are warnings and the rest applies. Undefined (exit 2) when unreadable. */
function loadExplicitConfig(file: string, io: CliIO, ids: ReadonlySet<string>, groups: ReadonlySet<string>): { source: ConfigSource & { mode: 'fixed' }; problems: ConfigProblem[] } | undefined {
  const abs = path.resolve(io.cwd, file);
  let text: string;
  try {
    const st = fs.statSync(abs);
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    if (st.size > 1024 * 1024) throw Object.assign(new Error('larger than 1 MiB'), { code: 'EFBIG' });
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    note(io, `could not read the configuration ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return undefined;
  }
  const { parseConfigText } = require('../config/team-config') as typeof import('../config/team-config');
  const pyproject = path.basename(abs) === 'pyproject.toml';
  const parsed = parseConfigText(text, pyproject ? 'pyproject' : 'modellint', ids, groups);
  if (!parsed.config) note(io, `${relativeTo(io.cwd, abs)}: warning: no [tool.modellint] table; using the defaults`);
  return { source: { mode: 'fixed', file: abs, config: { ...parsed.config, file: abs } }, problems: parsed.problems };
}

function relativeTo(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel).split(path.sep).join('/');
}

function printProblems(io: CliIO, abs: string, problems: readonly { range: { start: { line: number; character: number } }; message: string }[]): void {
  for (const p of problems) note(io, `${relativeTo(io.cwd, abs)}:${p.range.start.line + 1}:${p.range.start.character + 1}: warning: ${p.message} (invalid-config)`);
}

/**
 * Problems of the discovered configuration files, as warnings: only for files not analyzed in this
 * run (an analyzed one reports them as invalid-config findings already).
 */
function reportConfigProblems(io: CliIO, files: readonly DiscoveredFile[], configFiles: readonly string[], settings: CheckSettings): void {
  const analyzed = new Set(files.map((f) => f.abs));
  for (const file of new Set(configFiles)) {
    if (analyzed.has(file)) continue;
    const loaded = settings.configForDir(path.dirname(file));
    if (loaded && loaded.file === file) printProblems(io, file, loaded.problems);
  }
}

function safeIsDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function analyzeInline(files: DiscoveredFile[], config: AnalyzerConfig): Promise<FileResult[]> {
  if (files.length === 0) return [];
  const { initParsers } = require('../languages/tree-sitter') as typeof import('../languages/tree-sitter');
  await initParsers();
  const { createAnalyzer } = require('./analyzer-config') as typeof import('./analyzer-config');
  const analyzer = createAnalyzer(config);
  const results: FileResult[] = [];
  for (const file of files) {
    try {
      results.push(analyzer.analyze(file));
    } catch (e) {
      results.push({ rel: file.rel, findings: [], errors: [`analysis failed: ${(e as Error)?.message ?? String(e)}`] });
    }
  }
  return results;
}

function buildReport(
  results: FileResult[],
  notices: { file: string; reason: string }[],
  rules: RuleMeta[],
  selection: RuleSelection,
  cwd: string,
  durationMs: number,
): CheckReport {
  const files: FileResult[] = [];
  const skipped = [...notices];
  for (const r of results) {
    if (r.skipped) skipped.push({ file: r.rel, reason: r.skipped });
    else {
      r.findings.sort(compareFindings);
      files.push(r);
    }
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const ruleSeverity = new Map(rules.map((m) => [m.id, effectiveSeverity(m.id, m.defaultSeverity, selection)]));
  return { files, filesChecked: files.length, skipped, durationMs, rules, ruleSeverity, cwd };
}
