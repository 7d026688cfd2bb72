// `npm test`: every test level, in order of cost, with one closing summary line.
//  1. build the bundles (esbuild) and type-check + compile everything (tsc -b);
//  2. unit, rule-fixture, CLI and LSP tests with node's test runner;
//  3. extension tests inside a real VS Code extension host (code-server), then the UI tests in Chromium.
// Levels 3 install code-server and Chromium on first use (scripts/vscode-env.mjs).
// `--fast` stops after level 2.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fast = process.argv.includes('--fast') || process.env.MODELLINT_TEST_FAST === '1';
let passed = 0;
let failed = 0;
const failures = [];

function run(label, cmd, args, { parse } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let tail = '';
    const onData = (stream) => (chunk) => {
      stream.write(chunk);
      tail = (tail + chunk.toString()).slice(-20000);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('close', (code) => {
      const counts = parse ? parse(tail) : undefined;
      if (counts) {
        passed += counts.passed;
        failed += counts.failed;
      }
      if (code !== 0) {
        failures.push(`${label} (exit ${code})`);
        if (!counts || counts.failed === 0) failed += 1;
      }
      console.log(`=== ${label}: exit ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      resolve(code);
    });
  });
}

/** node:test's spec reporter ends with "ℹ pass N" / "ℹ fail N". */
const nodeTestCounts = (out) => {
  const p = [...out.matchAll(/^\S*\s*pass (\d+)$/gm)].pop();
  const f = [...out.matchAll(/^\S*\s*fail (\d+)$/gm)].pop();
  return p && f ? { passed: Number(p[1]), failed: Number(f[1]) } : undefined;
};
/** Our VS Code and UI runners end with "N passed, N failed". */
const plainCounts = (out) => {
  const m = [...out.matchAll(/(\d+) passed, (\d+) failed/g)].pop();
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined;
};

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
if ((await run('build', process.execPath, ['scripts/build.mjs'])) !== 0 || (await run('type-check', npx, ['tsc', '-b'])) !== 0) {
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(1);
}
await run('unit, fixture, CLI and LSP tests', process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', 'out/test/unit', 'out/test/lsp'], { parse: nodeTestCounts });
if (!fast) {
  await run('VS Code extension-host tests', process.execPath, ['test/vscode/run.mjs', '--no-build'], { parse: plainCounts });
  await run('UI tests in Chromium', process.execPath, ['test/ui/run.mjs', '--no-build'], { parse: plainCounts });
}
if (failures.length) console.log(`\nfailed levels: ${failures.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failures.length ? 1 : 0);
