/**
 * The model-file scanner's entry points (architecture.md §9, §11 `modellint inspect`, §14).
 *
 * - `inspectFile(path)`: runs the readers in a worker thread with `resourceLimits` and a timeout;
 *   a worker that runs out of time or memory is terminated and the file reported invalid.
 * - `inspectPathSync(path)` / `inspectSource(source)` / `inspectBytes(buffer)`: the same analysis on
 *   the calling thread (used by the worker itself, tests and fuzzing), bounded by a time budget.
 *
 * Nothing is ever imported, executed, evaluated or unpickled: files are read as bytes with
 * bounded positional reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FileByteSource, MemoryByteSource, type ByteSource } from './byte-source';
import { BudgetExceeded, InspectContext } from './inspect-context';
import { DEFAULT_LIMITS, type ScanLimits } from './limits';
import { dispatch } from './readers/dispatch';
import { ReportBuilder } from './report-builder';
import { MODEL_REPORT_SCHEMA_VERSION, type FindingReason, type ModelReport } from './types';

export interface InspectOptions {
  /** Overrides of the hard caps (formats.md §10). */
  limits?: Partial<ScanLimits>;
  /** Label used as `report.file` for in-memory sources. */
  label?: string;
}

export interface InspectFileOptions extends InspectOptions {
  /** Wall-clock limit for the worker (default 10 s); on expiry it is terminated. */
  timeoutMs?: number;
  /** Worker old-generation heap limit in MB (default 512). */
  maxOldGenerationSizeMb?: number;
  /** Worker script; defaults to `inspect-worker.js` beside this module (out/… or dist/). */
  workerScript?: string;
  /** Run on the calling thread instead of a worker (no memory limit; the time budget still applies). */
  inThread?: boolean;
}

/** Marks a worker started by inspectFile (inspect-worker.ts checks it). */
export const INSPECT_WORKER_ROLE = 'modellint-inspect-worker';

export interface InspectWorkerInput {
  role: typeof INSPECT_WORKER_ROLE;
  path: string;
  options: InspectOptions;
}

const NOTHING_EXECUTED = 'Nothing in the file was executed, imported or unpickled: it was read as bytes, with bounded reads.';

/** Synchronous inspection of any byte source. Never throws. */
export function inspectSource(source: ByteSource, opts: InspectOptions = {}): ModelReport {
  const started = performance.now();
  const limits: ScanLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const report = new ReportBuilder(opts.label ?? '<memory>', source.size, limits);
  const ctx = InspectContext.create(source, report, limits, Date.now() + limits.timeBudgetMs, dispatch);
  try {
    dispatch(ctx, source);
  } catch (e) {
    if (e instanceof BudgetExceeded) {
      report.malformed('invalid', `Inspection stopped: it exceeded its ${limits.timeBudgetMs} ms time budget; the file was not fully examined`, { reason: 'timeout' });
      report.incomplete('time budget exceeded');
    } else {
      const msg = e instanceof Error ? e.message : String(e);
      report.malformed('invalid', `Inspection failed with an internal error (${msg.slice(0, 200)}); the file was not fully examined`, { reason: 'internal-error' });
      report.incomplete('internal error');
    }
  }
  report.note(NOTHING_EXECUTED);
  return report.build(source.stats.bytes, Math.round((performance.now() - started) * 100) / 100);
}

/** Synchronous inspection of bytes in memory. */
export function inspectBytes(data: Buffer | Uint8Array, opts: InspectOptions = {}): ModelReport {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return inspectSource(new MemoryByteSource(buf), opts);
}

/** A report for a file that could not be inspected at all. */
export function failureReport(file: string, size: number, reason: FindingReason, message: string, durationMs: number): ModelReport {
  return {
    schemaVersion: MODEL_REPORT_SCHEMA_VERSION,
    file, size, format: 'unknown', variant: 'not inspected', candidates: [], verdict: 'invalid',
    summary: `invalid: ${message}`,
    findings: [{ ruleId: 'model-file-malformed', severity: 'error', verdict: 'invalid', message, detail: { reason } }],
    metadata: {}, tensors: [], totals: { count: 0, parameters: 0, bytes: 0, byDtype: {} },
    complete: false, bytesRead: 0, durationMs, notes: [NOTHING_EXECUTED],
  };
}

/** Synchronous inspection of a file on the calling thread (the worker's body). Never throws. */
export function inspectPathSync(file: string, opts: InspectOptions = {}): ModelReport {
  const started = performance.now();
  let source: FileByteSource;
  try {
    source = FileByteSource.open(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code === 'ENOTREG' ? 'not a regular file' : (e as Error).message;
    return failureReport(file, 0, 'internal-error', `Cannot open the file: ${why}`, performance.now() - started);
  }
  try {
    return inspectSource(source, { ...opts, label: opts.label ?? file });
  } finally {
    source.close();
  }
}

/** The worker script beside this module: out/server/src/models/inspect-worker.js or dist/inspect-worker.js. */
export function defaultWorkerScript(): string {
  return path.join(__dirname, 'inspect-worker.js');
}

/**
 * Inspects a file in a worker thread with a heap limit and a timeout. Never rejects: failures
 * (timeout, out of memory, a crashed worker) come back as an `invalid` report saying why.
 */
export function inspectFile(file: string, opts: InspectFileOptions = {}): Promise<ModelReport> {
  const { timeoutMs = 10_000, maxOldGenerationSizeMb = 512, workerScript = defaultWorkerScript(), inThread = false, ...inspectOpts } = opts;
  const budget = Math.max(100, Math.floor(timeoutMs * 0.8));
  const options: InspectOptions = { ...inspectOpts, limits: { timeBudgetMs: budget, ...inspectOpts.limits } };
  if (inThread || !fs.existsSync(workerScript)) {
    const report = inspectPathSync(file, options);
    if (!inThread) report.notes.push(`The inspection worker (${path.basename(workerScript)}) was not found; the file was inspected on the calling thread without a memory limit.`);
    return Promise.resolve(report);
  }
  const started = performance.now();
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    /* reported by the worker */
  }
  return new Promise<ModelReport>((resolve) => {
    let settled = false;
    const input: InspectWorkerInput = { role: INSPECT_WORKER_ROLE, path: file, options };
    const worker = new Worker(workerScript, {
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 8 },
      stdout: true,
      stderr: true,
    });
    const finish = (report: ModelReport) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(report);
    };
    const fail = (reason: FindingReason, message: string) => finish(failureReport(file, size, reason, message, performance.now() - started));
    const timer = setTimeout(() => fail('timeout', `Inspection timed out after ${timeoutMs} ms and was stopped; the file was not fully examined`), timeoutMs);
    worker.on('message', (msg: { report?: ModelReport }) => {
      if (msg?.report) finish(msg.report);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') fail('limit-exceeded', `Inspection exceeded its ${maxOldGenerationSizeMb} MB memory limit and was stopped; the file was not fully examined`);
      else fail('internal-error', `The inspection worker failed: ${e.message}`);
    });
    worker.on('exit', (code) => fail('internal-error', `The inspection worker exited (code ${code}) without a report`));
  });
}
