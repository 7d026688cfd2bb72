import * as path from 'node:path';
import { ConfigResolver, effectiveSettings, listOverlay, type EffectiveSettings, type LoadedConfig } from '../config/discovery';
import type { TeamConfig } from '../config/team-config';

/**
 * Where `modellint check` takes its team configuration from:
 *   discover  the nearest modellint.toml / .modellint.toml / pyproject.toml [tool.modellint] above each file (default);
 *   fixed     one file for every path (`--config FILE`); relative paths in it resolve against the working directory;
 *   isolated  no configuration file at all (`--isolated`).
 * Plain data: worker threads receive it.
 */
export type ConfigSource = { mode: 'discover' } | { mode: 'fixed'; file: string; config: TeamConfig } | { mode: 'isolated' };

/** `--select` / `--ignore` as given on the command line. */
export interface CliLists {
  select?: string[];
  ignore?: string[];
}

export interface FileSettings extends EffectiveSettings {
  /** Identifies the combination (one per configuration file in force). */
  key: string;
  configFile?: string;
}

/**
 * Settings per folder, cached per configuration file. Command-line lists win over the file
 * (config/discovery.ts `listOverlay`): `--select` replaces the file's `select` and `ignore`,
 * `--ignore` alone adds to the file's `ignore`.
 */
export class CheckSettings {
  private readonly resolver: ConfigResolver | undefined;
  private readonly byKey = new Map<string, FileSettings>();

  constructor(
    private readonly source: ConfigSource,
    private readonly lists: CliLists,
    private readonly cwd: string,
    knownIds: ReadonlySet<string>,
    knownGroups: ReadonlySet<string>,
  ) {
    if (source.mode === 'discover') this.resolver = new ConfigResolver(knownIds, knownGroups);
  }

  /** The configuration file that applies to files in `dir`. */
  configForDir(dir: string): LoadedConfig | undefined {
    return this.resolver?.forDir(path.resolve(dir));
  }

  /** Settings of the files directly inside `dir`. */
  forDir(dir: string): FileSettings {
    const overlay = listOverlay(this.lists.select, this.lists.ignore, true);
    let key: string;
    let config: TeamConfig | undefined;
    let baseDir: string | undefined;
    if (this.source.mode === 'fixed') {
      key = `fixed:${this.source.file}`;
      config = this.source.config;
      baseDir = this.cwd;
    } else {
      const loaded = this.configForDir(dir);
      key = loaded ? `file:${loaded.file}` : 'none';
      config = loaded?.config;
    }
    let settings = this.byKey.get(key);
    if (!settings) {
      settings = { ...effectiveSettings(config, overlay, true, baseDir), key, configFile: this.source.mode === 'fixed' ? this.source.file : config?.file };
      this.byKey.set(key, settings);
    }
    return settings;
  }

  forFile(file: string): FileSettings {
    return this.forDir(path.dirname(path.resolve(file)));
  }
}
