import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { RuleOptions } from '../engine/rule';
import type { Severity } from '../engine/types';
import type { RuleSelection } from '../engine/selection';
import { DEFAULT_EXCLUDE, parseConfigText, type ParsedConfig, type TeamConfig } from './team-config';

/**
 * Which configuration file applies to a file: the nearest ancestor folder that has one.
 * Within one folder `.modellint.toml` wins over `modellint.toml`, which wins over a
 * `pyproject.toml` with a `[tool.modellint]` table (the same order as Ruff's files).
 */
export const CONFIG_FILE_NAMES = ['.modellint.toml', 'modellint.toml', 'pyproject.toml'] as const;

const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadedConfig extends ParsedConfig { file: string }

export class ConfigResolver {
  private readonly byDir = new Map<string, LoadedConfig | null>();
  private readonly byFile = new Map<string, LoadedConfig | null>();

  constructor(
    private readonly knownIds: ReadonlySet<string>,
    private readonly knownGroups: ReadonlySet<string>,
    /** Open editor buffers override the disk. */
    private readonly readOpen: (file: string) => string | undefined = () => undefined,
  ) {}

  /** The configuration that applies to `file` (a path), or undefined when none exists up to the root. */
  forFile(file: string): LoadedConfig | undefined {
    return this.forDir(path.dirname(path.resolve(file)));
  }

  forDir(dir: string): LoadedConfig | undefined {
    const cached = this.byDir.get(dir);
    if (cached !== undefined) return cached ?? undefined;
    let found: LoadedConfig | undefined;
    for (const name of CONFIG_FILE_NAMES) {
      const loaded = this.load(path.join(dir, name));
      if (loaded) {
        found = loaded;
        break;
      }
    }
    if (!found) {
      const parent = path.dirname(dir);
      found = parent !== dir ? this.forDir(parent) : undefined;
    }
    this.byDir.set(dir, found ?? null);
    return found;
  }

  /** Read and parse one config file; undefined when it does not exist or is a pyproject without [tool.modellint]. */
  load(file: string): LoadedConfig | undefined {
    const cached = this.byFile.get(file);
    if (cached !== undefined) return cached ?? undefined;
    let result: LoadedConfig | undefined;
    const text = this.readOpen(file) ?? readSmallFile(file);
    if (text !== undefined) {
      const parsed = parseConfigText(text, path.basename(file) === 'pyproject.toml' ? 'pyproject' : 'modellint', this.knownIds, this.knownGroups);
      if (parsed.config) result = { ...parsed, file, config: { ...parsed.config, file } };
    }
    this.byFile.set(file, result ?? null);
    return result;
  }

  /** Forget everything learned from `file` (a config file created, changed or deleted). */
  invalidate(file?: string): void {
    if (!file || CONFIG_FILE_NAMES.includes(path.basename(file) as (typeof CONFIG_FILE_NAMES)[number])) {
      this.byDir.clear();
      this.byFile.clear();
    }
  }
}

function readSmallFile(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Explicit settings that are layered over the file (CLI flags or editor settings). */
export interface SettingsOverlay {
  select?: string[];
  ignore?: string[];
  extendIgnore?: string[];
  severity?: Record<string, Severity>;
}

/**
 * The overlay for explicit `select` / `ignore` lists (CLI flags, editor settings).
 * When the overlay wins (`overlayFirst`): a given `select` replaces the file's `select` *and*
 * `ignore` (so `--select X` runs X even if the file ignores it, as in Ruff), and a given `ignore`
 * alone is added to the file's `ignore`. When the file wins, each list of the file replaces the
 * overlay's list of the same key, and the overlay only fills keys the file does not set.
 */
export function listOverlay(select: string[] | undefined, ignore: string[] | undefined, overlayFirst: boolean): SettingsOverlay {
  if (!overlayFirst) return { select, ignore };
  if (select) return { select, ignore: ignore ?? [] };
  return ignore ? { extendIgnore: ignore } : {};
}

export interface EffectiveSettings {
  selection: RuleSelection;
  options: RuleOptions;
  hfCache?: string;
  /**
   * Whether `file` is excluded by `exclude` / `extend-exclude` (globs relative to the config file's
   * folder, or to `baseDir`). A pattern matches the file itself or any folder above it; with `floor`,
   * only folders strictly below `floor` count, so an explicitly opened root (a workspace folder, a
   * folder named on the command line) is never excluded.
   */
  isExcluded(file: string, floor?: string): boolean;
}

/** Compiled exclude globs, by pattern: compiling one costs far more than testing a path with it. */
const excludeMatchers = new Map<string, (path: string) => boolean>();
const EXCLUDE_MATCHERS_KEPT = 1000;

function excludeMatcher(pattern: string): (path: string) => boolean {
  let matcher = excludeMatchers.get(pattern);
  if (!matcher) {
    matcher = picomatch(excludeGlob(pattern), { dot: true });
    if (excludeMatchers.size < EXCLUDE_MATCHERS_KEPT) excludeMatchers.set(pattern, matcher);
  }
  return matcher;
}

/**
 * Merge a team config with an overlay. `overlayFirst` decides conflicts the way the editor's
 * `configurationPreference` does: `editorFirst` lets editor settings win, `filesystemFirst` the file.
 * `baseDir` is the folder relative paths of the file (exclude globs, hf-cache) are resolved against;
 * it defaults to the config file's folder (`--config FILE` passes the working directory, as Ruff does).
 */
export function effectiveSettings(config: TeamConfig | undefined, overlay: SettingsOverlay = {}, overlayFirst = true, baseDir?: string): EffectiveSettings {
  const pick = <T>(fromOverlay: T | undefined, fromFile: T | undefined): T | undefined =>
    overlayFirst ? fromOverlay ?? fromFile : fromFile ?? fromOverlay;
  const selection: RuleSelection = {
    select: pick(overlay.select, config?.select),
    ignore: [...(pick(overlay.ignore, config?.ignore) ?? []), ...(overlay.extendIgnore ?? [])],
    severity: overlayFirst ? { ...config?.severity, ...overlay.severity } : { ...overlay.severity, ...config?.severity },
  };
  const base = baseDir ?? (config?.file ? path.dirname(config.file) : undefined);
  const patterns = [...(config?.exclude ?? DEFAULT_EXCLUDE), ...(config?.extendExclude ?? [])];
  const matchers = patterns.map(excludeMatcher);
  const hfCache = config?.hfCache && base ? path.resolve(base, config.hfCache.replace(/^~(?=$|\/)/, process.env.HOME ?? '~')) : undefined;
  return {
    selection,
    options: { trustedRepos: config?.trustedRepos ?? [], torchVersion: config?.torchVersion },
    hfCache,
    isExcluded(file: string, floor?: string) {
      const from = base ?? floor;
      if (from === undefined) return false;
      const relPath = path.relative(from, file);
      if (relPath === '' || relPath.startsWith('..') || path.isAbsolute(relPath)) return false;
      const parts = relPath.split(path.sep);
      // Folders at or above the floor are never tested.
      let first = 1;
      if (floor !== undefined) {
        const floorRel = path.relative(from, floor);
        if (floorRel !== '' && !floorRel.startsWith('..') && !path.isAbsolute(floorRel)) first = floorRel.split(path.sep).length + 1;
      }
      // A pattern matches the file itself or any folder above it.
      for (let i = first; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('/');
        if (matchers.some((m) => m(prefix))) return true;
      }
      return false;
    },
  };
}

/**
 * An exclude entry as a glob relative to the base folder, read like a .gitignore line: a name
 * without a slash matches at any depth, a leading "/" or an inner slash anchors it to the base,
 * and a trailing slash is dropped.
 */
function excludeGlob(pattern: string): string {
  const p = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  if (p.startsWith('/')) return p.slice(1);
  return p.includes('/') ? p : `**/${p}`;
}
