import type { RuleOptions } from '../engine/rule';
import type { RuleSelection } from '../engine/selection';
import type { Severity } from '../engine/types';
import { effectiveSettings, listOverlay } from '../config/discovery';
import type { TeamConfig } from '../config/team-config';
import type { RunMode, ServerSettings } from './settings';

/**
 * What applies to one open document: the editor settings of its resource combined with the team
 * configuration file nearest to it, by `modellint.configurationPreference`:
 *
 *   editorFirst      editor settings win; the file fills what the editor leaves unset
 *   filesystemFirst  the file wins; editor settings fill what the file leaves unset (default)
 *   editorOnly       configuration files are ignored
 *
 * Pure: the server feeds it what it pulled and read (and a test can feed it anything).
 */
export interface DocumentSettings {
  /** `modellint.enable`. */
  enabled: boolean;
  run: RunMode;
  selection: RuleSelection;
  options: RuleOptions;
  /** Hugging Face cache folder for the pinning fix, when set (never in untrusted workspaces). */
  hfCache?: string;
  /** The configuration file in force, if any. */
  configFile?: string;
  /** Set when `exclude` / `extend-exclude` exclude the document: the file whose patterns did. */
  excludedBy?: string;
}

export interface DocumentScope {
  /** The document's file-system path (undefined for untitled and other non-file documents). */
  file?: string;
  /** The workspace folder containing it: never excluded itself, and the base of the default excludes when no file applies. */
  folder?: string;
  /** Workspace trust: settings that name paths are ignored in untrusted workspaces (architecture.md §14). */
  trusted: boolean;
}

export function resolveDocumentSettings(editor: ServerSettings, config: TeamConfig | undefined, scope: DocumentScope): DocumentSettings {
  const preference = editor.configurationPreference;
  let file = preference === 'editorOnly' ? undefined : config;
  if (file?.hfCache && !scope.trusted) file = { ...file, hfCache: undefined };
  const editorFirst = preference !== 'filesystemFirst';

  // Severity overrides merge per rule id; the winner's "off" disables the rule.
  const merged: Record<string, Severity | 'off'> = editorFirst ? { ...file?.severity, ...editor.severity } : { ...editor.severity, ...file?.severity };
  const off = Object.keys(merged).filter((id) => merged[id] === 'off');
  const editorLevels: Record<string, Severity> = {};
  for (const [id, level] of Object.entries(editor.severity)) if (level !== 'off') editorLevels[id] = level;

  const overlay = listOverlay(editor.select, editor.ignore, editorFirst);
  if (off.length > 0) overlay.extendIgnore = [...(overlay.extendIgnore ?? []), ...off];
  overlay.severity = editorLevels;

  const settings = effectiveSettings(file, overlay, editorFirst, file?.file ? undefined : scope.folder);
  // Remove "off" ids from the severity map: it only holds levels.
  const severity = settings.selection.severity ?? {};
  for (const id of off) delete severity[id];

  const editorHfCache = scope.trusted ? editor.hfCache : undefined;
  const hfCache = editorFirst ? editorHfCache ?? settings.hfCache : settings.hfCache ?? editorHfCache;

  const out: DocumentSettings = {
    enabled: editor.enable,
    run: editor.run,
    selection: { ...settings.selection, severity },
    options: settings.options,
    hfCache,
    configFile: file?.file,
  };
  if (scope.file && settings.isExcluded(scope.file, scope.folder)) out.excludedBy = file?.file ?? 'the default exclusions';
  return out;
}
