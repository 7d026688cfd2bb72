import type { Range } from '../engine/types';

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
}

/** A workspace that knows nothing: used for single-text analysis (tests, stdin). */
export const emptyWorkspace: WorkspaceFacts = {
  packageConstraint: () => undefined,
  torchForceNoWeightsOnly: () => false,
  isDirectory: () => false,
  hfCacheCommit: () => undefined,
  projectPythonContains: () => false,
};
