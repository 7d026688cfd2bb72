// Builds the bundles and packages them into a .vsix with @vscode/vsce (no node_modules inside:
// .vscodeignore denies everything and re-includes dist/, package.json and the docs).
//
//   node scripts/package-vsix.mjs [--out FILE] [--production]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function run(args, what) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
  return Date.now() - t0;
}

/** Runs scripts/build.mjs. Retries a few times: other engineers may be mid-edit on the server. */
export function build({ production = false, retries = 0 } = {}) {
  for (let attempt = 0; ; attempt++) {
    try {
      return run([join(root, 'scripts/build.mjs'), ...(production ? ['--production'] : [])], 'build');
    } catch (e) {
      if (attempt >= retries) throw e;
      process.stderr.write(`build failed, retrying in 10 s (${attempt + 1}/${retries})\n`);
      spawnSync('sleep', ['10']);
    }
  }
}

// What goes into the .vsix (mirrors .vscodeignore, which vsce still applies in the staging dir).
const STAGE = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore', 'dist', 'docs', 'grammars', 'schemas'];

/**
 * Packages the already-built extension; returns { vsix, ms }.
 * vsce walks every file under its working directory before applying .vscodeignore, which takes
 * 20 s here because of .cache/ (code-server) and node_modules/, so it runs in a staging copy.
 */
export function packageVsix(out = join(root, '.cache', 'modellint.vsix')) {
  const t0 = Date.now();
  mkdirSync(dirname(out), { recursive: true });
  const stage = join(root, '.cache', `vsix-stage-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  try {
    for (const entry of STAGE) {
      const src = join(root, entry);
      if (!existsSync(src)) continue;
      cpSync(src, join(stage, entry), {
        recursive: true,
        filter: (f) => !f.endsWith('.map'),
      });
    }
    const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
    const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--skip-license', '--out', out], {
      cwd: stage, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status ?? r.signal}):\n${r.stdout}`);
    process.stderr.write(r.stdout.split('\n').filter((l) => /DONE|WARNING|ERROR/.test(l)).join('\n') + '\n');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return { vsix: out, ms: Date.now() - t0 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? resolve(process.argv[i + 1]) : join(root, 'modellint.vsix');
  try {
    const buildMs = build({ production: process.argv.includes('--production') });
    const { vsix, ms } = packageVsix(out);
    process.stderr.write(`build ${buildMs} ms, package ${ms} ms → ${vsix}\n`);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
