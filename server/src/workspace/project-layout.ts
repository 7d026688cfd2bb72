/**
 * Which folder is a document's project, and which files in it declare dependencies.
 *
 * A project folder is the nearest ancestor (up to the workspace root) that holds any of:
 * pyproject.toml, setup.cfg, requirements*.txt / constraints*.txt (or a requirements/ folder),
 * environment.yml, a Dockerfile, or .git.
 */
import * as path from 'node:path';
import { detectInputKind, type InputKind } from '../languages/detect';
import { isFileEntry, listDirectory } from './bounded-fs';

const DEPENDENCY_KINDS: ReadonlySet<InputKind> = new Set<InputKind>(['requirements', 'pyproject', 'setup-cfg', 'conda-env', 'dockerfile']);

/** The dependency-file kind of a file name (or path), if it is one. */
export function dependencyFileKind(fileName: string): InputKind | undefined {
  const kind = detectInputKind(fileName);
  return kind !== undefined && DEPENDENCY_KINDS.has(kind) ? kind : undefined;
}

/** Whether an entry with this name makes its folder a project (for files and folders alike). */
export function isProjectMarkerName(name: string): boolean {
  return name === '.git' || name === 'requirements' || dependencyFileKind(name) !== undefined;
}

export function hasProjectMarker(dir: string): boolean {
  return listDirectory(dir).some((entry) => {
    if (entry.name === '.git') return true; // a directory, or a file in worktrees and submodules
    if (entry.name === 'requirements') return entry.isDirectory();
    return dependencyFileKind(entry.name) !== undefined && isFileEntry(dir, entry);
  });
}

/** True when `child` is `parent` or lies below it. */
export function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The most specific root containing `p`, if any. */
export function containingRoot(p: string, roots: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const root of roots) {
    if (isWithin(p, root) && (best === undefined || root.length > best.length)) best = root;
  }
  return best;
}

/**
 * The chain of project folders enclosing `dir`, nearest first, up to `boundary` (inclusive). The
 * boundary itself always ends the chain, marker or not: it is the fallback project.
 */
export function projectChain(dir: string, boundary: string): string[] {
  const chain: string[] = [];
  let current = dir;
  for (;;) {
    if (current === boundary) {
      chain.push(current);
      return chain;
    }
    if (hasProjectMarker(current)) chain.push(current);
    const parent = path.dirname(current);
    if (parent === current || !isWithin(parent, boundary)) {
      if (chain[chain.length - 1] !== boundary) chain.push(boundary);
      return chain;
    }
    current = parent;
  }
}

const KIND_ORDER: InputKind[] = ['requirements', 'pyproject', 'setup-cfg', 'conda-env', 'dockerfile'];

/**
 * The dependency files of a project folder: those directly in it, `requirements/*.txt|*.in`, and
 * Dockerfiles in `docker/` and its direct subfolders. Symlinked folders are not entered.
 * Ordered by kind (requirements files first), then by path, so results are deterministic.
 */
export function dependencyFilesOf(projectDir: string): string[] {
  const found: { file: string; kind: InputKind }[] = [];
  const addFilesOf = (dir: string, accept: (kind: InputKind) => boolean, relative: string): void => {
    for (const entry of listDirectory(dir)) {
      // Classify by the path below the project, so requirements/dev.txt counts as a requirements file.
      const kind = dependencyFileKind(relative ? `${relative}/${entry.name}` : entry.name);
      if (kind && accept(kind) && isFileEntry(dir, entry)) found.push({ file: path.join(dir, entry.name), kind });
    }
  };
  addFilesOf(projectDir, () => true, '');
  for (const entry of listDirectory(projectDir)) {
    if (!entry.isDirectory()) continue;
    if (entry.name === 'requirements') addFilesOf(path.join(projectDir, entry.name), (k) => k === 'requirements', 'requirements');
    if (entry.name === 'docker') {
      const dockerDir = path.join(projectDir, entry.name);
      addFilesOf(dockerDir, (k) => k === 'dockerfile', 'docker');
      for (const sub of listDirectory(dockerDir)) {
        if (sub.isDirectory()) addFilesOf(path.join(dockerDir, sub.name), (k) => k === 'dockerfile', `docker/${sub.name}`);
      }
    }
  }
  found.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return found.map((f) => f.file);
}
