import type { Range } from '../../engine/types';
import { buildInvocations, invocationsOfScript, type SourceArg } from '../../invocations/build';
import type { EnvVar, Invocation, InvocationContext, ServingFacts } from '../../invocations/types';
import { alignValue, LineIndex, MappedText } from '../text-map';
import { buildPythonFacts, type ArgFact, type CallFact, type PythonFacts } from './facts';
import type { ParseCache } from './parse-cache';
import { stringValue, type PyValue } from './values';

/**
 * Commands a Python file starts: `subprocess.run/Popen/call/check_call/check_output([...])`,
 * `os.execv*` / `os.execl*` / `os.spawn*`, `asyncio.create_subprocess_exec`, and shell strings
 * (`shell=True`, `os.system`, `os.popen`, `subprocess.getoutput`, `create_subprocess_shell`).
 * Argument lists are read element by element from the list literal (or the constant it is
 * assigned to), so each argument keeps its exact range; string elements resolve through the
 * Python front-end's constants, anything else is unresolved.
 */

/** Words that must occur for a file to start any command (the byte-level prefilter). */
export const SUBPROCESS_WORDS = ['subprocess', 'os.exec', 'os.spawn', 'os.system', 'os.popen', 'create_subprocess_', 'execvp', 'execlp'];

/**
 * Words that locate the calls that start commands (buildPythonFacts callWords). The module name
 * finds `subprocess.run(…)` and, through import aliases, `from subprocess import run as r`; the
 * `os` functions are found by their own names.
 */
export const SUBPROCESS_CALL_WORDS = [
  'subprocess', 'system', 'popen', 'getoutput', 'getstatusoutput',
  'execv', 'execve', 'execvp', 'execvpe', 'execl', 'execle', 'execlp', 'execlpe',
  'spawnv', 'spawnve', 'spawnvp', 'spawnvpe', 'spawnl', 'spawnle', 'spawnlp', 'spawnlpe',
];

const LIST_CALLS = new Set(['subprocess.run', 'subprocess.Popen', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output']);
const SHELL_CALLS = new Set(['os.system', 'os.popen', 'subprocess.getoutput', 'subprocess.getstatusoutput', 'asyncio.create_subprocess_shell']);
/** os.execv… and os.spawnv… take an argument list: name → index of the list argument. */
const VECTOR_CALLS = new Map([
  ['os.execv', 1], ['os.execve', 1], ['os.execvp', 1], ['os.execvpe', 1],
  ['os.spawnv', 2], ['os.spawnve', 2], ['os.spawnvp', 2], ['os.spawnvpe', 2],
]);
/** os.execl… and os.spawnl…: arguments from this positional index on (the first one is argv[0]). */
const VARARG_CALLS = new Map([
  ['os.execl', 1], ['os.execle', 1], ['os.execlp', 1], ['os.execlpe', 1],
  ['os.spawnl', 2], ['os.spawnle', 2], ['os.spawnlp', 2], ['os.spawnlpe', 2],
  ['asyncio.create_subprocess_exec', 0],
]);

const SUBPROCESS_PATTERN = new RegExp(SUBPROCESS_WORDS.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

/** Whether any of SUBPROCESS_WORDS occurs (one pass over the text): otherwise the file starts no command and its serving facts are empty. */
export function mayStartCommands(text: string): boolean {
  return SUBPROCESS_PATTERN.test(text);
}

export interface PythonServingOptions {
  cache?: ParseCache;
  key?: string;
  /**
   * The file's Python facts when the caller has them (built with SUBPROCESS_CALL_WORDS among
   * their call words when mayStartCommands): then the file is not parsed again.
   */
  facts?: () => PythonFacts;
}

export function buildPythonServingFacts(text: string, options: PythonServingOptions = {}): ServingFacts {
  const out: ServingFacts = { fileKind: 'python', invocations: [], environments: [] };
  if (!mayStartCommands(text)) return out;
  const shared = options.facts?.();
  const facts = shared ?? buildPythonFacts(text, { cache: options.cache, key: options.key, callWords: SUBPROCESS_CALL_WORDS });
  try {
    const doc = new LineIndex(text);
    const environ: EnvVar[] = facts.envAssignments.map((e) => {
      const v: EnvVar = { name: e.name, range: e.range, valueRange: e.valueRange, origin: 'python-environ' };
      const s = stringValue(e.value);
      if (s !== undefined) v.value = s;
      return v;
    });
    if (environ.length) out.environments.push({ context: { source: 'python-subprocess', owner: 'os.environ' }, env: environ });
    let block = 0;
    const ids = { next: 1 };
    for (const call of facts.calls) {
      const q = call.qname;
      if (!q) continue;
      let argv: SourceArg[] | undefined;
      let script: MappedText | undefined;
      if (LIST_CALLS.has(q)) {
        const first = call.keywords.get('args') ?? call.positional[0];
        if (!first) continue;
        const shell = call.keywords.get('shell');
        if (first.value.kind === 'string' && shell && shell.value.kind === 'bool' && shell.value.value) script = stringText(first, doc);
        else argv = listArgs(first, doc, text) ?? (first.value.kind === 'string' ? [single(first, doc)] : undefined);
      } else if (SHELL_CALLS.has(q)) {
        const first = call.keywords.get('cmd') ?? call.positional[0];
        if (first?.value.kind === 'string') script = stringText(first, doc);
      } else if (VECTOR_CALLS.has(q)) {
        const list = call.positional[VECTOR_CALLS.get(q)!];
        if (list) argv = listArgs(list, doc, text);
      } else if (VARARG_CALLS.has(q)) {
        argv = call.positional.slice(VARARG_CALLS.get(q)!).map((a) => elementArg(a.value, a.range, a.text, doc));
      }
      if (!argv && !script) continue;
      const context: InvocationContext = { source: 'python-subprocess', owner: call.calleeText, block: ++block, blockRange: call.range };
      const env = childEnv(call, environ);
      if (env.own.length) out.environments.push({ context, env: env.own });
      const invs: Invocation[] = script
        ? invocationsOfScript(script, env.all, context, { ids })
        : buildInvocations({ argv: argv!, env: env.all, context, range: call.range }, { ids });
      out.invocations.push(...invs);
    }
  } finally {
    if (!shared) facts.dispose();
  }
  return out;
}

/** The environment of the child: `env=` replaces it (its literal entries), else os.environ as modified by the file. */
function childEnv(call: CallFact, environ: EnvVar[]): { all: EnvVar[]; own: EnvVar[] } {
  const env = call.keywords.get('env');
  if (!env || env.value.kind !== 'dict') return { all: environ, own: [] };
  const own: EnvVar[] = [];
  for (const [name, value] of env.value.entries) {
    const v: EnvVar = { name, range: env.itemRange, origin: 'python-subprocess-env' };
    const s = stringValue(value);
    if (s !== undefined) v.value = s;
    else if (value.kind === 'number') v.value = String(value.value);
    own.push(v);
  }
  // `{**os.environ, ...}` keeps the parent's variables; a complete literal dict does not.
  return { all: env.value.complete ? own : [...environ, ...own], own };
}

function single(arg: ArgFact, doc: LineIndex): SourceArg {
  return elementArg(arg.value, arg.range, arg.text, doc);
}

/** A string literal's value as mapped text (for shell strings). */
function stringText(arg: ArgFact, doc: LineIndex): MappedText | undefined {
  const value = stringValue(arg.value);
  if (value === undefined) return undefined;
  const inner = literalInner(arg.text);
  const start = doc.offset(arg.range.start);
  if (!inner) return undefined;
  return alignValue(value, doc, start + inner[0], start + inner[1]);
}

/** [start, end) of a string literal's content within its text (after prefix and quotes). */
function literalInner(text: string): [number, number] | undefined {
  const m = /^([rRbBuUfF]{0,2})("""|'''|"|')/.exec(text);
  if (!m) return undefined;
  const open = m[1].length + m[2].length;
  if (!text.endsWith(m[2]) || text.length < open + m[2].length) return undefined;
  return [open, text.length - m[2].length];
}

/** One element of an argument list: a string literal (range inside its quotes), or a name/expression resolved by the front-end. */
function elementArg(value: PyValue, range: Range, text: string, doc: LineIndex): SourceArg {
  const s = stringValue(value);
  if (s === undefined) return { value: text, range, rawRange: range, resolved: false };
  const inner = literalInner(text);
  if (!inner) return { value: s, range, rawRange: range, resolved: true };
  const start = doc.offset(range.start);
  const mapped = alignValue(s, doc, start + inner[0], start + inner[1]);
  const innerRange = doc.range(start + inner[0], start + inner[1]);
  const verbatim = text.slice(inner[0], inner[1]) === s;
  return { value: s, range: innerRange, rawRange: range, resolved: true, ...(mapped ? { mapped } : {}), ...(verbatim ? { verbatim: true } : {}) };
}

/**
 * The elements of a list/tuple argument: from the literal at the call, or from the literal a
 * constant is assigned to (`CMD = [...]; subprocess.run(CMD)`).
 */
function listArgs(arg: ArgFact, doc: LineIndex, text: string): SourceArg[] | undefined {
  if (arg.value.kind !== 'list') return undefined;
  const items = arg.value.items;
  let range = arg.range;
  let literal = arg.text;
  if (!/^[[(]/.test(literal)) {
    const origin = arg.value.origin;
    if (origin?.kind !== 'constant' || !origin.range) return undefined;
    range = origin.range;
    literal = text.slice(doc.offset(range.start), doc.offset(range.end));
    if (!/^[[(]/.test(literal)) return undefined;
  }
  const base = doc.offset(range.start);
  const elements = splitElements(literal);
  if (elements.length !== items.length) return undefined;
  return elements.map(([s, e], i) => {
    const elText = literal.slice(s, e);
    const r = doc.range(base + s, base + e);
    if (elText.startsWith('*')) return { value: elText, range: r, rawRange: r, resolved: false };
    return elementArg(items[i], r, elText, doc);
  });
}

/** Top-level comma-separated elements of a list/tuple literal text, as [start, end) offsets. */
export function splitElements(literal: string): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let start = -1;
  const push = (end: number) => {
    if (start < 0) return;
    let s = start;
    let e = end;
    while (s < e && /\s/.test(literal[s])) s++;
    while (e > s && /\s/.test(literal[e - 1])) e--;
    if (e > s) out.push([s, e]);
    start = -1;
  };
  for (let i = 0; i < literal.length; i++) {
    const c = literal[i];
    if (c === '#') {
      const nl = literal.indexOf('\n', i);
      // A comment inside the list is not an element (comments in elements are rare; cut there).
      if (depth === 1) {
        push(i);
      }
      i = nl < 0 ? literal.length : nl;
      continue;
    }
    if (c === '"' || c === "'") {
      if (depth === 1 && start < 0) start = i;
      const triple = literal.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < literal.length && !literal.startsWith(q, j)) j += literal[j] === '\\' ? 2 : 1;
      i = j + q.length - 1;
      continue;
    }
    if (c === '[' || c === '(' || c === '{') {
      depth++;
      if (depth === 1) continue;
      if (depth === 2 && start < 0) start = i;
      continue;
    }
    if (c === ']' || c === ')' || c === '}') {
      depth--;
      if (depth === 0) {
        push(i);
        break;
      }
      continue;
    }
    if (depth === 1) {
      if (c === ',') push(i);
      else if (start < 0 && !/\s/.test(c)) start = i;
    }
  }
  return out;
}
