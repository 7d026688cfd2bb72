import type { RuleSelection } from '../engine/selection';
import { FileAnalyzer } from './analyze-file';

/** What a FileAnalyzer is built from; plain data, so workers can receive it. */
export interface AnalyzerConfig {
  selection: RuleSelection;
  /** Workspace roots for project facts (version pins, HF cache, …). */
  roots: string[];
  sarif: boolean;
}

/** Builds an analyzer over the rule registry and the file system (heavy modules are loaded here, not at startup). */
export function createAnalyzer(config: AnalyzerConfig): FileAnalyzer {
  const { allRules } = require('../rules/index') as typeof import('../rules/index');
  const { FsWorkspace } = require('../workspace/fs-workspace') as typeof import('../workspace/fs-workspace');
  const workspace = new FsWorkspace({ roots: config.roots, env: process.env });
  return new FileAnalyzer({ rules: allRules, selection: config.selection, options: { trustedRepos: [] }, workspace, sarif: config.sarif });
}
