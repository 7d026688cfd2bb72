import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Rule, RuleGroup, RuleMeta } from '../engine/rule';
import { effectiveSeverity, isRuleEnabled, type RuleSelection } from '../engine/selection';
import type { Severity } from '../engine/types';
import type { FileResult } from './analyze-file';
import type { AnalyzerConfig } from './analyzer-config';
import { CHECK_HELP, parseCheckArgs, UsageError, type CheckOptions, type FailOn } from './args';
import { discoverFiles, type DiscoveredFile } from './discover';
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
  const selection: RuleSelection = {};
  if (opts.select) selection.select = opts.select;
  if (opts.ignore) selection.ignore = opts.ignore;

  const discovery = discoverFiles(opts.paths, io.cwd);
  if (discovery.missing.length > 0) {
    for (const p of discovery.missing) note(io, `path not found: ${p}`);
    return 2;
  }

  const roots = [io.cwd];
  for (const p of opts.paths) {
    const abs = path.resolve(io.cwd, p);
    const rel = path.relative(io.cwd, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) roots.push(safeIsDirectory(abs) ? abs : path.dirname(abs));
  }
  const config: AnalyzerConfig = { selection, roots, sarif: opts.format === 'sarif' };

  const parallelism = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const results =
    discovery.files.length > WORKER_THRESHOLD && parallelism > 1
      ? await (require('./worker-pool') as typeof import('./worker-pool')).analyzeInWorkers(discovery.files, parallelism, config, entryScript, (rest) => analyzeInline(rest, config))
      : await analyzeInline(discovery.files, config);

  const enabled = allRules.filter((r) => isRuleEnabled(r, selection));
  const report = buildReport(results, discovery.notices, enabled.map((r) => r.meta), selection, io.cwd, performance.now() - t0);

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

  const threshold = FAIL_RANK[opts.failOn];
  for (const r of results) for (const f of r.findings) if (RANK[f.severity] >= threshold) return 1;
  return 0;
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
