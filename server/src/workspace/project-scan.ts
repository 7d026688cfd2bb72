/**
 * Text scans over one project folder: "is TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD set anywhere?" and
 * "does some Python file mention X?". The walk is bounded (file count, depth, file size, skipped
 * folders, no symlinked folders) and done once; afterwards a changed file is re-read on its own,
 * so an edit costs one file read instead of a new walk.
 */
import * as path from 'node:path';
import { isFileEntry, listDirectory } from './bounded-fs';
import { mayDeclareEnvironment, setsTorchForceNoWeightsOnly } from './torch-env-flag';
import { parseNotebook } from '../languages/notebook';

/** Folders that hold installed or generated code, never the project's own configuration. */
const SKIPPED_DIRECTORIES = new Set([
  'node_modules', '.git', '.hg', '.svn', '.venv', 'venv', 'site-packages', '__pycache__',
  '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache',
]);

export interface ScanLimits {
  /** Entries (files and folders) visited per walk. */
  maxEntries: number;
  /** Larger files are not read. */
  maxFileBytes: number;
  maxDepth: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxEntries: 20_000, maxFileBytes: 2 * 1024 * 1024, maxDepth: 32 };

export function isPythonSource(fileName: string): boolean {
  return /\.(py|ipynb)$/i.test(fileName);
}

/** True when a path below `root` runs through a skipped folder. */
export function isInSkippedDirectory(file: string, root: string): boolean {
  const rel = path.relative(root, path.dirname(file));
  return rel !== '' && rel.split(path.sep).some((segment) => SKIPPED_DIRECTORIES.has(segment));
}

function isCandidate(fileName: string): boolean {
  return isPythonSource(fileName) || mayDeclareEnvironment(fileName);
}

/** Files below `root` worth scanning, within the limits. Symlinked folders are not entered. */
export function walkCandidates(root: string, limits: ScanLimits): string[] {
  const files: string[] = [];
  const stack: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const { dir, depth } = stack.pop()!;
    for (const entry of listDirectory(dir)) {
      if (++visited > limits.maxEntries) return files;
      if (entry.isDirectory()) {
        if (depth < limits.maxDepth && !SKIPPED_DIRECTORIES.has(entry.name)) stack.push({ dir: path.join(dir, entry.name), depth: depth + 1 });
      } else if (isCandidate(entry.name) && isFileEntry(dir, entry)) {
        files.push(path.join(dir, entry.name));
      }
    }
  }
  return files;
}

/** Whether a Python file or notebook contains `needle` (notebooks: in code cells only). */
function pythonContains(file: string, text: string, needle: string): boolean {
  if (!file.toLowerCase().endsWith('.ipynb')) return text.includes(needle);
  // Prefilter on the JSON-escaped form before parsing the notebook.
  if (!text.includes(JSON.stringify(needle).slice(1, -1))) return false;
  const notebook = parseNotebook(text);
  return !('error' in notebook) && notebook.cells.some((c) => c.kind === 'code' && c.source.includes(needle));
}

export class ProjectScan {
  private candidates: Set<string> | undefined;
  private envFlagFiles: Set<string> | undefined;
  private readonly needleFiles = new Map<string, Set<string>>();

  /** `read` returns a file's current text (an open editor buffer wins over the disk), or undefined. */
  constructor(
    readonly dir: string,
    private readonly read: (file: string) => string | undefined,
    private readonly limits: ScanLimits = DEFAULT_SCAN_LIMITS,
  ) {}

  private files(): Set<string> {
    this.candidates ??= new Set(walkCandidates(this.dir, this.limits));
    return this.candidates;
  }

  torchForceNoWeightsOnly(): boolean {
    if (!this.envFlagFiles) {
      this.envFlagFiles = new Set();
      for (const file of this.files()) if (this.setsEnvFlag(file)) this.envFlagFiles.add(file);
    }
    return this.envFlagFiles.size > 0;
  }

  pythonContains(needle: string): boolean {
    let hits = this.needleFiles.get(needle);
    if (!hits) {
      hits = new Set();
      for (const file of this.files()) if (this.containsNeedle(file, needle)) hits.add(file);
      this.needleFiles.set(needle, hits);
    }
    return hits.size > 0;
  }

  private setsEnvFlag(file: string): boolean {
    if (!mayDeclareEnvironment(path.basename(file))) return false;
    const text = this.read(file);
    return text !== undefined && setsTorchForceNoWeightsOnly(file, text);
  }

  private containsNeedle(file: string, needle: string): boolean {
    if (!isPythonSource(file)) return false;
    const text = this.read(file);
    return text !== undefined && pythonContains(file, text, needle);
  }

  /** A file below the folder was created or changed (or its open buffer was edited): re-read just it. */
  fileChanged(file: string): void {
    if (!this.candidates || !isCandidate(path.basename(file)) || isInSkippedDirectory(file, this.dir)) return;
    this.candidates.add(file);
    if (this.envFlagFiles) toggle(this.envFlagFiles, file, this.setsEnvFlag(file));
    for (const [needle, hits] of this.needleFiles) toggle(hits, file, this.containsNeedle(file, needle));
  }

  /** A file or folder below the folder disappeared. */
  pathRemoved(removed: string): void {
    const under = (file: string): boolean => file === removed || file.startsWith(removed + path.sep);
    for (const set of [this.candidates, this.envFlagFiles, ...this.needleFiles.values()]) {
      if (!set) continue;
      for (const file of set) if (under(file)) set.delete(file);
    }
  }
}

function toggle(set: Set<string>, item: string, present: boolean): void {
  if (present) set.add(item);
  else set.delete(item);
}
