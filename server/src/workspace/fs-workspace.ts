/**
 * WorkspaceFacts over the file system (and the editor's open buffers), for the CLI and the server.
 *
 * Everything is lazy and cached; `invalidate(pathOrUri)` is called for every changed, created or
 * deleted file (and for edits of open dependency files) and drops or refreshes only what that
 * path can affect:
 *   - project folder lookups      cleared when a project marker or a folder appears or disappears;
 *   - parsed dependency files     the changed file only;
 *   - a project's dependency list the projects containing a changed dependency file;
 *   - text scans                  the changed file is re-read on its own (no new walk).
 *
 * Nothing here throws: unreadable paths read as absent.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isFileEntry, listDirectory, pathKind, readTextFile } from './bounded-fs';
import { readHfCacheCommit, resolveHfCacheDir, type HfRepoType } from './hf-cache';
import { compareVersions, hullOfIntervals, intersectIntervals, isEmptyInterval, type VersionInterval } from './pep440';
import { containingRoot, dependencyFileKind, dependencyFilesOf, isProjectMarkerName, isWithin, projectChain } from './project-layout';
import { DEFAULT_SCAN_LIMITS, ProjectScan, type ScanLimits } from './project-scan';
import { parseRequirementsFacts } from './requirements';
import { normalizePackageName } from './dependency-files/pep508';
import type { PackageConstraint, VersionBound, WorkspaceFacts } from './workspace-facts';
import { TritonRepositoryScan, type TritonServerUse } from './triton-repository-scan';
import { KubernetesScan } from './kubernetes-scan';
import { modelConfigsIn, ModelRepositoryIndex, resolveRepositoryPath } from './model-repository';
import type { ModelConfigRef, WorkspaceService } from './workspace-facts';

export interface FsWorkspaceOptions {
  /** Workspace root folders (paths or file: URIs). A document's project never extends above its root. */
  roots: string[];
  /** Hugging Face hub cache folder; defaults to HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub. */
  hfCache?: string;
  /** Environment used to find the Hugging Face cache (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /** The text of an open editor buffer for a path, which wins over the file on disk. */
  readOpenDocument?: (path: string) => string | undefined;
  /** Bounds of the project text scans (tests lower them). */
  scanLimits?: Partial<ScanLimits>;
}

/**
 * Names under which a distribution may be declared. Conda calls torch "pytorch" (the conda-env
 * reader already maps it, but a Dockerfile `conda install pytorch` or a hand-written alias may not).
 * keras and tf-keras are different distributions and stay apart.
 */
const ALIASES: Record<string, string[]> = { torch: ['torch', 'pytorch'], pytorch: ['torch', 'pytorch'] };

function declaredNames(pkg: string): Set<string> {
  const name = normalizePackageName(pkg);
  return new Set(ALIASES[name] ?? [name]);
}

/** A file-system path for a document URI or path; undefined for non-file documents (untitled:, …). */
function toPath(uriOrPath: string): string | undefined {
  try {
    if (/^vscode-notebook-cell:/i.test(uriOrPath)) {
      // A notebook cell lives in its notebook's file: same scheme-less path, fragment names the cell.
      return fileURLToPath(`file:${uriOrPath.slice('vscode-notebook-cell:'.length).split('#')[0]}`);
    }
    if (/^file:/i.test(uriOrPath)) return fileURLToPath(uriOrPath);
    if (/^[a-z][a-z0-9+.-]+:/i.test(uriOrPath)) return undefined; // another scheme (a drive letter is one letter)
    return uriOrPath === '' ? undefined : path.resolve(uriOrPath);
  } catch {
    return undefined;
  }
}

function sameBound(a: VersionBound | undefined, b: VersionBound | undefined): boolean {
  return a !== undefined && b !== undefined && a.inclusive === b.inclusive && compareVersions(a.version, b.version) === 0;
}

/**
 * The versions several declarations allow together: their intersection. When they conflict (an
 * empty intersection), they are alternatives — different environment markers, Poetry multiple
 * constraints, a CPU and a GPU image — so each declaration is intersected with every other one
 * it agrees with, and the hull of those results is taken.
 */
function combinedBounds(declarations: VersionInterval[]): VersionInterval {
  const all = declarations.reduce<VersionInterval>((acc, d) => intersectIntervals(acc, d), {});
  if (!isEmptyInterval(all)) return all;
  let hull: VersionInterval | undefined;
  for (const d of declarations) {
    let agreed: VersionInterval = { min: d.min, max: d.max };
    for (const other of declarations) {
      const next = intersectIntervals(agreed, other);
      if (!isEmptyInterval(next)) agreed = next;
    }
    hull = hull ? hullOfIntervals(hull, agreed) : agreed;
  }
  return hull ?? {};
}

/**
 * One constraint from several declarations, reported at the declaration that sets the upper
 * bound (the most specific one), else any with an upper bound, else the one that sets the lower
 * bound, else the first.
 */
function combine(declarations: PackageConstraint[]): PackageConstraint {
  const bounds = combinedBounds(declarations);
  const chosen =
    declarations.find((d) => sameBound(d.max, bounds.max)) ??
    declarations.find((d) => d.max !== undefined) ??
    declarations.find((d) => sameBound(d.min, bounds.min)) ??
    declarations[0];
  const result: PackageConstraint = { name: chosen.name, specifier: chosen.specifier, uri: chosen.uri, range: chosen.range };
  if (bounds.min) result.min = bounds.min;
  if (bounds.max) result.max = bounds.max;
  return result;
}

export class FsWorkspace implements WorkspaceFacts {
  private readonly roots: string[];
  private readonly hfCacheDir: string | undefined;
  private readonly readOpenDocument: ((path: string) => string | undefined) | undefined;
  private readonly limits: ScanLimits;

  /** Document folder → its project folders, nearest first. */
  private readonly chains = new Map<string, string[]>();
  /** Project folder → its dependency files. */
  private readonly dependencyFiles = new Map<string, string[]>();
  /** Dependency file → what it declares. */
  private readonly declarations = new Map<string, PackageConstraint[]>();
  /** Project folder → its text scans. */
  private readonly scans = new Map<string, ProjectScan>();
  /** Workspace root → its scan of tritonserver commands (serving rules of config.pbtxt). */
  private readonly tritonScans = new Map<string, TritonRepositoryScan>();
  /** Workspace folder → its Kubernetes Services and routes (publishedPorts across files). */
  private readonly kubernetesScans = new Map<string, KubernetesScan>();
  /** Workspace folder → its index of Triton model repositories by folder name. */
  private readonly modelRepositories = new Map<string, ModelRepositoryIndex>();

  constructor(options: FsWorkspaceOptions) {
    this.roots = options.roots.map(toPath).filter((r): r is string => r !== undefined);
    this.hfCacheDir = resolveHfCacheDir({ hfCache: options.hfCache, env: options.env ?? process.env });
    this.readOpenDocument = options.readOpenDocument;
    this.limits = { ...DEFAULT_SCAN_LIMITS, ...options.scanLimits };
  }

  // ---- WorkspaceFacts ----

  /**
   * The constraint of the nearest project that declares `pkg`. When the nearest project folder
   * (say, a service folder with only a Dockerfile) never mentions the package, the enclosing
   * projects up to the workspace root are asked in turn.
   */
  packageConstraint(pkg: string, uri: string): PackageConstraint | undefined {
    try {
      const names = declaredNames(pkg);
      for (const project of this.projectsOf(uri)) {
        const found = this.declarationsIn(project).filter((d) => names.has(d.name));
        if (found.length > 0) return combine(found);
      }
    } catch {
      // fall through: an unexpected failure reads as "not declared"
    }
    return undefined;
  }

  torchForceNoWeightsOnly(uri: string): boolean {
    try {
      return this.scanOf(uri)?.torchForceNoWeightsOnly() ?? false;
    } catch {
      return false;
    }
  }

  projectPythonContains(needle: string, uri: string): boolean {
    if (needle === '') return false;
    try {
      return this.scanOf(uri)?.pythonContains(needle) ?? false;
    } catch {
      return false;
    }
  }

  isDirectory(p: string, uri: string): boolean {
    try {
      // "~" is expanded by a shell or by Python code we do not run, never by open(): not a path here.
      if (p === '' || p.startsWith('~') || p.includes('\0')) return false;
      if (path.isAbsolute(p)) return pathKind(p) === 'directory';
      const documentPath = toPath(uri);
      const bases = [documentPath ? path.dirname(documentPath) : undefined, ...this.roots];
      return bases.some((base) => base !== undefined && pathKind(path.resolve(base, p)) === 'directory');
    } catch {
      return false;
    }
  }

  hfCacheCommit(repoType: HfRepoType, repoId: string, ref: string): string | undefined {
    if (!this.hfCacheDir) return undefined;
    try {
      return readHfCacheCommit(this.hfCacheDir, repoType, repoId, ref);
    } catch {
      return undefined;
    }
  }

  listDirectory(p: string, uri: string): { name: string; kind: 'file' | 'directory' }[] | undefined {
    const dir = this.resolveFrom(p, uri);
    if (!dir || pathKind(dir) !== 'directory') return undefined;
    const out: { name: string; kind: 'file' | 'directory' }[] = [];
    for (const entry of listDirectory(dir).slice(0, 10_000)) {
      if (entry.isDirectory()) out.push({ name: entry.name, kind: 'directory' });
      else if (isFileEntry(dir, entry)) out.push({ name: entry.name, kind: 'file' });
      else if (entry.isSymbolicLink() && pathKind(path.join(dir, entry.name)) === 'directory') out.push({ name: entry.name, kind: 'directory' });
    }
    return out;
  }

  readTextFile(p: string, uri: string): string | undefined {
    const file = this.resolveFrom(p, uri);
    return file ? this.read(file) : undefined;
  }

  tritonRepositoryUses(uri: string): TritonServerUse[] {
    try {
      const file = toPath(uri);
      if (!file) return [];
      const modelDir = path.basename(path.dirname(file)) === 'configs' ? path.dirname(path.dirname(file)) : path.dirname(file);
      const repository = path.dirname(modelDir);
      const root = containingRoot(repository, this.roots) ?? this.projectsOf(uri).at(-1) ?? repository;
      let scan = this.tritonScans.get(root);
      if (!scan) {
        scan = new TritonRepositoryScan(root, (f) => this.read(f), this.limits);
        this.tritonScans.set(root, scan);
      }
      return scan.usesOf(repository);
    } catch {
      return [];
    }
  }

  /** An absolute path, or one relative to the folder of the document `uri`. */
  private resolveFrom(p: string, uri: string): string | undefined {
    if (p === '' || p.includes('\0')) return undefined;
    if (path.isAbsolute(p)) return p;
    const documentPath = toPath(uri);
    return documentPath ? path.resolve(path.dirname(documentPath), p) : undefined;
  }

  kubernetesNetwork(uri: string): { services: WorkspaceService[]; routes: string[] } {
    try {
      const file = toPath(uri);
      const dir = this.searchRootOf(uri);
      if (!dir) return { services: [], routes: [] };
      let scan = this.kubernetesScans.get(dir);
      if (!scan) {
        scan = new KubernetesScan(dir, (f) => this.read(f), this.limits);
        this.kubernetesScans.set(dir, scan);
      }
      return scan.network(file);
    } catch {
      return { services: [], routes: [] };
    }
  }

  listModelConfigs(repoPath: string, fromUri: string): ModelConfigRef[] {
    try {
      // Cloud repositories (s3://, gs://, as://) are not in the workspace.
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repoPath)) return [];
      const file = toPath(fromUri);
      for (const repo of resolveRepositoryPath(repoPath, file ? path.dirname(file) : undefined, this.roots)) {
        const configs = modelConfigsIn(repo);
        if (configs.length > 0) return configs;
      }
      const dir = this.searchRootOf(fromUri);
      const name = path.posix.basename(repoPath.replace(/\\/g, '/').replace(/\/+$/, ''));
      if (!dir || !name) return [];
      let index = this.modelRepositories.get(dir);
      if (!index) {
        index = new ModelRepositoryIndex(dir, this.limits);
        this.modelRepositories.set(dir, index);
      }
      return index.repositoriesNamed(name).flatMap((repo) => modelConfigsIn(repo));
    } catch {
      return [];
    }
  }

  /** The folder searched for facts spanning files: the workspace root holding the document, else its project. */
  private searchRootOf(uri: string): string | undefined {
    const file = toPath(uri);
    if (!file) return undefined;
    return containingRoot(path.dirname(file), this.roots) ?? this.projectsOf(uri).at(-1);
  }

  // ---- invalidation ----

  /** Forget what a change to `pathOrUri` (a file or folder; changed, created or deleted) can affect. */
  invalidate(pathOrUri: string): void {
    const p = toPath(pathOrUri);
    if (!p) return;
    const kind = pathKind(p);
    const isFile = kind === 'file';

    if (!isFile || isProjectMarkerName(path.basename(p))) this.chains.clear();

    this.declarations.delete(p);
    if (!isFile) for (const file of [...this.declarations.keys()]) if (isWithin(file, p)) this.declarations.delete(file);

    if (!isFile || dependencyFileKind(p) !== undefined) {
      for (const project of [...this.dependencyFiles.keys()]) {
        if (isWithin(p, project) || isWithin(project, p)) this.dependencyFiles.delete(project);
      }
    }

    for (const [dir, scan] of this.kubernetesScans) {
      if (!isWithin(p, dir)) continue;
      if (isFile) scan.fileChanged(p);
      else if (kind === 'missing' && /\.ya?ml$/i.test(p)) scan.fileChanged(p);
      else scan.reset();
    }
    for (const [dir, index] of this.modelRepositories) if (isWithin(p, dir) && (!isFile || path.basename(p) === 'config.pbtxt')) index.reset();

    for (const [dir, scan] of this.tritonScans) {
      if (!isWithin(p, dir)) continue;
      if (isFile) scan.fileChanged(p);
      else scan.reset();
    }

    for (const [dir, scan] of [...this.scans]) {
      if (!isFile && isWithin(dir, p)) this.scans.delete(dir); // the project folder itself went or came
      else if (!isWithin(p, dir)) continue;
      else if (isFile) scan.fileChanged(p);
      else if (kind === 'missing') scan.pathRemoved(p);
      else this.scans.delete(dir); // a folder appeared below: walk again when next asked
    }
  }

  // ---- internals ----

  /** Current text of a file: the open buffer if any, else the disk (bounded). */
  private read(file: string): string | undefined {
    try {
      const open = this.readOpenDocument?.(file);
      if (open !== undefined) return open.length > this.limits.maxFileBytes ? undefined : open;
    } catch {
      // the editor callback failed: use the disk
    }
    return readTextFile(file, this.limits.maxFileBytes);
  }

  private projectsOf(uri: string): string[] {
    const file = toPath(uri);
    if (!file) return [];
    const dir = path.dirname(file);
    let chain = this.chains.get(dir);
    if (!chain) {
      // Outside every root, only the document's own folder is the project: never walk up into $HOME.
      chain = projectChain(dir, containingRoot(dir, this.roots) ?? dir);
      this.chains.set(dir, chain);
    }
    return chain;
  }

  private declarationsIn(project: string): PackageConstraint[] {
    let files = this.dependencyFiles.get(project);
    if (!files) {
      files = dependencyFilesOf(project);
      this.dependencyFiles.set(project, files);
    }
    const all: PackageConstraint[] = [];
    for (const file of files) {
      let declared = this.declarations.get(file);
      if (!declared) {
        const kind = dependencyFileKind(file);
        const text = kind ? this.read(file) : undefined;
        declared = kind && text !== undefined ? parseRequirementsFacts(kind, text, pathToFileURL(file).href).requirements : [];
        this.declarations.set(file, declared);
      }
      all.push(...declared);
    }
    return all;
  }

  private scanOf(uri: string): ProjectScan | undefined {
    const project = this.projectsOf(uri)[0];
    if (!project) return undefined;
    let scan = this.scans.get(project);
    if (!scan) {
      scan = new ProjectScan(project, (file) => this.read(file), this.limits);
      this.scans.set(project, scan);
    }
    return scan;
  }
}
