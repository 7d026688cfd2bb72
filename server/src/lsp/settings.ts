/**
 * The server's view of the `modellint.*` settings: one typed object, built in one place from
 * whatever the client sends, cached per resource and cleared when the client says settings
 * changed (style.md lesson 8).
 */

export interface ServerSettings {
  /** `modellint.enable`: analyze documents of this resource at all. */
  enable: boolean;
}

export const DEFAULT_SETTINGS: Readonly<ServerSettings> = Object.freeze({ enable: true });

/**
 * Maps a raw `modellint` configuration section onto ServerSettings. Invalid values fall back to
 * their default and are listed in `problems` (partial settings, never a failure: lesson 11).
 */
export function parseSettings(raw: unknown): { settings: ServerSettings; problems: string[] } {
  const settings: ServerSettings = { ...DEFAULT_SETTINGS };
  const problems: string[] = [];
  if (raw === null || raw === undefined) return { settings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('the "modellint" settings section is not an object; using defaults');
    return { settings, problems };
  }
  const section = raw as Record<string, unknown>;
  if (section.enable !== undefined && section.enable !== null) {
    if (typeof section.enable === 'boolean') settings.enable = section.enable;
    else problems.push(`modellint.enable must be a boolean (got ${typeof section.enable}); using ${DEFAULT_SETTINGS.enable}`);
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
  private global: ServerSettings = { ...DEFAULT_SETTINGS };
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
          return { ...DEFAULT_SETTINGS };
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
