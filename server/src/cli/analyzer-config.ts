import type { CliLists, ConfigSource } from './check-settings';
import { FileAnalyzer } from './analyze-file';

/** What a FileAnalyzer is built from; plain data, so workers can receive it. */
export interface AnalyzerConfig {
  /** `--select` / `--ignore`. */
  lists: CliLists;
  /** Team configuration: discovered per file, one fixed file, or none. */
  source: ConfigSource;
  cwd: string;
  /** Workspace roots for project facts (version pins, HF cache, …). */
  roots: string[];
  /** Record each finding's line text (SARIF fingerprints, baselines). */
  lineTexts: boolean;
}

/** Builds an analyzer over the rule registry and the file system (heavy modules are loaded here, not at startup). */
export function createAnalyzer(config: AnalyzerConfig): FileAnalyzer {
  const { allRules } = require('../rules/index') as typeof import('../rules/index');
  const { FsWorkspace } = require('../workspace/fs-workspace') as typeof import('../workspace/fs-workspace');
  const { HfCacheViews } = require('../workspace/hf-cache-override') as typeof import('../workspace/hf-cache-override');
  const { CheckSettings } = require('./check-settings') as typeof import('./check-settings');
  const workspace = new FsWorkspace({ roots: config.roots, env: process.env });
  const views = new HfCacheViews(process.env);
  const settings = new CheckSettings(config.source, config.lists, config.cwd, new Set(allRules.map((r) => r.meta.id)), new Set<string>(allRules.map((r) => r.meta.group)));
  return new FileAnalyzer({
    rules: allRules,
    lineTexts: config.lineTexts,
    settingsFor: (abs) => {
      const s = settings.forFile(abs);
      return { key: s.key, selection: s.selection, options: s.options, workspace: views.view(workspace, s.hfCache) };
    },
  });
}
