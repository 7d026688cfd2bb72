/**
 * Worker entry for inspectFile (inspect.ts): inspects the files it is sent, one at a time, and posts
 * each report back with the job id. A worker is reused for later files while it is healthy (no
 * timeout, no crash); inspect.ts terminates it otherwise. Built by tsc to
 * out/server/src/models/inspect-worker.js and bundled by esbuild to dist/inspect-worker.js (entry
 * point: server/src/models/inspect-worker.ts); inspect.ts finds it beside itself.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { INSPECT_WORKER_ROLE, inspectPathSync, type InspectWorkerJob } from './inspect';

const role = (workerData as { role?: string } | null)?.role;
if (!isMainThread && parentPort && role === INSPECT_WORKER_ROLE) {
  const port = parentPort;
  port.on('message', (job: InspectWorkerJob) => {
    if (job?.role !== INSPECT_WORKER_ROLE || typeof job.path !== 'string') return;
    port.postMessage({ id: job.id, report: inspectPathSync(job.path, job.options) });
  });
}
