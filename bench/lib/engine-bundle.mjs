// Bundles a small entry that exposes the analysis engine (server/src) for the in-process editor
// benchmark, the same way scripts/build.mjs bundles the server: CommonJS, web-tree-sitter forced
// to its CJS entry, and the runtime and grammar .wasm files copied next to the bundle
// (server/src/languages/tree-sitter.ts looks for them beside the script first).
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

const ENTRY = `
export { initParsers } from './server/src/languages/tree-sitter';
export { analyzeDocument } from './server/src/engine/analyze';
export { ParseCache } from './server/src/languages/python/parse-cache';
export { allRules } from './server/src/rules/index';
export { emptyWorkspace } from './server/src/workspace/workspace-facts';
export { warmUpEngine } from './server/src/lsp/warm-up';
`;

/** Build `<outDir>/engine.cjs` (+ .wasm files); returns its path. */
export async function buildEngineBundle(root, outDir) {
  mkdirSync(outDir, { recursive: true });
  const treeSitterCjs = {
    name: 'web-tree-sitter-cjs',
    setup(build) {
      build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') }));
    },
  };
  const outfile = join(outDir, 'engine.cjs');
  await esbuild.build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'bench-engine-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [treeSitterCjs],
    outfile,
  });
  for (const [pkg, file] of [
    ['web-tree-sitter', 'web-tree-sitter.wasm'],
    ['tree-sitter-python', 'tree-sitter-python.wasm'],
    ['tree-sitter-bash', 'tree-sitter-bash.wasm'],
  ]) {
    copyFileSync(locateWasm(pkg, file), join(outDir, file));
  }
  return outfile;
}

/** The .wasm file of a package: via its exports map, its package.json, or beside its main entry. */
function locateWasm(pkg, file) {
  for (const attempt of [
    () => require.resolve(`${pkg}/${file}`),
    () => join(dirname(require.resolve(`${pkg}/package.json`)), file),
    () => join(dirname(require.resolve(pkg)), file),
  ]) {
    try {
      const p = attempt();
      if (existsSync(p)) return p;
    } catch {
      // next
    }
  }
  throw new Error(`cannot find ${file} of ${pkg}`);
}
