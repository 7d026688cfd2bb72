/**
 * How a project runs its Triton model repositories, read from deployment files by a bounded text
 * scan (a fallback until every command context is parsed workspace-wide): which `tritonserver`
 * commands enable dynamic model loading (`--model-control-mode=explicit|poll`), which model
 * repository each one serves, and whether that repository is mounted writable (a compose or
 * `docker run -v` bind mount without `:ro`).
 *
 * A command's `--model-repository` is a path inside the container. It is mapped back to a folder
 * of the workspace through the same file's bind mounts (`./model_repository:/models`) and
 * Dockerfile `COPY`/`ADD` lines, or read as a workspace path directly (a shell script run on the
 * host); as a last resort the folder names are compared.
 */
import * as path from 'node:path';
import { isFileEntry, listDirectory } from './bounded-fs';

export interface TritonServerUse {
  /** The file holding the command. */
  file: string;
  /** 0-based line of `tritonserver`. */
  line: number;
  /** `explicit` / `poll` when dynamic model loading is on. */
  mode?: 'explicit' | 'poll';
  /** The repository is bind-mounted writable (no `:ro`). */
  writableMount?: { file: string; line: number };
}

export interface RepositoryScanLimits { maxEntries: number; maxFileBytes: number; maxDepth: number }

const SKIP = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', 'site-packages', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache']);

function isDeploymentFile(name: string): boolean {
  const base = name.toLowerCase();
  return base === 'dockerfile' || base.startsWith('dockerfile.') || base.endsWith('.dockerfile') || base === 'containerfile' || /\.(sh|bash|ya?ml|mk)$/.test(base) || base === 'makefile';
}

interface Segment {
  line: number;
  mode?: 'explicit' | 'poll';
  repositories: string[];
}

interface Mapping {
  source: string;
  target: string;
  readOnly: boolean;
  /** A bind mount (compose / docker -v); false for a Dockerfile COPY. */
  mount: boolean;
  line: number;
}

interface FileScan {
  file: string;
  segments: Segment[];
  mappings: Mapping[];
}

/** Between a flag and its value: `=`, blanks, JSON-array `", "`, a YAML block-sequence `- `. */
const FLAG_VALUE = String.raw`(?:\s*=\s*["']?|(?:[\s,"']|-\s)+)`;
const MODE = new RegExp(String.raw`--model-control-mode${FLAG_VALUE}(explicit|poll|none)\b`, 'g');
const REPO = new RegExp(String.raw`--model-(?:repository|store)${FLAG_VALUE}(?!-)([^\s"',\]\}]+)`, 'g');
/** `src:dst[:opts]` bind mounts: compose short syntax and `docker run -v`. */
const BIND = /(?:^|[\s"'=\-\[,])((?:\.{1,2}\/|\/|~\/|\$\(pwd\)\/?|\$\{?PWD\}?\/?|\$\(CURDIR\)\/?)[^\s:"',]*):(\/[^\s:"',\]]*)(?::([a-zA-Z,]+))?/g;
const COPY = /^\s*(?:COPY|ADD)\s+(?:--\S+\s+)*(?!\[)(\S+)\s+(\S+)\s*$/gim;

function lineOf(text: string, offset: number, starts: number[]): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function scanDeploymentText(file: string, text: string): FileScan | undefined {
  if (!text.includes('tritonserver') && !text.includes('--model-repository')) return undefined;
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const segments: Segment[] = [];
  const marks: number[] = [];
  for (let i = text.indexOf('tritonserver'); i !== -1; i = text.indexOf('tritonserver', i + 1)) {
    // `tritonserver` as a command word, not inside an image name like nvcr.io/nvidia/tritonserver:24.08
    const after = text[i + 'tritonserver'.length];
    if (after === ':' || after === '@') continue;
    marks.push(i);
  }
  for (let k = 0; k < marks.length; k++) {
    const seg = text.slice(marks[k], k + 1 < marks.length ? marks[k + 1] : text.length);
    const s: Segment = { line: lineOf(text, marks[k], starts), repositories: [] };
    MODE.lastIndex = 0;
    for (let m = MODE.exec(seg); m; m = MODE.exec(seg)) if (m[1] !== 'none') s.mode = m[1] as 'explicit' | 'poll';
    REPO.lastIndex = 0;
    for (let m = REPO.exec(seg); m; m = REPO.exec(seg)) s.repositories.push(m[1]);
    if (s.repositories.length || s.mode) segments.push(s);
  }
  if (segments.length === 0) return undefined;
  const mappings: Mapping[] = [];
  BIND.lastIndex = 0;
  for (let m = BIND.exec(text); m; m = BIND.exec(text)) {
    const opts = (m[3] ?? '').split(',');
    mappings.push({ source: m[1], target: m[2], readOnly: opts.includes('ro'), mount: true, line: lineOf(text, m.index, starts) });
  }
  COPY.lastIndex = 0;
  for (let m = COPY.exec(text); m; m = COPY.exec(text)) mappings.push({ source: m[1], target: m[2], readOnly: true, mount: false, line: lineOf(text, m.index, starts) });
  return { file, segments, mappings };
}

function normalize(p: string): string {
  return p.replace(/\/+$/, '') || '/';
}

/** Workspace folders a container path can stand for, given the file's mappings. */
function hostFolders(scan: FileScan, containerPath: string): { folder: string; mapping?: Mapping }[] {
  const dir = path.dirname(scan.file);
  const out: { folder: string; mapping?: Mapping }[] = [];
  const target = normalize(containerPath);
  for (const m of scan.mappings) {
    const t = normalize(m.target);
    if (target !== t && !target.startsWith(`${t}/`)) continue;
    const src = m.source.replace(/^\$\(pwd\)\/?|^\$\{?PWD\}?\/?|^\$\(CURDIR\)\/?/, './');
    if (src.startsWith('~') || src.startsWith('$')) continue;
    out.push({ folder: path.resolve(dir, src, path.relative(t, target)), mapping: m });
  }
  if (!containerPath.includes('$')) out.push({ folder: path.resolve(dir, containerPath) });
  return out;
}

export class TritonRepositoryScan {
  private files: Map<string, FileScan | undefined> | undefined;

  constructor(
    readonly root: string,
    private readonly read: (file: string) => string | undefined,
    private readonly limits: RepositoryScanLimits,
  ) {}

  private scans(): FileScan[] {
    if (!this.files) {
      this.files = new Map();
      for (const file of this.walk()) this.files.set(file, this.scanFile(file));
    }
    return [...this.files.values()].filter((s): s is FileScan => s !== undefined);
  }

  private scanFile(file: string): FileScan | undefined {
    const text = this.read(file);
    return text === undefined ? undefined : scanDeploymentText(file, text);
  }

  private walk(): string[] {
    const files: string[] = [];
    const stack: { dir: string; depth: number }[] = [{ dir: this.root, depth: 0 }];
    let visited = 0;
    while (stack.length) {
      const { dir, depth } = stack.pop()!;
      for (const entry of listDirectory(dir)) {
        if (++visited > this.limits.maxEntries) return files;
        if (entry.isDirectory()) {
          if (depth < this.limits.maxDepth && !SKIP.has(entry.name)) stack.push({ dir: path.join(dir, entry.name), depth: depth + 1 });
        } else if (isDeploymentFile(entry.name) && isFileEntry(dir, entry)) files.push(path.join(dir, entry.name));
      }
    }
    return files;
  }

  /** A file below the root changed, appeared or disappeared. */
  fileChanged(file: string): void {
    if (!this.files) return;
    if (!isDeploymentFile(path.basename(file))) return;
    this.files.set(file, this.scanFile(file));
  }

  /** Forget everything (a folder appeared or disappeared). */
  reset(): void {
    this.files = undefined;
  }

  /** The tritonserver commands whose model repository is `repositoryDir`. */
  usesOf(repositoryDir: string): TritonServerUse[] {
    const repo = path.resolve(repositoryDir);
    const out: TritonServerUse[] = [];
    for (const scan of this.scans()) {
      for (const seg of scan.segments) {
        let matched = false;
        let writable: TritonServerUse['writableMount'];
        for (const r of seg.repositories) {
          const folders = hostFolders(scan, r);
          let hit = folders.filter((f) => f.folder === repo);
          // Last resort: the same folder name, for a repository below the deployment file's folder.
          if (hit.length === 0 && folders.every((f) => !f.mapping) && path.posix.basename(normalize(r)) === path.basename(repo) && repo.startsWith(path.dirname(scan.file) + path.sep)) hit = [{ folder: repo }];
          if (hit.length === 0) continue;
          matched = true;
          const w = hit.find((h) => h.mapping?.mount && !h.mapping.readOnly);
          if (w?.mapping) writable = { file: scan.file, line: w.mapping.line };
        }
        if (matched) out.push({ file: scan.file, line: seg.line, ...(seg.mode ? { mode: seg.mode } : {}), ...(writable ? { writableMount: writable } : {}) });
      }
    }
    return out;
  }
}
