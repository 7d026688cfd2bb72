import { Worker } from 'node:worker_threads';
import type { DiscoveredFile } from './discover';
import type { FileResult } from './analyze-file';
import type { AnalyzerConfig } from './analyzer-config';
import { WORKER_ROLE, type FromWorker, type ToWorker, type WorkerInput } from './worker';

/**
 * Analyzes `files` on `count` worker threads (each initializes the parsers once), handing out
 * small batches so that fast workers take more. Results keep the order of `files`. A worker that
 * dies has its batch handed to another; if none are left, `fallback` analyzes the rest here.
 */
export function analyzeInWorkers(
  files: DiscoveredFile[],
  count: number,
  config: AnalyzerConfig,
  entryScript: string,
  fallback: (files: DiscoveredFile[]) => Promise<FileResult[]>,
): Promise<FileResult[]> {
  const results: (FileResult | undefined)[] = new Array(files.length);
  const requeued: ToWorker[] = [];
  let next = 0;
  let completed = 0;
  const workers = new Set<Worker>();
  const inflight = new Map<Worker, ToWorker>();
  const idle = new Set<Worker>();
  const batchSize = () => Math.max(4, Math.min(64, Math.ceil((files.length - next) / (count * 6))));

  return new Promise<FileResult[]>((resolve) => {
    let finished = false;
    const finish = async () => {
      if (finished) return;
      finished = true;
      for (const w of workers) void w.terminate();
      workers.clear();
      const missing: number[] = [];
      for (let i = 0; i < files.length; i++) if (!results[i]) missing.push(i);
      if (missing.length > 0) {
        const rest = await fallback(missing.map((i) => files[i]));
        missing.forEach((i, k) => (results[i] = rest[k]));
      }
      resolve(results as FileResult[]);
    };
    const take = (): ToWorker | undefined => {
      const again = requeued.pop();
      if (again) return again;
      if (next >= files.length) return undefined;
      const start = next;
      next = Math.min(files.length, next + batchSize());
      return { start, end: next };
    };
    const dispatch = (w: Worker) => {
      const work = take();
      if (!work) {
        inflight.delete(w);
        idle.add(w);
        if (inflight.size === 0) void finish();
        return;
      }
      idle.delete(w);
      inflight.set(w, work);
      w.postMessage(work);
    };
    const lose = (w: Worker) => {
      if (!workers.has(w)) return;
      workers.delete(w);
      idle.delete(w);
      const work = inflight.get(w);
      inflight.delete(w);
      void w.terminate();
      if (work) {
        requeued.push(work);
        const spare = idle.values().next().value;
        if (spare) dispatch(spare);
      }
      if (workers.size === 0) void finish();
    };

    const workerData: WorkerInput = { role: WORKER_ROLE, files, config };
    for (let i = 0; i < count; i++) {
      const w = new Worker(entryScript, { workerData });
      workers.add(w);
      w.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') dispatch(w);
        else if (msg.type === 'done') {
          msg.results.forEach((r, k) => (results[msg.start + k] = r));
          completed += msg.results.length;
          inflight.delete(w);
          if (completed === files.length) void finish();
          else dispatch(w);
        } else lose(w);
      });
      w.on('error', () => lose(w));
      w.on('exit', () => lose(w));
    }
  });
}
