/**
 * Worker entry for inspectFile (inspect.ts): inspects one file and posts its report. Built by tsc
 * to out/server/src/models/inspect-worker.js and bundled by esbuild to dist/inspect-worker.js
 * (entry point: server/src/models/inspect-worker.ts); inspect.ts finds it beside itself.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { INSPECT_WORKER_ROLE, inspectPathSync, type InspectWorkerInput } from './inspect';

const input = workerData as InspectWorkerInput | null;
if (!isMainThread && parentPort && input?.role === INSPECT_WORKER_ROLE) {
  parentPort.postMessage({ report: inspectPathSync(input.path, input.options) });
}
