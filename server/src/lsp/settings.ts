/**
 * The server's view of the `modellint.*` settings: one typed object, built in one place from
 * whatever the client sends, cached per resource and cleared when the client says settings
 * changed (style.md lesson 8). package.json `contributes.configuration` declares the same keys.
 */

export type RunMode = 'onType' | 'onSave';
export type ConfigurationPreference = 'filesystemFirst' | 'editorFirst' | 'editorOnly';
/** A per-rule override in `modellint.severity`; "off" disables the rule. */
export type SeverityOverride = 'error' | 'warning' | 'info' | 'off';

export interface ServerSettings {
  /** `modellint.enable`: analyze documents of this resource at all. */
  enable: boolean;
  /** `modellint.run`: analyze as you type, or only when a document is opened or saved. */
  run: RunMode;
  /** `modellint.configurationPreference`: how editor settings and modellint.toml / pyproject.toml combine. */
  configurationPreference: ConfigurationPreference;
  /** `modellint.severity`: rule id → level or "off". */
  severity: Record<string, SeverityOverride>;
  /** `modellint.select`: rule ids or groups to run; unset (or empty) means the team config / all rules. */
  select?: string[];
  /** `modellint.ignore`: rule ids or groups not to run; unset (or empty) means the team config's. */
  ignore?: string[];
  /** `modellint.hfCache`: Hugging Face hub cache folder (a path: ignored in untrusted workspaces). */
  hfCache?: string;
}

export const DEFAULT_SETTINGS: Readonly<ServerSettings> = Object.freeze({
  enable: true,
  run: 'onType',
  configurationPreference: 'filesystemFirst',
  severity: Object.freeze({}) as Record<string, SeverityOverride>,
});

const RUN_MODES: readonly RunMode[] = ['onType', 'onSave'];
const PREFERENCES: readonly ConfigurationPreference[] = ['filesystemFirst', 'editorFirst', 'editorOnly'];
const LEVELS: readonly SeverityOverride[] = ['error', 'warning', 'info', 'off'];

/**
 * Maps a raw `modellint` configuration section onto ServerSettings. Invalid values fall back to
 * their default and are listed in `problems` (partial settings, never a failure: lesson 11).
 */
export function parseSettings(raw: unknown): { settings: ServerSettings; problems: string[] } {
  const settings: ServerSettings = { ...DEFAULT_SETTINGS, severity: {} };
  const problems: string[] = [];
  if (raw === null || raw === undefined) return { settings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('the "modellint" settings section is not an object; using defaults');
    return { settings, problems };
  }
  const section = raw as Record<string, unknown>;
  const given = (key: string) => section[key] !== undefined && section[key] !== null;

  if (given('enable')) {
    if (typeof section.enable === 'boolean') settings.enable = section.enable;
    else problems.push(`modellint.enable must be a boolean (got ${typeof section.enable}); using ${DEFAULT_SETTINGS.enable}`);
  }
  if (given('run')) {
    if (RUN_MODES.includes(section.run as RunMode)) settings.run = section.run as RunMode;
    else problems.push(`modellint.run must be one of ${RUN_MODES.join(', ')} (got ${JSON.stringify(section.run)}); using ${DEFAULT_SETTINGS.run}`);
  }
  if (given('configurationPreference')) {
    const v = section.configurationPreference;
    if (PREFERENCES.includes(v as ConfigurationPreference)) settings.configurationPreference = v as ConfigurationPreference;
    else problems.push(`modellint.configurationPreference must be one of ${PREFERENCES.join(', ')} (got ${JSON.stringify(v)}); using ${DEFAULT_SETTINGS.configurationPreference}`);
  }
  if (given('severity')) {
    const v = section.severity;
    if (typeof v !== 'object' || Array.isArray(v)) {
      problems.push('modellint.severity must be an object of rule id → "error" | "warning" | "info" | "off"; ignored');
    } else {
      for (const [id, level] of Object.entries(v as Record<string, unknown>)) {
        if (LEVELS.includes(level as SeverityOverride)) settings.severity[id] = level as SeverityOverride;
        else problems.push(`modellint.severity["${id}"] must be one of ${LEVELS.join(', ')} (got ${JSON.stringify(level)}); ignored`);
      }
    }
  }
  for (const key of ['select', 'ignore'] as const) {
    if (!given(key)) continue;
    const v = section[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      problems.push(`modellint.${key} must be an array of rule ids or groups; ignored`);
      continue;
    }
    const list = (v as string[]).map((x) => x.trim()).filter((x) => x.length > 0);
    // An empty list is "not set": VS Code reports declared defaults for settings nobody set.
    if (list.length > 0) settings[key] = list;
  }
  if (given('hfCache')) {
    if (typeof section.hfCache !== 'string') problems.push('modellint.hfCache must be a string (a folder path); ignored');
    else if (section.hfCache.trim() !== '') settings.hfCache = section.hfCache.trim();
  }
  return { settings, problems };
}

/**
 * Settings per scope URI. With `workspace/configuration` support, each scope is pulled once and
 * cached until `clear()`; without it, the last section pushed through `didChangeConfiguration`
 * applies everywhere.
 */
export class SettingsStore {
  private readonly cache = new Map<string, Promise<ServerSettings>>();
  private global: ServerSettings = { ...DEFAULT_SETTINGS, severity: {} };
  private readonly reported = new Set<string>();

  constructor(
    private readonly pull: ((scopeUri: string) => Promise<unknown>) | undefined,
    private readonly log: (message: string) => void,
  ) {}

  get(scopeUri: string): Promise<ServerSettings> {
    if (!this.pull) return Promise.resolve(this.global);
    let entry = this.cache.get(scopeUri);
    if (!entry) {
      entry = this.pull(scopeUri).then(
        (raw) => this.accept(raw),
        (error: unknown) => {
          this.log(`could not read the modellint settings (${error instanceof Error ? error.message : String(error)}); using defaults`);
          return { ...DEFAULT_SETTINGS, severity: {} };
        },
      );
      this.cache.set(scopeUri, entry);
    }
    return entry;
  }

  /** The section pushed with `workspace/didChangeConfiguration` (used when the client cannot be pulled from). */
  setGlobal(raw: unknown): void {
    this.global = this.accept(raw);
  }

  forget(scopeUri: string): void {
    this.cache.delete(scopeUri);
  }

  clear(): void {
    this.cache.clear();
    this.reported.clear();
  }

  private accept(raw: unknown): ServerSettings {
    const { settings, problems } = parseSettings(raw);
    for (const p of problems) {
      // Logged once per distinct problem until the settings change again.
      if (this.reported.has(p)) continue;
      this.reported.add(p);
      this.log(p);
    }
    return settings;
  }
}
