// `npm start`: build, package the .vsix, install it into an isolated code-server profile and
// serve the examples/ workspace at http://127.0.0.1:<port>/ (no auth, loopback only).
//
//   npm start                       port 8080 (or $PORT)
//   npm start -- --port 9000
//   npm start -- --folder path/to/workspace
//   npm start -- --no-build         reuse dist/ as it is
//
// Ctrl-C stops code-server and every process it started (its process group).
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  cacheDir, codeServerCli, ensureCodeServer, portFree, profileDirs, root, startCodeServer, stopGroup, writeUserSettings,
} from './vscode-env.mjs';
import { build, packageVsix } from './package-vsix.mjs';

function flag(name) {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

const t0 = Date.now();
const ms = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const say = (m) => process.stdout.write(`[start] ${m}\n`);

let server;
let stopping = false;
async function main() {
  const port = Number(flag('--port') ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid port ${port}`);
  const folder = resolve(flag('--folder') ?? join(root, 'examples'));
  if (!existsSync(folder)) throw new Error(`workspace folder ${folder} does not exist`);
  if (!(await portFree(port))) throw new Error(`127.0.0.1:${port} is in use; pick another with --port N or PORT=N`);

  let t = Date.now();
  if (!process.argv.includes('--no-build')) {
    build();
    say(`built in ${ms(t)}`);
  }

  t = Date.now();
  const runDir = join(cacheDir, 'start');
  mkdirSync(runDir, { recursive: true });
  const { vsix } = packageVsix(join(runDir, 'modellint.vsix'));
  say(`packaged ${vsix} in ${ms(t)}`);

  t = Date.now();
  const { node } = await ensureCodeServer();
  say(`code-server ready in ${ms(t)}`);

  t = Date.now();
  const { userDataDir, extensionsDir } = profileDirs(runDir);
  // Always install the freshly built extension (and drop stale copies of it).
  for (const d of readdirSync(extensionsDir)) {
    if (d.startsWith('modellint.modellint-')) rmSync(join(extensionsDir, d), { recursive: true, force: true });
  }
  codeServerCli({ node, runDir, userDataDir, extensionsDir, args: ['--install-extension', vsix, '--force'] });
  writeUserSettings(userDataDir);
  say(`installed the extension in ${ms(t)}`);

  t = Date.now();
  server = await startCodeServer({ node, runDir, port, folder, userDataDir, extensionsDir });
  say(`code-server listening in ${ms(t)} (total ${ms(t0)}); log: ${server.logFile}`);
  // The folder given on the command line is what / opens.
  process.stdout.write(`\n  ModelLint demo (${folder}): ${server.url}\n  Ctrl-C to stop.\n\n`);
  server.child.on('exit', (code, signal) => {
    if (stopping) return;
    say(`code-server exited (${code ?? signal}); last log lines:\n${server.logTail(20)}`);
    process.exit(code ?? 1);
  });
}

async function shutdown(sig) {
  if (stopping) return;
  stopping = true;
  say(`${sig}: stopping code-server`);
  if (server) await stopGroup(server.child);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (e) => {
  process.stderr.write(`[start] ${e.message}\n`);
  if (server) await stopGroup(server.child);
  process.exit(1);
});
