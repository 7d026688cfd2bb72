import type { Range } from '../engine/types';
import { parseShell, type ShellCommand, type VarBinding } from '../languages/shell/commands';
import type { MappedText } from '../languages/text-map';
import type { ArgItem, EnvVar, Invocation, InvocationContext } from './types';

/**
 * Turning argument vectors into Invocations, the same way for every front-end:
 *
 * - wrappers that run the next word as the command are looked through (`exec`, `env A=1`, `nohup`,
 *   `sudo -u x`, `gosu`, `tini --`, `dumb-init`, `timeout 5`, …), and `env`'s assignments join the
 *   command's environment;
 * - `sh -c "…"` / `bash -lc '…'` scripts and here-documents fed to a shell are parsed as shell,
 *   recursively (bounded depth), with positions mapped into the outer string;
 * - each argument keeps its exact range, and `subRange` locates characters inside it (the value
 *   part of `--flag=value`).
 */

/** An argument as a front-end produces it: an ArgItem plus its value as mapped text, when known. */
export interface SourceArg extends ArgItem {
  mapped?: MappedText;
}

export interface ArgvInput {
  argv: SourceArg[];
  /** The environment, or a function computing it when first read (shell scripts with many exports). */
  env: EnvVar[] | (() => EnvVar[]);
  context: InvocationContext;
  range?: Range;
  pipeline?: Invocation['pipeline'];
  substitution?: Invocation['substitution'];
  implicitProgram?: boolean;
  /** A here-document redirected into the command (a shell reads its script from it). */
  heredoc?: MappedText;
}

export interface BuildOptions {
  /** Nesting of `sh -c` scripts so far. */
  depth?: number;
  /** Shared pipeline id counter. */
  ids?: { next: number };
}

/** How deep `bash -c "sh -c '…'"` nesting is followed. */
export const MAX_SHELL_DEPTH = 4;

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh', 'busybox']);

/** Wrappers: name → options that take a value, and the number of fixed operands before the command. */
const WRAPPERS: Record<string, { valueOptions?: RegExp; operands?: number; stopAtDoubleDash?: boolean }> = {
  exec: { valueOptions: /^-a$/ },
  env: { valueOptions: /^(-u|--unset|-C|--chdir|-S|--split-string)$/ },
  nohup: {},
  sudo: { valueOptions: /^(-u|--user|-g|--group|-h|--host|-p|--prompt|-C|--close-from|-D|--chdir|-r|--role|-t|--type|-T|--command-timeout)$/ },
  time: { valueOptions: /^(-f|--format|-o|--output)$/ },
  nice: { valueOptions: /^(-n|--adjustment)$/ },
  ionice: { valueOptions: /^(-c|--class|-n|--classdata|-p|--pid)$/ },
  stdbuf: { valueOptions: /^(-i|-o|-e|--input|--output|--error)$/ },
  setsid: {},
  command: {},
  builtin: {},
  gosu: { operands: 1 },
  'su-exec': { operands: 1 },
  chpst: { valueOptions: /^-[ugUebn/]$/ },
  tini: { valueOptions: /^(-p|-e)$/ },
  'tini-static': { valueOptions: /^(-p|-e)$/ },
  'dumb-init': { valueOptions: /^(-r|--rewrite)$/ },
  timeout: { valueOptions: /^(-s|--signal|-k|--kill-after)$/, operands: 1 },
  taskset: { valueOptions: /^(-p|--pid)$/, operands: 1 },
  numactl: { valueOptions: /^(-[CNmpiP]|--[\w-]+)$/ },
  'accelerate-launch': {},
};

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

export function basename(word: string): string {
  const i = Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\'));
  return i >= 0 ? word.slice(i + 1) : word;
}

/** Range of the value characters [start, end) of an argument. */
export function subRangeOf(arg: SourceArg, start: number, end: number): Range {
  if (arg.mapped && arg.mapped.text === arg.value) return arg.mapped.range(start, end);
  if (arg.verbatim && arg.range.start.line === arg.range.end.line) {
    const line = arg.range.start.line;
    const c = arg.range.start.character;
    return { start: { line, character: c + start }, end: { line, character: c + end } };
  }
  return arg.range;
}

function toArgItem(a: SourceArg): ArgItem {
  const item: ArgItem = { value: a.value, range: a.range, resolved: a.resolved };
  if (a.verbatim) item.verbatim = true;
  if (a.rawRange) item.rawRange = a.rawRange;
  if (a.mapped || a.verbatim) Object.defineProperty(item, 'subRange', { value: (s: number, e: number) => subRangeOf(a, s, e), enumerable: false });
  return item;
}

/** Skip wrappers; returns the index of the program word and the assignments given to `env`. */
export function unwrap(argv: readonly ArgItem[]): { index: number; envAssignments: ArgItem[] } {
  let k = 0;
  const envAssignments: ArgItem[] = [];
  for (let guard = 0; guard < 16 && k < argv.length; guard++) {
    const name = basename(argv[k].value);
    const spec = WRAPPERS[name];
    if (!spec) break;
    // `time`/`command` as plain programs with no operand: nothing to unwrap.
    let j = k + 1;
    while (j < argv.length) {
      const w = argv[j].value;
      if (w === '--') {
        j++;
        break;
      }
      if (name === 'env' && ASSIGNMENT.test(w)) {
        envAssignments.push(argv[j]);
        j++;
        continue;
      }
      if (!w.startsWith('-') || w === '-') break;
      j += spec.valueOptions?.test(w) && !w.includes('=') ? 2 : 1;
    }
    j += spec.operands ?? 0;
    if (j >= argv.length) break;
    k = j;
  }
  return { index: k, envAssignments };
}

/** For `sh -c SCRIPT …` / `bash -lc SCRIPT`: the index of SCRIPT, if the program is a shell run with -c. */
export function shellScriptIndex(argv: readonly ArgItem[], programIndex: number): number | undefined {
  const program = basename(argv[programIndex]?.value ?? '');
  if (!SHELLS.has(program)) return undefined;
  let k = programIndex + 1;
  if (program === 'busybox') {
    if (!SHELLS.has(argv[k]?.value ?? '')) return undefined;
    k++;
  }
  for (; k < argv.length; k++) {
    const w = argv[k].value;
    if (w === '--') return undefined;
    if (!w.startsWith('-') && !w.startsWith('+')) return undefined;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(w)) return k + 1 < argv.length ? k + 1 : undefined;
    if (w === '-o' || w === '+o' || w === '-O' || w === '+O') k++;
  }
  return undefined;
}

/** Whether the program runs a script read from standard input (`bash`, `sh -ex`, `bash -s`). */
function readsScriptFromStdin(argv: readonly ArgItem[], programIndex: number): boolean {
  const program = basename(argv[programIndex]?.value ?? '');
  if (!SHELLS.has(program) || program === 'busybox') return false;
  return argv.slice(programIndex + 1).every((a) => a.value.startsWith('-') || a.value.startsWith('+'));
}

/** Bindings of the variables a script refers to (`$NAME`, `${NAME…}`), from an environment. */
function bindingsFor(script: string, env: readonly EnvVar[]): Map<string, VarBinding> {
  const names = new Set<string>();
  for (const m of script.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]);
  const out = new Map<string, VarBinding>();
  if (names.size === 0) return out;
  for (const e of env) if (names.has(e.name)) out.set(e.name, { value: e.value, exported: true, def: e });
  return out;
}

function envFromAssignments(items: ArgItem[], origin: EnvVar['origin']): EnvVar[] {
  return items.map((a) => {
    const eq = a.value.indexOf('=');
    const name = a.value.slice(0, eq);
    const value = a.value.slice(eq + 1);
    const e: EnvVar = { name, range: a.range, origin };
    if (a.resolved) e.value = value;
    const sub = (a as SourceArg).mapped || a.verbatim ? subRangeOf(a as SourceArg, eq + 1, a.value.length) : undefined;
    if (sub) e.valueRange = sub;
    return e;
  });
}

/**
 * The invocations of one argument vector: the command itself (wrappers looked through), and the
 * commands of a `sh -c` script or a here-document fed to a shell.
 */
export function buildInvocations(input: ArgvInput, options: BuildOptions = {}): Invocation[] {
  const depth = options.depth ?? 0;
  const argv = input.argv;
  if (argv.length === 0) return [];
  const { index, envAssignments } = unwrap(argv);
  if (index >= argv.length) return [];
  const base = input.env;
  let memo: EnvVar[] | undefined;
  const env = (): EnvVar[] => {
    memo ??= (() => {
      const e = typeof base === 'function' ? base() : base;
      return envAssignments.length ? [...e, ...envFromAssignments(envAssignments, 'shell-prefix')] : e;
    })();
    return memo;
  };
  const inv = { program: toArgItem(argv[index]), args: argv.slice(index + 1).map(toArgItem), context: input.context } as Invocation;
  Object.defineProperty(inv, 'env', { get: env, enumerable: true, configurable: true });
  if (input.range) inv.range = input.range;
  if (input.pipeline) inv.pipeline = input.pipeline;
  if (input.substitution) inv.substitution = input.substitution;
  if (input.implicitProgram) inv.implicitProgram = true;
  const out: Invocation[] = [inv];
  if (depth >= MAX_SHELL_DEPTH) return out;
  const scriptIndex = shellScriptIndex(argv, index);
  const script = scriptIndex !== undefined ? argv[scriptIndex] : undefined;
  const body = script?.mapped ?? (input.heredoc && readsScriptFromStdin(argv, index) ? input.heredoc : undefined);
  if (body) out.push(...invocationsOfScript(body, env, input.context, { depth: depth + 1, ids: options.ids }));
  return out;
}

/** The invocations of a shell script (a file, a RUN body, a `-c` string), each command once. */
export function invocationsOfScript(script: MappedText, env: readonly EnvVar[] | (() => EnvVar[]), context: InvocationContext, options: BuildOptions = {}): Invocation[] {
  const inherited = typeof env === 'function' ? env : () => env as EnvVar[];
  const parsed = parseShell(script, { env: bindingsFor(script.text, inherited()), inherited, ids: options.ids });
  return invocationsOfCommands(parsed.commands, context, options);
}

export function invocationsOfCommands(commands: readonly ShellCommand[], context: InvocationContext, options: BuildOptions = {}): Invocation[] {
  const out: Invocation[] = [];
  for (const c of commands) {
    out.push(...buildInvocations({
      argv: c.words,
      env: c.prefix.length ? () => [...c.env, ...c.prefix] : () => c.env,
      context,
      range: c.range,
      pipeline: c.pipeline,
      substitution: c.substitution,
      heredoc: c.heredoc,
    }, options));
  }
  return out;
}
