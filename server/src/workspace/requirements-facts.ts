import type { Range } from '../engine/types';
import type { PackageConstraint } from './workspace-facts';

/**
 * Facts from a file that declares Python dependencies: requirements*.txt / constraints files,
 * pyproject.toml (PEP 621 and Poetry), setup.cfg, environment.yml, and `pip install` lines in Dockerfiles.
 */
export interface RequirementsFacts {
  /** Every requirement that names a package, with the interval its specifier allows. */
  requirements: PackageConstraint[];
  /** Problems reading the file itself (e.g. invalid TOML), as positioned messages. */
  problems: { range: Range; message: string }[];
}
