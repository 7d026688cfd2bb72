// Bundles the extension client, the language server and the CLI with esbuild,
// and copies the tree-sitter runtime and grammar .wasm files next to the bundles.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const production = process.argv.includes('--production');
mkdirSync(dist, { recursive: true });

// web-tree-sitter's ESM entry uses import.meta.url, which breaks inside a CJS bundle:
// force its CommonJS entry (runtime.md §5).
const treeSitterCjs = {
  name: 'web-tree-sitter-cjs',
  setup(build) {
    build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  plugins: [treeSitterCjs],
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: [join(root, 'server/src/server.ts')], outfile: join(dist, 'server.js') }),
  esbuild.build({ ...common, entryPoints: [join(root, 'server/src/cli.ts')], outfile: join(dist, 'cli.js') }),
  // Model files are read in a worker thread with memory and time limits (server/src/models/inspect.ts).
  esbuild.build({ ...common, entryPoints: [join(root, 'server/src/models/inspect-worker.ts')], outfile: join(dist, 'inspect-worker.js') }),
  esbuild.build({ ...common, entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'extension.js'), external: ['vscode'] }),
  // The model preview's webview script (client/src/preview): a browser IIFE, no Node APIs.
  esbuild.build({ ...common, platform: 'browser', format: 'iife', target: 'es2022', plugins: [], entryPoints: [join(root, 'client/src/preview/webview/main.ts')], outfile: join(dist, 'preview.js') }),
]);
copyFileSync(join(root, 'client/src/preview/webview/preview.css'), join(dist, 'preview.css'));

for (const [pkg, file] of [
  ['web-tree-sitter', 'web-tree-sitter.wasm'],
  ['tree-sitter-python', 'tree-sitter-python.wasm'],
  ['tree-sitter-bash', 'tree-sitter-bash.wasm'],
]) {
  copyFileSync(require.resolve(`${pkg}/${file}`), join(dist, file));
}
