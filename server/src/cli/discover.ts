import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { detectInputKind, type InputKind } from '../languages/detect';

/**
 * File discovery for `modellint check`: explicit files are always taken; directories are walked
 * synchronously (one readdir per directory, no per-file stat), respecting `.gitignore` files
 * (each applies to its own subtree, deeper files win, as in git) and the team configuration's
 * `exclude` / `extend-exclude` (through `exclude`), skipping tool and environment
 * directories, never following symlinked directories (no cycles), and keeping only the files
 * `detectInputKind` recognizes.
 */

/** Directories never entered while walking (an explicitly given root is always walked). */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  '.git',
  '.hg',
  '.svn',
  '.bzr',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  'site-packages',
  '__pypackages__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.ipynb_checkpoints',
]);

export interface DiscoveredFile {
  /** Absolute path. */
  abs: string;
  /** Path relative to the working directory, with forward slashes (what the reports show). */
  rel: string;
  kind: InputKind;
}

export interface Discovery {
  files: DiscoveredFile[];
  /** Explicit paths that do not exist (a usage error). */
  missing: string[];
  /** Explicit files that are not a kind ModelLint analyzes, or unreadable directories. */
  notices: { file: string; reason: string }[];
}

interface Matcher {
  ig: Ignore;
  /** Characters of the walk-relative path to drop before testing (the matcher's directory prefix). */
  strip: number;
  /** Prefix to add before testing (for .gitignore files above the walk root). */
  prepend: string;
}

/** Git's core.ignorecase default: case-insensitive file systems on Windows and macOS. */
const CASE_INSENSITIVE_FS = process.platform === 'win32' || process.platform === 'darwin';

const toSlash = path.sep === '/' ? (p: string) => p : (p: string) => p.split(path.sep).join('/');

function relativeToCwd(cwd: string, abs: string): string {
  const rel = toSlash(path.relative(cwd, abs));
  return rel === '' ? '.' : rel;
}

function readGitignore(file: string): Ignore | undefined {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return ignore({ allowRelativePaths: true, ignorecase: CASE_INSENSITIVE_FS }).add(content);
  } catch {
    return undefined;
  }
}

/** .gitignore files between the enclosing git repository's root and `dir` (exclusive), outermost first. */
function ancestorMatchers(dir: string): Matcher[] {
  const chain: string[] = [];
  let current = dir;
  let repoRoot: string | undefined;
  for (;;) {
    if (fs.existsSync(path.join(current, '.git'))) {
      repoRoot = current;
      break;
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    chain.push(parent);
    current = parent;
  }
  // Outside a git repository, only the .gitignore files inside the walked tree apply.
  if (repoRoot === undefined || repoRoot === dir) return [];
  const matchers: Matcher[] = [];
  for (const ancestor of chain.reverse()) {
    if (path.relative(repoRoot, ancestor).startsWith('..')) continue;
    const ig = readGitignore(path.join(ancestor, '.gitignore'));
    if (ig) matchers.push({ ig, strip: 0, prepend: toSlash(path.relative(ancestor, dir)) + '/' });
  }
  return matchers;
}

/** Deepest matcher with an opinion wins (git semantics). `rel` is relative to the walk root; directories end with '/'. */
function isIgnored(matchers: readonly Matcher[], rel: string): boolean {
  for (let i = matchers.length - 1; i >= 0; i--) {
    const m = matchers[i];
    const r = m.ig.test(m.prepend + rel.slice(m.strip));
    if (r.ignored) return true;
    if (r.unignored) return false;
  }
  return false;
}

/**
 * Decides whether an entry found while walking is excluded by the team configuration
 * (`exclude` / `extend-exclude`); `parent` is the folder being read. Never asked about explicitly
 * named files or folders.
 */
export type ExcludeCheck = (abs: string, isDirectory: boolean, parent: string) => boolean;

export function discoverFiles(inputs: readonly string[], cwd: string, exclude?: ExcludeCheck): Discovery {
  const steps = discoverIncrementally(inputs, cwd, exclude);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/**
 * The same walk, one directory at a time: yields the files found in each directory (so that they
 * can be analyzed while the walk goes on) and returns the whole Discovery, files sorted. When an
 * explicit path does not exist, nothing is walked.
 */
export function* discoverIncrementally(inputs: readonly string[], cwd: string, exclude?: ExcludeCheck): Generator<DiscoveredFile[], Discovery> {
  const files: DiscoveredFile[] = [];
  const missing: string[] = [];
  const notices: Discovery['notices'] = [];
  const seen = new Set<string>();
  let fresh: DiscoveredFile[] = [];

  const add = (abs: string, rel: string, kind: InputKind) => {
    if (seen.has(abs)) return;
    seen.add(abs);
    const file = { abs, rel, kind };
    files.push(file);
    fresh.push(file);
  };

  const stats: (fs.Stats | undefined)[] = inputs.map((input) => {
    try {
      return fs.statSync(path.resolve(cwd, input));
    } catch {
      missing.push(input);
      return undefined;
    }
  });
  if (missing.length > 0) return { files, missing, notices };
  for (let k = 0; k < inputs.length; k++) {
    const abs = path.resolve(cwd, inputs[k]);
    if (stats[k]!.isDirectory()) {
      for (const _ of walk(abs, relativeToCwd(cwd, abs), add, notices, exclude)) {
        if (fresh.length > 0) {
          yield fresh;
          fresh = [];
        }
      }
    } else {
      const rel = relativeToCwd(cwd, abs);
      const kind = detectInputKind(toSlash(abs));
      if (kind) add(abs, rel, kind);
      else notices.push({ file: rel, reason: 'not a file kind ModelLint analyzes' });
    }
    if (fresh.length > 0) {
      yield fresh;
      fresh = [];
    }
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { files, missing, notices };
}

/** Walks a directory tree; yields after each directory read. */
function* walk(
  rootAbs: string,
  rootRel: string,
  add: (abs: string, rel: string, kind: InputKind) => void,
  notices: Discovery['notices'],
  exclude: ExcludeCheck | undefined,
): Generator<void> {
  const relPrefix = rootRel === '.' ? '' : rootRel.endsWith('/') ? rootRel : rootRel + '/';
  // Each stack entry: a directory (absolute), its path relative to the root ('' or 'a/b/'), and the matchers in force there.
  const stack: { abs: string; rel: string; matchers: Matcher[] }[] = [{ abs: rootAbs, rel: '', matchers: ancestorMatchers(rootAbs) }];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir.abs, { withFileTypes: true });
    } catch (e) {
      notices.push({ file: relPrefix + dir.rel || '.', reason: `could not read directory (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    let matchers = dir.matchers;
    if (entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
      const ig = readGitignore(path.join(dir.abs, '.gitignore'));
      if (ig) matchers = [...matchers, { ig, strip: dir.rel.length, prepend: '' }];
    }
    for (const entry of entries) {
      const name = entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        // Symlinked files are analyzed; symlinked directories are never followed (cycles).
        try {
          const target = fs.statSync(path.join(dir.abs, name));
          isFile = target.isFile();
        } catch {
          isFile = false;
        }
        isDir = false;
      }
      if (isDir) {
        if (SKIPPED_DIRECTORIES.has(name)) continue;
        const rel = dir.rel + name + '/';
        if (matchers.length > 0 && isIgnored(matchers, rel)) continue;
        const abs = path.join(dir.abs, name);
        if (exclude?.(abs, true, dir.abs)) continue;
        stack.push({ abs, rel, matchers });
      } else if (isFile) {
        const rel = dir.rel + name;
        const shown = relPrefix + rel;
        const kind = detectInputKind(shown);
        if (!kind) continue;
        if (matchers.length > 0 && isIgnored(matchers, rel)) continue;
        const abs = path.join(dir.abs, name);
        if (exclude?.(abs, false, dir.abs)) continue;
        add(abs, shown, kind);
      }
    }
    yield;
  }
}
