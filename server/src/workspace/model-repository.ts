/**
 * Triton model repositories in the workspace: the `config.pbtxt` files under a repository folder
 * (`<repo>/<model>/config.pbtxt`). A `--model-repository` path is a path inside the container,
 * so it is looked up in this order:
 *   1. as written, relative to the document's folder or a workspace root (a script run on the host,
 *      or a host path the caller already mapped through a bind mount or a COPY);
 *   2. absolute, when it lies inside a workspace root;
 *   3. by name: folders of the workspace named like its last segment (`/models` → `models/`) that
 *      hold at least one `<model>/config.pbtxt`.
 * Walks are bounded and the name index is built once per root.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isFileEntry, listDirectory, pathKind } from './bounded-fs';
import type { ScanLimits } from './project-scan';
import type { ModelConfigRef } from './workspace-facts';

const SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', 'site-packages', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache']);
/** Models per repository listed at most. */
const MAX_MODELS = 2000;

/** The `<model>/config.pbtxt` files directly under a repository folder. */
export function modelConfigsIn(repo: string): ModelConfigRef[] {
  const out: ModelConfigRef[] = [];
  for (const entry of listDirectory(repo)) {
    if (out.length >= MAX_MODELS) break;
    if (!entry.isDirectory() || SKIPPED.has(entry.name)) continue;
    const modelDir = path.join(repo, entry.name);
    const config = listDirectory(modelDir).find((e) => e.name === 'config.pbtxt' && isFileEntry(modelDir, e));
    if (config) {
      const file = path.join(modelDir, 'config.pbtxt');
      out.push({ model: entry.name, uri: pathToFileURL(file).href, path: file, repository: repo });
    }
  }
  return out;
}

export class ModelRepositoryIndex {
  /** Folder name → folders of that name holding model configs. */
  private byName: Map<string, string[]> | undefined;

  constructor(readonly root: string, private readonly limits: ScanLimits) {}

  private index(): Map<string, string[]> {
    if (this.byName) return this.byName;
    const byName = new Map<string, string[]>();
    const stack: { dir: string; depth: number }[] = [{ dir: this.root, depth: 0 }];
    let visited = 0;
    while (stack.length > 0) {
      const { dir, depth } = stack.pop()!;
      const entries = listDirectory(dir);
      // A folder with a config.pbtxt is a model; its parent is a repository.
      if (entries.some((e) => e.name === 'config.pbtxt' && isFileEntry(dir, e))) {
        const repo = path.dirname(dir);
        const name = path.basename(repo);
        const list = byName.get(name) ?? [];
        if (!list.includes(repo)) list.push(repo);
        byName.set(name, list);
      }
      for (const entry of entries) {
        if (++visited > this.limits.maxEntries) {
          this.byName = byName;
          return byName;
        }
        if (entry.isDirectory() && depth < this.limits.maxDepth && !SKIPPED.has(entry.name)) stack.push({ dir: path.join(dir, entry.name), depth: depth + 1 });
      }
    }
    this.byName = byName;
    return byName;
  }

  /** Repositories named like the last segment of `containerPath`. */
  repositoriesNamed(name: string): string[] {
    return [...(this.index().get(name) ?? [])].sort();
  }

  reset(): void {
    this.byName = undefined;
  }
}

/** Candidate host folders for a repository path, most specific first (steps 1 and 2 above). */
export function resolveRepositoryPath(repoPath: string, documentDir: string | undefined, roots: readonly string[]): string[] {
  const p = repoPath.replace(/^file:\/\//, '').replace(/\/+$/, '') || '/';
  if (p.includes('\0') || /^[a-z][a-z0-9+.-]*:\/\//i.test(repoPath)) return [];
  const out: string[] = [];
  const add = (candidate: string) => {
    if (!out.includes(candidate) && pathKind(candidate) === 'directory') out.push(candidate);
  };
  if (path.isAbsolute(p)) {
    if (roots.some((r) => candidateWithin(p, r))) add(p);
    return out;
  }
  if (documentDir) add(path.resolve(documentDir, p));
  for (const r of roots) add(path.resolve(r, p));
  return out;
}

function candidateWithin(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
