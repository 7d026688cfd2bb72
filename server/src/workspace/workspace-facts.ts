import type { Range } from '../engine/types';
import type { TritonServerUse } from './triton-repository-scan';

/** One bound of a version interval; `version` is a normalized PEP 440 release like "2.6.0". */
export interface VersionBound { version: string; inclusive: boolean }

/**
 * What the project says about a package's version: the requirement text and the interval of
 * versions it allows (intersection of its specifiers). An unconstrained requirement has neither bound.
 */
export interface PackageConstraint {
  /** Normalized distribution name, e.g. "torch". */
  name: string;
  /** The specifier text as written, e.g. ">=2.6,<3" or "==2.5.1". */
  specifier: string;
  min?: VersionBound;
  max?: VersionBound;
  /** Where it was declared. */
  uri: string;
  range: Range;
}

/**
 * Project-level knowledge the rules may consult. The CLI and the language server implement it over
 * the file system and the open documents; tests implement it in memory. Every method is cheap after
 * its first call (results are cached and invalidated when the underlying files change).
 */
export interface WorkspaceFacts {
  /**
   * The constraint on `pkg` that applies to the document `uri`: the nearest project's declaration
   * (requirements*.txt, constraints files, pyproject.toml, setup.cfg, environment.yml, Dockerfile pip installs).
   * Several declarations are intersected. Undefined when the project never mentions the package.
   */
  packageConstraint(pkg: string, uri: string): PackageConstraint | undefined;
  /** True when `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` is set to a truthy value anywhere in the project of `uri`. */
  torchForceNoWeightsOnly(uri: string): boolean;
  /** True when `path` (relative to the document's folder or to the workspace root, or absolute) is an existing directory. */
  isDirectory(path: string, uri: string): boolean;
  /** The 40-hex commit the local Hugging Face cache maps (repo type, repo id, ref) to, if known. */
  hfCacheCommit(repoType: 'model' | 'dataset' | 'space', repoId: string, ref: string): string | undefined;
  /** True when some Python file of the project of `uri` contains `needle` as text (a cheap, cached scan). */
  projectPythonContains(needle: string, uri: string): boolean;
  /**
   * Entries of a folder (`path` absolute, or relative to the folder of `uri`), bounded; undefined
   * when it is not a readable folder. Optional: a workspace without a file system omits it.
   */
  listDirectory?(path: string, uri: string): { name: string; kind: 'file' | 'directory' }[] | undefined;
  /** The text of a small file (an open editor buffer wins over the disk); undefined when absent, too large or unreadable. */
  readTextFile?(path: string, uri: string): string | undefined;
  /** The `tritonserver` commands of the project that serve the model repository holding the Triton config `uri`. */
  tritonRepositoryUses?(uri: string): TritonServerUse[];
  /**
   * Kubernetes networking of the workspace folder holding `uri` (bounded scan of its YAML files):
   * Services declared in *other* files (the document's own are in its facts), and the Services
   * that Ingresses / Routes / HTTPRoutes in any file route to, as `namespace/name` (namespace may
   * be empty). The YAML front-end uses it to give a Deployment's containers their `publishedPorts`.
   */
  kubernetesNetwork?(uri: string): { services: WorkspaceService[]; routes: string[] };
  /**
   * The `<model>/config.pbtxt` files of the Triton model repository `repoPath` (as written in
   * `--model-repository`): resolved relative to the document's folder or a workspace root, or
   * absolute inside a root, else by folder name (`/models` → workspace folders named `models`
   * holding model configs). Map a container path to a host path first when the command's context
   * says how (see `hostPathsOf` in invocations/paths.ts). Bounded and cached.
   */
  listModelConfigs?(repoPath: string, fromUri: string): ModelConfigRef[];
}

/** A Kubernetes Service declared somewhere in the workspace. */
export interface WorkspaceService {
  uri: string;
  name?: string;
  namespace?: string;
  /** `ClusterIP` when not given. */
  type: string;
  selector: Record<string, string>;
  ports: { port?: number; targetPort?: number | string; nodePort?: number; name?: string; range: Range }[];
  range: Range;
  /** An Ingress, Route or HTTPRoute of the workspace routes to it. */
  routed: boolean;
}

/** One model of a Triton model repository. */
export interface ModelConfigRef {
  /** The model folder's name. */
  model: string;
  /** file: URI of `config.pbtxt`. */
  uri: string;
  /** File-system path of `config.pbtxt`. */
  path: string;
  /** The repository folder it was found in. */
  repository: string;
}

/** A workspace that knows nothing: used for single-text analysis (tests, stdin). */
export const emptyWorkspace: WorkspaceFacts = {
  packageConstraint: () => undefined,
  torchForceNoWeightsOnly: () => false,
  isDirectory: () => false,
  hfCacheCommit: () => undefined,
  projectPythonContains: () => false,
};
