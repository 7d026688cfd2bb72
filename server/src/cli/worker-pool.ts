import { Worker } from 'node:worker_threads';
import type { DiscoveredFile } from './discover';
import type { FileResult } from './analyze-file';
import type { AnalyzerConfig } from './analyzer-config';
import { WORKER_ROLE, type FromWorker, type ToWorker, type WorkerInput } from './worker';

/**
 * Analyzes files on `count` worker threads (each initializes the parsers once) while they are
 * still being discovered: `add` hands over files as the walk finds them, `close` says the walk is
 * over and resolves with every result (in the order the files were added). Workers take small
 * batches so that fast workers take more. A worker that dies has its batch handed to another; if
 * none are left, `fallback` analyzes the rest here.
 */
export class WorkerPool {
  private readonly files: DiscoveredFile[] = [];
  private readonly results: (FileResult | undefined)[] = [];
  private readonly requeued: ToWorker[] = [];
  private next = 0;
  private closed = false;
  private finished = false;
  private readonly workers = new Set<Worker>();
  private readonly inflight = new Map<Worker, ToWorker>();
  private readonly idle = new Set<Worker>();
  private resolve?: (results: FileResult[]) => void;

  constructor(
    private readonly count: number,
    config: AnalyzerConfig,
    entryScript: string,
    private readonly fallback: (files: DiscoveredFile[]) => Promise<FileResult[]>,
  ) {
    const workerData: WorkerInput = { role: WORKER_ROLE, config };
    for (let i = 0; i < count; i++) {
      const w = new Worker(entryScript, { workerData });
      this.workers.add(w);
      w.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') this.dispatch(w);
        else if (msg.type === 'done') {
          msg.results.forEach((r, k) => (this.results[msg.start + k] = r));
          this.inflight.delete(w);
          this.dispatch(w);
        } else this.lose(w);
      });
      w.on('error', () => this.lose(w));
      w.on('exit', () => this.lose(w));
    }
  }

  add(files: readonly DiscoveredFile[]): void {
    for (const f of files) this.files.push(f);
    for (const w of [...this.idle]) this.dispatch(w);
  }

  close(): Promise<FileResult[]> {
    this.closed = true;
    const done = new Promise<FileResult[]>((resolve) => (this.resolve = resolve));
    for (const w of [...this.idle]) this.dispatch(w);
    this.maybeFinish();
    return done;
  }

  /** Stops the workers without waiting for results (e.g. a usage error found during the walk). */
  terminate(): void {
    this.finished = true;
    for (const w of this.workers) void w.terminate();
    this.workers.clear();
  }

  private batchSize(): number {
    const left = this.files.length - this.next;
    // While the walk goes on the total is unknown: moderate batches keep every worker busy.
    return this.closed ? Math.max(4, Math.min(64, Math.ceil(left / (this.count * 6)))) : 16;
  }

  private take(): ToWorker | undefined {
    const again = this.requeued.pop();
    if (again) return again;
    if (this.next >= this.files.length) return undefined;
    const start = this.next;
    const end = Math.min(this.files.length, start + this.batchSize());
    this.next = end;
    return { start, files: this.files.slice(start, end) };
  }

  private dispatch(w: Worker): void {
    if (this.finished || !this.workers.has(w)) return;
    const work = this.take();
    if (!work) {
      this.inflight.delete(w);
      this.idle.add(w);
      this.maybeFinish();
      return;
    }
    this.idle.delete(w);
    this.inflight.set(w, work);
    w.postMessage(work);
  }

  private lose(w: Worker): void {
    if (!this.workers.has(w)) return;
    this.workers.delete(w);
    this.idle.delete(w);
    const work = this.inflight.get(w);
    this.inflight.delete(w);
    void w.terminate();
    if (work) {
      this.requeued.push(work);
      const spare = this.idle.values().next().value;
      if (spare) this.dispatch(spare);
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || !this.closed) return;
    const drained = this.inflight.size === 0 && this.requeued.length === 0 && this.next >= this.files.length;
    if (!drained && this.workers.size > 0) return;
    this.finished = true;
    for (const w of this.workers) void w.terminate();
    this.workers.clear();
    void (async () => {
      const missing: number[] = [];
      for (let i = 0; i < this.files.length; i++) if (!this.results[i]) missing.push(i);
      if (missing.length > 0) {
        const rest = await this.fallback(missing.map((i) => this.files[i]));
        missing.forEach((i, k) => (this.results[i] = rest[k]));
      }
      this.resolve?.(this.results.slice(0, this.files.length) as FileResult[]);
    })();
  }
}
