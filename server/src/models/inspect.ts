/**
 * The model-file scanner's entry points (architecture.md §9, §11 `modellint inspect`, §14).
 *
 * - `inspectFile(path)`: runs the readers in a worker thread with `resourceLimits` and a timeout;
 *   a worker that runs out of time or memory is terminated and the file reported invalid; a
 *   healthy worker is kept warm (unref'd, at most 2, 60 s) for the next file.
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
  /**
   * Reuse a warm worker from earlier inspections (default true): starting a worker costs 30–150 ms,
   * more than reading a 20 GB safetensors header. A worker is reused only after it returned a report;
   * one that timed out, ran out of memory or crashed is terminated.
   */
  reuseWorker?: boolean;
}

/** Marks a worker started by inspectFile (inspect-worker.ts checks it). */
export const INSPECT_WORKER_ROLE = 'modellint-inspect-worker';

/** One job sent to an inspection worker; the worker answers `{ id, report }`. */
export interface InspectWorkerJob {
  role: typeof INSPECT_WORKER_ROLE;
  id: number;
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

// ------------------------------------------------------------------ warm workers

interface PooledWorker {
  worker: Worker;
  key: string;
  idleTimer?: NodeJS.Timeout;
}

/** Idle workers by script + memory limit. */
const idleWorkers = new Map<string, PooledWorker[]>();
const MAX_IDLE_WORKERS = 2;
const IDLE_WORKER_MS = 60_000;
let nextJobId = 1;

function spawnWorker(script: string, maxOldGenerationSizeMb: number, key: string): PooledWorker {
  const worker = new Worker(script, {
    workerData: { role: INSPECT_WORKER_ROLE },
    resourceLimits: { maxOldGenerationSizeMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 8 },
    stdout: true,
    stderr: true,
  });
  const pw: PooledWorker = { worker, key };
  // while idle nobody else listens: a crash must neither throw in the host nor leave a dead worker in the pool
  worker.on('error', () => undefined);
  worker.on('exit', () => {
    const list = idleWorkers.get(key);
    const i = list?.indexOf(pw) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    if (pw.idleTimer) clearTimeout(pw.idleTimer);
  });
  return pw;
}

function takeIdle(key: string): PooledWorker | undefined {
  const list = idleWorkers.get(key);
  const pw = list?.pop();
  if (pw?.idleTimer) clearTimeout(pw.idleTimer);
  return pw;
}

function release(pw: PooledWorker): void {
  const list = idleWorkers.get(pw.key) ?? [];
  if (list.length >= MAX_IDLE_WORKERS) {
    void pw.worker.terminate();
    return;
  }
  pw.worker.unref(); // an idle worker never keeps the process alive
  pw.idleTimer = setTimeout(() => {
    const l = idleWorkers.get(pw.key);
    const i = l?.indexOf(pw) ?? -1;
    if (i >= 0) l!.splice(i, 1);
    void pw.worker.terminate();
  }, IDLE_WORKER_MS);
  pw.idleTimer.unref();
  list.push(pw);
  idleWorkers.set(pw.key, list);
}

/** Starts an idle worker ahead of the first inspection (e.g. when the language server starts). */
export function prewarmInspectWorker(opts: Pick<InspectFileOptions, 'workerScript' | 'maxOldGenerationSizeMb'> = {}): void {
  const { workerScript = defaultWorkerScript(), maxOldGenerationSizeMb = 512 } = opts;
  if (!fs.existsSync(workerScript)) return;
  const key = `${workerScript}\u0000${maxOldGenerationSizeMb}`;
  if ((idleWorkers.get(key)?.length ?? 0) > 0) return;
  release(spawnWorker(workerScript, maxOldGenerationSizeMb, key));
}

/** Terminates the idle workers (tests, shutdown). */
export async function stopInspectWorkers(): Promise<void> {
  const all = [...idleWorkers.values()].flat();
  idleWorkers.clear();
  for (const pw of all) if (pw.idleTimer) clearTimeout(pw.idleTimer);
  await Promise.all(all.map((pw) => pw.worker.terminate()));
}

/**
 * Inspects a file in a worker thread with a heap limit and a timeout. Never rejects: failures
 * (timeout, out of memory, a crashed worker) come back as an `invalid` report saying why.
 */
export function inspectFile(file: string, opts: InspectFileOptions = {}): Promise<ModelReport> {
  const { timeoutMs = 10_000, maxOldGenerationSizeMb = 512, workerScript = defaultWorkerScript(), inThread = false, reuseWorker = true, ...inspectOpts } = opts;
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
  const key = `${workerScript}\u0000${maxOldGenerationSizeMb}`;
  const pw = (reuseWorker ? takeIdle(key) : undefined) ?? spawnWorker(workerScript, maxOldGenerationSizeMb, key);
  const { worker } = pw;
  worker.ref();
  const id = nextJobId++;
  return new Promise<ModelReport>((resolve) => {
    let settled = false;
    const detach = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const finish = (report: ModelReport, healthy: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      detach();
      if (healthy && reuseWorker) release(pw);
      else void worker.terminate();
      resolve(report);
    };
    const fail = (reason: FindingReason, message: string) => finish(failureReport(file, size, reason, message, performance.now() - started), false);
    const timer = setTimeout(() => fail('timeout', `Inspection timed out after ${timeoutMs} ms and was stopped; the file was not fully examined`), timeoutMs);
    const onMessage = (msg: { id?: number; report?: ModelReport }) => {
      if (msg?.id === id && msg.report) finish(msg.report, true);
    };
    const onError = (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') fail('limit-exceeded', `Inspection exceeded its ${maxOldGenerationSizeMb} MB memory limit and was stopped; the file was not fully examined`);
      else fail('internal-error', `The inspection worker failed: ${e.message}`);
    };
    const onExit = (code: number) => fail('internal-error', `The inspection worker exited (code ${code}) without a report`);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    const job: InspectWorkerJob = { role: INSPECT_WORKER_ROLE, id, path: file, options };
    worker.postMessage(job);
  });
}
