import { parentPort, workerData } from 'node:worker_threads';
import type { DiscoveredFile } from './discover';
import type { FileResult } from './analyze-file';
import { createAnalyzer, type AnalyzerConfig } from './analyzer-config';

/** Marks a worker started by analyzeInWorkers (cli.ts dispatches on it). */
export const WORKER_ROLE = 'modellint-check-worker';

export interface WorkerInput {
  role: typeof WORKER_ROLE;
  config: AnalyzerConfig;
}

/** A batch: files with the position of the first among all files handed to the pool. */
export type ToWorker = { start: number; files: DiscoveredFile[] };
export type FromWorker = { type: 'ready' } | { type: 'done'; start: number; results: FileResult[] } | { type: 'fatal'; message: string };

/** Worker side: initialize the parsers once, then analyze the batches the main thread hands out. */
export async function runWorker(): Promise<void> {
  const port = parentPort!;
  const input = workerData as WorkerInput;
  try {
    const { initParsers } = require('../languages/tree-sitter') as typeof import('../languages/tree-sitter');
    await initParsers();
    const analyzer = createAnalyzer(input.config);
    port.on('message', (msg: ToWorker) => {
      const results: FileResult[] = [];
      for (const file of msg.files) {
        try {
          results.push(analyzer.analyze(file));
        } catch (e) {
          results.push({ rel: file.rel, findings: [], errors: [`analysis failed: ${(e as Error)?.message ?? String(e)}`] });
        }
      }
      port.postMessage({ type: 'done', start: msg.start, results } satisfies FromWorker);
    });
    port.postMessage({ type: 'ready' } satisfies FromWorker);
  } catch (e) {
    port.postMessage({ type: 'fatal', message: (e as Error)?.message ?? String(e) } satisfies FromWorker);
  }
}
