import type { Position, Range } from '../../engine/types';
import type { ArgItem, EnvVar, Invocation } from '../types';

/**
 * A small argv parser driven by a per-program table of flags (which take a value, which are
 * booleans, which take several values), so `--trust-remote-code --model x` is not read as
 * `--trust-remote-code=--model`. It understands `--flag=value`, `--flag value`, boolean flags
 * (`--flag`, `--flag=true|false`, argparse's `--no-flag`), repeated flags, short flags (`-m`,
 * `-hf` for llama-server), `--` and positional arguments, and keeps the exact range of every
 * flag and value.
 */

export type ServingProgram = 'tritonserver' | 'vllm' | 'tgi' | 'torchserve' | 'ovms' | 'llama-server' | 'hf-download';

export interface FlagSpec {
  /** Canonical spelling with dashes (`--model-repository`, `--rest_port`, `-m`). */
  name: string;
  /** Other spellings (`--model-store`, `--hf-repo`, `-hf`). */
  aliases?: string[];
  /** `value`: one value (`=value` or the next item); `boolean`: none unless written `=value`; `multi`: every following non-flag item (argparse `nargs='+'`). */
  kind: 'value' | 'boolean' | 'multi';
  /** Environment variables that set the same option (TGI `TRUST_REMOTE_CODE`, `VLLM_API_KEY`). */
  env?: string[];
}

export interface ProgramGrammar {
  program: ServingProgram;
  flags: FlagSpec[];
  /** `--model_path` and `--model-path` are the same flag (argparse in vLLM, OVMS' own spelling). */
  underscoreEquivalent?: boolean;
  /** argparse `BooleanOptionalAction`: `--no-<flag>` switches a boolean flag off. */
  negation?: boolean;
  /** An unknown flag followed by a non-flag item takes it as its value (true for most serving CLIs). */
  unknownTakesValue?: boolean;
}

export interface FlagUse {
  /**
   * The flag's key: its canonical name (aliases resolved: `--model-store` → `model-repository`,
   * llama-server `-m` → `model`) without leading dashes, underscores as dashes, lower-case
   * (`rest-port` for OVMS `--rest_port`). Unknown flags keep their written name, normalized alike.
   */
  name: string;
  /** As written (`--model_repository`, `-m`, `--no-enable-lora`). */
  written: string;
  /** The value (`=value` or the next item); for `multi` flags the first value. Undefined for a bare boolean. */
  value?: string;
  /** All values of a `multi` flag. */
  values?: string[];
  /** The item holding the flag (for `--flag=value`, the whole item). */
  item: ArgItem;
  /** Range of the flag's name alone. */
  nameRange: Range;
  /** The value as an item: the next argument, or the part after `=` (its range covers the value only). */
  valueItem?: ArgItem;
  valueItems?: ArgItem[];
  /** Range of the value text (`valueItem.range`). */
  valueRange?: Range;
  /** Booleans: true for `--flag` / `=true|1|yes|on`, false for `=false|0|no|off` and `--no-flag`. */
  enabled?: boolean;
  /** Written as `--flag=value`. */
  inline: boolean;
  /** Index of the flag item in `invocation.args`. */
  index: number;
  /** False when the flag or its value holds an unresolved variable. */
  resolved: boolean;
  /** Known to the program's table. */
  known: boolean;
}

export interface ServingCommand {
  program: ServingProgram;
  invocation: Invocation;
  /** The item naming the program (`tritonserver`, `vllm`, `python3`, …). */
  programItem: ArgItem;
  /** `serve` for `vllm serve`, `download` for `hf download`, the module for `python -m …`. */
  subcommand?: string;
  /** Index in `invocation.args` where the program's own arguments start. */
  argsStart: number;
  /** Flags by key (see `FlagUse.name`: `model-repository`, `trust-remote-code`), in order of appearance. */
  flags: Map<string, FlagUse[]>;
  positionals: ArgItem[];
  /** The environment visible to the command by name (the last definition wins). */
  env: Map<string, EnvVar>;
  grammar: ProgramGrammar;
  /** The last use of a flag (the one that takes effect); any spelling: `--model-store`, `model-repository`, `-m`. */
  flag(name: string): FlagUse | undefined;
  all(name: string): FlagUse[];
  has(name: string): boolean;
  /** The last value of a flag. */
  value(name: string): string | undefined;
  /** A boolean flag's effective state; undefined when absent. */
  enabled(name: string): boolean | undefined;
  /** The value of an environment variable visible to the command. */
  envValue(name: string): string | undefined;
  /** The flag's value or, when the flag is absent, its environment equivalents' value. */
  setting(name: string): { value?: string; flag?: FlagUse; env?: EnvVar } | undefined;
  /** Where a new flag can be inserted (after the last argument, or after the program), and the text to prefix it with. */
  insertionPoint(): { position: Position; prefix: string };
}

const TRUE = /^(true|1|yes|on|y)$/i;
const FALSE = /^(false|0|no|off|n)$/i;

export function boolValue(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (TRUE.test(v)) return true;
  if (FALSE.test(v)) return false;
  return undefined;
}

function subItem(item: ArgItem, start: number, end: number): ArgItem {
  const range = item.subRange ? item.subRange(start, end) : item.verbatim && item.range.start.line === item.range.end.line
    ? { start: { line: item.range.start.line, character: item.range.start.character + start }, end: { line: item.range.start.line, character: item.range.start.character + end } }
    : item.range;
  const out: ArgItem = { value: item.value.slice(start, end), range, resolved: item.resolved };
  if (item.verbatim) out.verbatim = true;
  if (item.subRange) {
    const parent = item.subRange.bind(item);
    Object.defineProperty(out, 'subRange', { value: (s: number, e: number) => parent(start + s, start + e), enumerable: false });
  }
  return out;
}

interface Table {
  byName: Map<string, FlagSpec>;
  normalize: (name: string) => string;
}

const tables = new WeakMap<ProgramGrammar, Table>();

function tableOf(g: ProgramGrammar): Table {
  let t = tables.get(g);
  if (!t) {
    const normalize = g.underscoreEquivalent ? (n: string) => n.replace(/_/g, '-') : (n: string) => n;
    const byName = new Map<string, FlagSpec>();
    for (const f of g.flags) for (const n of [f.name, ...(f.aliases ?? [])]) byName.set(normalize(n), f);
    t = { byName, normalize };
    tables.set(g, t);
  }
  return t;
}

export function lookupFlag(g: ProgramGrammar, written: string): { spec?: FlagSpec; negated: boolean } {
  const t = tableOf(g);
  const spec = t.byName.get(t.normalize(written));
  if (spec) return { spec, negated: false };
  if (g.negation && written.startsWith('--no-')) {
    const positive = t.byName.get(t.normalize(`--${written.slice(5)}`));
    if (positive?.kind === 'boolean') return { spec: positive, negated: true };
  }
  return { negated: false };
}

function isFlag(value: string): boolean {
  return /^-{1,2}[A-Za-z]/.test(value);
}

/** Parse `args[start…]` of an invocation with a program's grammar. */
export function parseArgs(g: ProgramGrammar, inv: Invocation, start: number, programItem: ArgItem, subcommand?: string): ServingCommand {
  const args = inv.args;
  const flags = new Map<string, FlagUse[]>();
  const positionals: ArgItem[] = [];
  const add = (use: FlagUse) => {
    const list = flags.get(use.name) ?? [];
    list.push(use);
    flags.set(use.name, list);
  };
  let onlyPositionals = false;
  for (let i = start; i < args.length; i++) {
    const item = args[i];
    const w = item.value;
    if (onlyPositionals || !isFlag(w)) {
      if (!onlyPositionals && w === '--') {
        onlyPositionals = true;
        continue;
      }
      positionals.push(item);
      continue;
    }
    const eq = w.indexOf('=');
    const written = eq > 0 ? w.slice(0, eq) : w;
    const { spec, negated } = lookupFlag(g, written);
    const name = flagKey(spec?.name ?? written);
    const nameRange = eq > 0 ? subItem(item, 0, eq).range : item.range;
    const use: FlagUse = { name, written, item, nameRange, inline: eq > 0, index: i, resolved: item.resolved, known: !!spec };
    if (eq > 0) {
      use.value = w.slice(eq + 1);
      use.valueItem = subItem(item, eq + 1, w.length);
      if (spec?.kind === 'multi') {
        use.values = [use.value];
        use.valueItems = [use.valueItem];
      }
    } else if (negated) {
      use.enabled = false;
    } else {
      const kind = spec?.kind ?? (g.unknownTakesValue ? 'value' : 'boolean');
      const next = args[i + 1];
      if (kind === 'value' && next && next.value !== '--') {
        // A known value flag takes the next item unless it is a long option or a flag of the table
        // (`--max-num-seqs -1` takes `-1`); an unknown flag only takes an item that is not a flag.
        const nextIsOption = isFlag(next.value) && (next.value.startsWith('--') || !!lookupFlag(g, next.value.split('=')[0]).spec);
        if (spec ? !nextIsOption : !isFlag(next.value)) {
          use.value = next.value;
          use.valueItem = next;
          use.resolved &&= next.resolved;
          i++;
        }
      } else if (kind === 'multi') {
        const items: ArgItem[] = [];
        while (args[i + 1] && !isFlag(args[i + 1].value) && args[i + 1].value !== '--') items.push(args[++i]);
        if (items.length) {
          use.values = items.map((x) => x.value);
          use.valueItems = items;
          use.value = items[0].value;
          use.valueItem = items[0];
          use.resolved &&= items.every((x) => x.resolved);
        }
      }
    }
    if (use.enabled === undefined) use.enabled = use.value === undefined ? true : boolValue(use.value);
    if (use.valueItem) use.valueRange = use.valueItem.range;
    add(use);
  }
  const env = new Map<string, EnvVar>();
  for (const e of inv.env) env.set(e.name, e);
  const last = (name: string) => {
    const list = flags.get(canonical(g, name));
    return list ? list[list.length - 1] : undefined;
  };
  const command: ServingCommand = {
    program: g.program,
    invocation: inv,
    programItem,
    ...(subcommand ? { subcommand } : {}),
    argsStart: start,
    flags,
    positionals,
    env,
    grammar: g,
    flag: last,
    all: (name) => flags.get(canonical(g, name)) ?? [],
    has: (name) => flags.has(canonical(g, name)),
    value: (name) => last(name)?.value,
    enabled: (name) => last(name)?.enabled,
    envValue: (name) => env.get(name)?.value,
    setting: (name) => {
      const f = last(name);
      if (f) return { value: f.value, flag: f };
      const key = canonical(g, name);
      const spec = g.flags.find((f) => flagKey(f.name) === key);
      for (const n of spec?.env ?? []) {
        const e = env.get(n);
        if (e) return { value: e.value, env: e };
      }
      return undefined;
    },
    insertionPoint: () => {
      const lastItem = args.length > 0 ? args[args.length - 1] : programItem;
      return { position: lastItem.range.end, prefix: ' ' };
    },
  };
  return command;
}

/** A flag's key: no leading dashes, underscores as dashes, lower-case. */
export function flagKey(name: string): string {
  return name.replace(/^-+/, '').replace(/_/g, '-').toLowerCase();
}

const canonicalCache = new WeakMap<ProgramGrammar, Map<string, string>>();

/** The key of a flag as a rule may spell it (`--model-store`, `model_repository`, `-m`). */
function canonical(g: ProgramGrammar, name: string): string {
  let cache = canonicalCache.get(g);
  if (!cache) {
    cache = new Map();
    canonicalCache.set(g, cache);
  }
  let key = cache.get(name);
  if (key === undefined) {
    const written = name.startsWith('-') ? name : `--${name}`;
    const spec = lookupFlag(g, written).spec ?? (g.underscoreEquivalent ? undefined : lookupFlag(g, `--${name.replace(/-/g, '_')}`).spec);
    key = flagKey(spec?.name ?? name);
    if (cache.size < 4096) cache.set(name, key);
  }
  return key;
}
