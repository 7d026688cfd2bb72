// The `modellint` command line (architecture.md §11): check, inspect, rules, server. Bundled to dist/cli.js,
// launched by bin/modellint.js. Everything heavy is required lazily so that startup stays small.
import { isMainThread, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { MAIN_HELP } from './cli/args';
import type { CliIO } from './cli/run-check';

const WORKER_ROLE = 'modellint-check-worker';

async function main(argv: string[]): Promise<number> {
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return (require('./cli/run-check') as typeof import('./cli/run-check')).runCheck(rest, io, __filename);
    case 'inspect':
      return (require('./cli/inspect-command') as typeof import('./cli/inspect-command')).runInspect(rest, io);
    case 'rules':
      return (require('./cli/rules-command') as typeof import('./cli/rules-command')).runRules(rest, io);
    case 'server':
      return startServer(rest);
    case '--version':
    case '-V':
    case 'version':
      io.stdout.write(`${(require('./cli/package-info') as typeof import('./cli/package-info')).packageVersion()}\n`);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      io.stdout.write(MAIN_HELP);
      return 0;
    case undefined:
      io.stderr.write(MAIN_HELP);
      return 2;
    default:
      io.stderr.write(`modellint: unknown command '${command}'\n\n${MAIN_HELP}`);
      return 2;
  }
}

/**
 * `modellint server --stdio | --node-ipc | --socket=N | --pipe=NAME`: loads the server module
 * beside this script, which reads its transport from process.argv like any vscode-languageserver.
 */
function startServer(args: string[]): number | Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('Usage: modellint server --stdio | --node-ipc | --socket=PORT | --pipe=NAME\n');
    return 0;
  }
  const transport = args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='));
  if (!transport) {
    process.stderr.write('modellint: server needs a transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME\n');
    return 2;
  }
  // Not bundled into cli.js: the server is its own bundle (dist/server.js), loaded only for this command.
  createRequire(__filename)(path.join(__dirname, 'server.js'));
  // The server keeps the process alive and exits itself on the LSP `exit` notification.
  return new Promise<number>(() => undefined);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  void (require('./cli/worker') as typeof import('./cli/worker')).runWorker();
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`modellint: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
