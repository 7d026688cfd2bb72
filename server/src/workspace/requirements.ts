/**
 * Entry point for dependency declarations: turns the text of a dependency file into
 * RequirementsFacts. Each format lives in dependency-files/; this module picks one and guards
 * against input no parser should see (binary junk, huge files) and against parser crashes.
 */
import type { InputKind } from '../languages/detect';
import type { RequirementsFacts } from './requirements-facts';
import { parseCondaEnv } from './dependency-files/conda-env';
import { parseDockerfilePipInstalls } from './dependency-files/dockerfile-pip';
import { FactsBuilder } from './dependency-files/facts-builder';
import { parsePyproject } from './dependency-files/pyproject';
import { parseRequirementsTxt } from './dependency-files/requirements-txt';
import { parseSetupCfg } from './dependency-files/setup-cfg';

/** Dependency files larger than this are not read (a real one is a few kilobytes). */
export const MAX_DEPENDENCY_FILE_CHARS = 4 * 1024 * 1024;

const PARSERS: Partial<Record<InputKind, (out: FactsBuilder) => void>> = {
  requirements: parseRequirementsTxt,
  pyproject: parsePyproject,
  'setup-cfg': parseSetupCfg,
  'conda-env': parseCondaEnv,
  dockerfile: parseDockerfilePipInstalls,
};

/** True when the text looks like binary data rather than a text file (a NUL in its first 8 KB). */
function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

export function parseRequirementsFacts(kind: InputKind, text: string, uri: string): RequirementsFacts {
  const parse = PARSERS[kind];
  if (!parse) return { requirements: [], problems: [] };
  const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  if (text.length > MAX_DEPENDENCY_FILE_CHARS) {
    return { requirements: [], problems: [{ range: zero, message: 'File too large to read dependency declarations from.' }] };
  }
  if (looksBinary(text)) {
    return { requirements: [], problems: [{ range: zero, message: 'File looks binary; no dependency declarations read.' }] };
  }
  const out = new FactsBuilder(text, uri);
  try {
    parse(out);
  } catch (error) {
    // A parser bug must not take the server down: keep what was read and say what happened.
    out.problem(0, 0, `Could not finish reading dependency declarations: ${error instanceof Error ? error.message : String(error)}`);
  }
  return out.facts();
}
