// Assembles (once, cached) a large tree of real Python files: the standard library and the
// site-packages of the machine's python3. Only .py files up to 1 MB are copied.
//
// Directories that any of the compared tools skips by default (ModelLint's SKIPPED_DIRECTORIES,
// Ruff's default `exclude`, Bandit's default excludes) are not copied, so that every tool sees
// exactly the same files; the two roots are named `stdlib/` and `sitepkgs/` for the same reason
// (`site-packages` is skipped by both ModelLint and Ruff).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCapture } from './util.mjs';

const MAX_FILE = 1024 * 1024;

const SKIP_DIRS = new Set([
  // ModelLint (server/src/cli/discover.ts)
  '.git', '.hg', '.svn', '.bzr', 'node_modules', '.venv', 'venv', '__pycache__', 'site-packages', '__pypackages__',
  '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.ipynb_checkpoints',
  // Ruff default exclude
  '.direnv', '.eggs', '.git-rewrite', '.pants.d', '.pyenv', '.pytype', '.vscode', '_build', 'buck-out', 'build', 'dist',
  // Bandit default excludes
  'CVS',
]);

function skipDir(name) {
  return SKIP_DIRS.has(name) || name.startsWith('.') || name.endsWith('.egg');
}

export async function pythonPaths() {
  const r = await runCapture('python3', ['-c', 'import sys,sysconfig,json;p=sysconfig.get_paths();print(json.dumps({"stdlib":p["stdlib"],"purelib":p["purelib"],"platlib":p["platlib"],"version":sys.version.split()[0]}))'], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`python3 failed: ${r.error ?? r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

function copyPythonFiles(src, dst, stats, files) {
  let entries;
  try {
    entries = fs.readdirSync(src, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let made = false;
  for (const e of entries) {
    const from = path.join(src, e.name);
    if (e.isDirectory()) {
      if (!skipDir(e.name)) copyPythonFiles(from, path.join(dst, e.name), stats, files);
      continue;
    }
    if (!e.name.endsWith('.py')) continue;
    if (!e.isFile() && !e.isSymbolicLink()) continue;
    let st;
    try {
      st = fs.statSync(from);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    if (st.size > MAX_FILE) {
      stats.skippedLarge++;
      continue;
    }
    if (!made) {
      fs.mkdirSync(dst, { recursive: true });
      made = true;
    }
    const to = path.join(dst, e.name);
    fs.copyFileSync(from, to);
    stats.files++;
    stats.bytes += st.size;
    files.push({ rel: path.relative(stats.root, to), size: st.size });
  }
}

/**
 * The benchmark tree under `workDir/tree`, built on first use (or when `rebuild`).
 * Returns { root, files, bytes, skippedLarge, sources, list: [{rel, size}] }.
 */
export async function ensureTree(workDir, { rebuild = false, log = () => {} } = {}) {
  const root = path.join(workDir, 'tree');
  const manifestPath = path.join(workDir, 'tree-manifest.json');
  if (!rebuild && fs.existsSync(manifestPath) && fs.existsSync(root)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
      if (manifest.root === root && Array.isArray(manifest.list)) {
        await makeRepository(root);
        return { ...manifest, cached: true };
      }
    } catch {
      // rebuild below
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(manifestPath, { force: true });
  const py = await pythonPaths();
  const sources = [{ from: py.stdlib, to: 'stdlib' }];
  for (const lib of new Set([py.purelib, py.platlib])) {
    if (lib && fs.existsSync(lib)) sources.push({ from: lib, to: sources.length === 1 ? 'sitepkgs' : `sitepkgs${sources.length}` });
  }
  const stats = { root, files: 0, bytes: 0, skippedLarge: 0 };
  const list = [];
  const t0 = performance.now();
  for (const s of sources) {
    log(`  copying ${s.from} -> tree/${s.to}`);
    copyPythonFiles(s.from, path.join(root, s.to), stats, list);
  }
  const manifest = {
    root,
    python: py.version,
    sources,
    files: stats.files,
    bytes: stats.bytes,
    skippedLarge: stats.skippedLarge,
    builtMs: Math.round(performance.now() - t0),
    builtAt: new Date().toISOString(),
    list,
  };
  await makeRepository(root);
  fs.writeFileSync(manifestPath, JSON.stringify(manifest));
  return { ...manifest, cached: false };
}

/**
 * Make the tree a git repository of its own, as a checked-out project would be: bench/.work/ is
 * gitignored by this repository, and tools that honour .gitignore files above the path they are
 * given (ModelLint's CLI does, up to the enclosing repository's root) would otherwise skip it all.
 * No commit is made; the tools only look for the `.git` directory.
 */
async function makeRepository(root) {
  if (fs.existsSync(path.join(root, '.git'))) return;
  const r = await runCapture('git', ['init', '-q', root], { timeoutMs: 30_000 });
  if (r.code !== 0 || !fs.existsSync(path.join(root, '.git'))) fs.mkdirSync(path.join(root, '.git'), { recursive: true });
}
