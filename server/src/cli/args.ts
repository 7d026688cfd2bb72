/** Command-line parsing for `modellint check` and `modellint rules` (architecture.md §11). */

export type OutputFormat = 'text' | 'json' | 'sarif';
export type FailOn = 'error' | 'warning' | 'info' | 'never';

export interface CheckOptions {
  paths: string[];
  format: OutputFormat;
  output?: string;
  select?: string[];
  ignore?: string[];
  failOn: FailOn;
  /** `--config FILE`: this team configuration for every path (no discovery). */
  config?: string;
  /** `--isolated`: no team configuration files at all. */
  isolated: boolean;
  /** `--baseline FILE`: report only findings not recorded in FILE. */
  baseline?: string;
  /** `--write-baseline FILE`: record the current findings in FILE. */
  writeBaseline?: string;
  help: boolean;
}

export interface RulesOptions {
  format: 'text' | 'json';
  help: boolean;
}

/** A problem with the command line: reported with exit code 2. */
export class UsageError extends Error {}

interface FlagSpec {
  /** Takes a value (`--flag VALUE` or `--flag=VALUE`). */
  value: boolean;
}

function parseFlags(argv: string[], specs: Record<string, FlagSpec>): { flags: Map<string, string[]>; positionals: string[] } {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option '${name}'`);
    let value: string;
    if (spec.value) {
      if (eq > 0) value = arg.slice(eq + 1);
      else {
        if (i + 1 >= argv.length) throw new UsageError(`option '${name}' needs a value`);
        value = argv[++i];
      }
    } else {
      if (eq > 0) throw new UsageError(`option '${name}' takes no value`);
      value = '';
    }
    const list = flags.get(name) ?? [];
    list.push(value);
    flags.set(name, list);
  }
  return { flags, positionals };
}

function single(flags: Map<string, string[]>, name: string): string | undefined {
  const values = flags.get(name);
  if (!values) return undefined;
  if (values.length > 1) throw new UsageError(`option '${name}' given more than once`);
  return values[0];
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string, fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`invalid value '${value}' for ${name} (expected ${allowed.join(', ')})`);
}

/** `--select a,b --select c` → [a, b, c]; empty entries are dropped. */
function idList(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

export function parseCheckArgs(argv: string[]): CheckOptions {
  const { flags, positionals } = parseFlags(argv, {
    '--format': { value: true },
    '--output': { value: true },
    '--select': { value: true },
    '--ignore': { value: true },
    '--fail-on': { value: true },
    '--config': { value: true },
    '--isolated': { value: false },
    '--baseline': { value: true },
    '--write-baseline': { value: true },
    '--help': { value: false },
    '-h': { value: false },
  });
  const output = single(flags, '--output');
  if (output === '') throw new UsageError(`option '--output' needs a file name`);
  const fileFlag = (name: string) => {
    const v = single(flags, name);
    if (v === '') throw new UsageError(`option '${name}' needs a file name`);
    return v;
  };
  const config = fileFlag('--config');
  const isolated = flags.has('--isolated');
  if (config !== undefined && isolated) throw new UsageError(`'--config' and '--isolated' cannot be combined`);
  return {
    paths: positionals.length > 0 ? positionals : ['.'],
    format: oneOf(single(flags, '--format'), ['text', 'json', 'sarif'] as const, '--format', 'text'),
    output,
    select: idList(flags.get('--select')),
    ignore: idList(flags.get('--ignore')),
    failOn: oneOf(single(flags, '--fail-on'), ['error', 'warning', 'info', 'never'] as const, '--fail-on', 'warning'),
    config,
    isolated,
    baseline: fileFlag('--baseline'),
    writeBaseline: fileFlag('--write-baseline'),
    help: flags.has('--help') || flags.has('-h'),
  };
}

export function parseRulesArgs(argv: string[]): RulesOptions {
  const { flags, positionals } = parseFlags(argv, {
    '--format': { value: true },
    '--help': { value: false },
    '-h': { value: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  return {
    format: oneOf(single(flags, '--format'), ['text', 'json'] as const, '--format', 'text'),
    help: flags.has('--help') || flags.has('-h'),
  };
}

export const MAIN_HELP = `ModelLint: flags unsafe ML model loading and risky model-serving configuration.

Usage:
  modellint check [PATH...] [options]   analyze files and directories (default: .)
  modellint inspect FILE... [--format text|json]
                                        report what a model file holds and whether loading it is safe
  modellint rules [--format text|json]  list the rules
  modellint server --stdio              run the language server (also --node-ipc)
  modellint --version                   print the version

Run 'modellint <command> --help' for the options of a command.
`;

export const CHECK_HELP = `Usage: modellint check [PATH...] [options]

Analyzes Python files, notebooks and dependency files. Directories are walked
respecting .gitignore files and the team configuration's exclude and
extend-exclude; .git, node_modules, virtual environments, __pycache__ and
site-packages are always skipped. Files and folders named on the command line
are analyzed even when excluded. PATH defaults to the current directory.

Options:
  --format text|json|sarif   output format (default: text)
  --output FILE              write the report to FILE instead of standard output
  --select IDS               only run these rules (comma-separated rule ids or groups, or ALL)
  --ignore IDS               do not run these rules (comma-separated rule ids or groups)
  --fail-on LEVEL            error|warning|info|never: exit 1 when a finding at or
                             above LEVEL is reported (default: warning)
  --config FILE              use this team configuration for every path instead of
                             discovering one per file (a modellint.toml, or a
                             pyproject.toml with [tool.modellint]); relative paths in it
                             are resolved against the working directory
  --isolated                 ignore all configuration files
  --write-baseline FILE      record the current findings in FILE (JSON) and exit 0
  --baseline FILE            report only findings that are not recorded in FILE; lines
                             may move, an edited flagged line counts as new
  -h, --help                 show this help

Team configuration: for each file, the nearest folder above it with
.modellint.toml, modellint.toml or a pyproject.toml with [tool.modellint] (in that
order within one folder) applies; files do not merge. Keys: select, ignore,
severity, exclude, extend-exclude, trusted-repos, torch-version, hf-cache.
Invalid entries are reported as warnings and the rest still applies.

Precedence: --select replaces the file's select and ignore lists (so
'--select X' runs X even where a file ignores it); --ignore alone adds to the
file's ignore list; severity, exclude and the other keys always come from the file.

Exit status: 0 no findings at or above --fail-on, 1 findings at or above --fail-on,
2 usage or configuration error (unknown option, unknown rule id, missing path,
unreadable --config file, unreadable or corrupt --baseline file).
`;

export const RULES_HELP = `Usage: modellint rules [--format text|json]

Lists every rule with its id, default severity, group, fixability and title.
`;
