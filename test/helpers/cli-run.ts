import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const REPO_DIR = path.resolve(__dirname, '..', '..', '..');
/** bin/modellint.js (which loads dist/cli.js); MODELLINT_DIST points the tests at another build directory's cli.js. */
export const BIN = process.env.MODELLINT_DIST ? path.join(process.env.MODELLINT_DIST, 'cli.js') : path.join(REPO_DIR, 'bin', 'modellint.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `modellint ARGS` (bin/modellint.js → dist/cli.js) in `cwd`, colors off unless `env` says otherwise. */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliRun {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}
