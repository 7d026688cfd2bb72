import type { Node } from 'web-tree-sitter';
import type { Range } from '../../engine/types';
import type { ArgItem, EnvOrigin, EnvVar } from '../../invocations/types';
import { parserFor } from '../tree-sitter';
import { MappedText, MappedTextBuilder } from '../text-map';

/**
 * The shell front-end: a bash/sh text (a script file, a Dockerfile RUN body, the script of
 * `bash -c "…"`, a k8s `args: ["-c", "…"]` item) parsed with tree-sitter-bash into simple commands
 * with their words' values and exact document ranges.
 *
 * - Words are decoded like the shell does (quotes removed, backslash escapes, `$'…'`), and
 *   variables are substituted when their value is known: assignments and `export`s earlier in the
 *   text (document order; branches are not told apart), the variables the caller passes in
 *   (Dockerfile ENV/ARG, k8s env), and `${VAR:-default}` defaults of unset variables. Command and
 *   process substitutions stay unresolved (`resolved: false`), and so do positional parameters.
 * - `A=1 cmd` prefixes, `export`/`declare -x`/`readonly` and plain assignments are environment
 *   definitions; each command sees the exported variables defined before it plus its prefixes.
 * - Commands inside `$(…)` / `<(…)` are commands too, marked with the kind of substitution.
 * - Pipelines are recorded (`curl … | sh` needs to know what a download is piped into).
 * - Time and size are bounded: a parse is cancelled after a time limit.
 */

export interface ShellWord extends ArgItem {
  /** The decoded value as a mapped text (for re-parsing `bash -c` scripts); set for every word. */
  mapped: MappedText;
}

export interface ShellCommand {
  /** Program and arguments (prefix assignments removed; wrappers such as `exec` are still here). */
  words: ShellWord[];
  /** `A=1 B=2 cmd`: assignments that apply to this command only. */
  prefix: EnvVar[];
  /**
   * Exported variables visible to the command (the caller's environment included), prefixes not
   * included. Computed when first read: a script with thousands of exports and commands stays linear.
   */
  readonly env: EnvVar[];
  range: Range;
  pipeline?: { id: number; index: number; length: number };
  substitution?: 'command' | 'process';
  /** The body of a `<<EOF` here-document redirected into this command. */
  heredoc?: MappedText;
}

export interface ShellScript {
  commands: ShellCommand[];
  /** Every `export`, `declare -x`, plain assignment and command prefix, once, in document order. */
  definitions: EnvVar[];
  /** The parse was cancelled (time limit) or the text has syntax errors. */
  incomplete: boolean;
}

/** A variable known when a command runs. */
export interface VarBinding {
  /** Undefined: the variable is set, but its value is not known (a secret, a substitution). */
  value?: string;
  exported: boolean;
  def?: EnvVar;
}

export interface ShellParseOptions {
  /** Variables visible before the first line (Dockerfile ENV/ARG, k8s env, an outer script's exports). */
  env?: ReadonlyMap<string, VarBinding>;
  /**
   * The environment the script inherits, when it is large or not computed yet (the script of a
   * `bash -c` inside a file with many exports): then `env` only needs the variables the script
   * refers to, and commands see `inherited()` plus the script's own exports.
   */
  inherited?: () => EnvVar[];
  /** Shared counter so that pipeline ids are unique across nested parses. */
  ids?: { next: number };
  /** Wall-clock bound for the parse; past it the parse is cancelled and nothing is returned. */
  timeLimitMs?: number;
}

const DEFAULT_TIME_LIMIT_MS = 2000;
/** Nodes visited per parse at most (a pathological text yields what was found up to here). */
const MAX_NODES = 2_000_000;

const STRING_ESCAPES = new Set(['"', '\\', '$', '`']);
const ANSI_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '0': '\0' };

export function parseShell(src: MappedText, options: ShellParseOptions = {}): ShellScript {
  const parser = parserFor('bash');
  const started = Date.now();
  const limit = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const walker = new Walker(src, options);
  let incomplete = false;
  // Large scripts are parsed in pieces cut at top-level line boundaries, each within the time left.
  for (const [start, end] of chunks(src.text)) {
    const piece = start === 0 && end === src.text.length ? src : src.sub(start, end);
    let tree;
    try {
      tree = parser.parse(piece.text, null, { progressCallback: () => Date.now() - started > limit });
    } finally {
      parser.reset();
    }
    if (!tree) {
      incomplete = true;
      break;
    }
    try {
      walker.use(piece);
      walker.visit(tree.rootNode);
      incomplete ||= tree.rootNode.hasError;
    } finally {
      tree.delete();
    }
  }
  return { commands: walker.commands, definitions: walker.definitions, incomplete: incomplete || walker.truncated };
}

/** Scripts up to this size are parsed in one piece. */
const CHUNK_CHARS = 256 * 1024;

/**
 * Pieces of a large script, cut before a line that starts a new top-level command: not indented,
 * and the previous line does not continue (`\`, `&&`, `|`, an open quote is not tracked — pieces
 * are a bound for pathological files, not a feature).
 */
function chunks(text: string): [number, number][] {
  if (text.length <= CHUNK_CHARS) return [[0, text.length]];
  const out: [number, number][] = [];
  let start = 0;
  while (text.length - start > CHUNK_CHARS) {
    let cut = -1;
    for (let nl = text.indexOf('\n', start + CHUNK_CHARS); nl !== -1 && nl < start + 4 * CHUNK_CHARS; nl = text.indexOf('\n', nl + 1)) {
      const prevStart = text.lastIndexOf('\n', nl - 1) + 1;
      const prev = text.slice(prevStart, nl).trimEnd();
      const next = text[nl + 1];
      if (next !== undefined && !/\s/.test(next) && !/(\\|&&|\|\||\||\bthen|\bdo|\belse|[{(])$/.test(prev) && !/^(fi|done|esac|else|elif|then|do|\}|\))\b/.test(text.slice(nl + 1, nl + 6))) {
        cut = nl + 1;
        break;
      }
    }
    if (cut < 0) break;
    out.push([start, cut]);
    start = cut;
  }
  out.push([start, text.length]);
  return out;
}

class Walker {
  readonly commands: ShellCommand[] = [];
  readonly definitions: EnvVar[] = [];
  truncated = false;
  private readonly vars: Map<string, VarBinding>;
  private readonly ids: { next: number };
  /** Every definition that left a variable exported, in order (latest wins); commands see a prefix of it. */
  private readonly exportLog: EnvVar[] = [];
  private readonly inherited: (() => EnvVar[]) | undefined;
  private readonly envByLength = new Map<number, EnvVar[]>();
  private visited = 0;
  /** Pipeline node id → our pipeline id and the position of each member. */
  private readonly pipelines = new Map<number, { id: number; index: Map<number, number>; length: number }>();

  constructor(private src: MappedText, options: ShellParseOptions) {
    this.vars = new Map(options.env ?? []);
    this.inherited = options.inherited;
    if (!this.inherited) for (const b of this.vars.values()) if (b.exported && b.def) this.exportLog.push(b.def);
    this.ids = options.ids ?? { next: 1 };
  }

  /** The text the next tree's positions refer to (a piece of a large script). */
  use(src: MappedText): void {
    this.src = src;
  }

  /**
   * Visit a subtree in document order. Iterative: `a && b && … && z` is a left-deep tree as deep as
   * the list is long (100,000 for a long RUN).
   */
  visit(root: Node, rootSubstitution?: 'command' | 'process'): void {
    // Parents travel with the nodes: tree-sitter's `node.parent` searches down from the root, which
    // is quadratic over a deep list.
    const stack: { n: Node; substitution?: 'command' | 'process'; parent?: Node; grand?: Node }[] = [{ n: root, substitution: rootSubstitution }];
    while (stack.length > 0) {
      const { n, substitution, parent, grand } = stack.pop()!;
      if (++this.visited > MAX_NODES) {
        this.truncated = true;
        return;
      }
      let childSubstitution = substitution;
      switch (n.type) {
        case 'comment':
        case 'heredoc_body':
        case 'test_command':
          continue;
        case 'command':
          this.command(n, substitution, parent, grand);
          continue;
        case 'declaration_command':
          this.declaration(n, substitution);
          continue;
        case 'variable_assignment':
          this.assignment(n, 'shell-assignment', false);
          continue;
        case 'command_substitution':
          childSubstitution = 'command';
          break;
        case 'process_substitution':
          childSubstitution = 'process';
          break;
        default:
          break;
      }
      const kids = n.namedChildren;
      for (let i = kids.length - 1; i >= 0; i--) {
        const c = kids[i];
        if (c) stack.push({ n: c, substitution: childSubstitution, parent: n, grand: parent });
      }
    }
  }

  private children(n: Node, substitution?: 'command' | 'process'): void {
    for (const c of n.namedChildren) if (c) this.visit(c, substitution);
  }

  private range(n: Node): Range {
    return this.src.range(n.startIndex, n.endIndex);
  }

  /** The exported environment as it is now, computed only if someone reads it (and shared by the commands that see the same one). */
  private envGetter(): () => EnvVar[] {
    const log = this.exportLog;
    const length = log.length;
    const inherited = this.inherited;
    const shared = this.envByLength;
    let memo: EnvVar[] | undefined;
    return () => {
      memo ??= shared.get(length);
      if (!memo) {
        if (length === 0 && inherited) return (memo = inherited());
        const latest = new Map<string, EnvVar>();
        for (const e of inherited?.() ?? []) latest.set(e.name, e);
        for (let i = 0; i < length; i++) {
          latest.delete(log[i].name);
          latest.set(log[i].name, log[i]);
        }
        memo = [...latest.values()];
        shared.set(length, memo);
      }
      return memo;
    };
  }

  private setVar(name: string, binding: VarBinding): void {
    const previous = this.vars.get(name);
    // `export X` after `X=1` exports the earlier value; `X=2` after `export X=1` stays exported.
    const next = { ...binding, exported: binding.exported || !!previous?.exported };
    this.vars.set(name, next);
    if (next.exported && next.def) this.exportLog.push(next.def);
  }

  /** `NAME=value`: records the definition; returns it (the caller decides whether it is a prefix). */
  private assignment(n: Node, origin: EnvOrigin, exported: boolean, record = true): EnvVar | undefined {
    const nameNode = n.childForFieldName('name') ?? n.namedChild(0);
    if (!nameNode || nameNode.type !== 'variable_name') return undefined;
    const valueNode = n.childForFieldName('value');
    const name = nameNode.text;
    const def: EnvVar = { name, range: this.range(n), nameRange: this.range(nameNode), origin };
    if (valueNode) {
      const w = this.word(valueNode);
      if (w.resolved) def.value = w.value;
      def.valueRange = w.range;
      if (/\$/.test(valueNode.text)) def.reference = true;
    } else {
      def.value = '';
    }
    if (valueNode) this.visitSubstitutions(valueNode);
    if (record) {
      this.definitions.push(def);
      this.setVar(name, { value: def.value, exported, def });
    }
    return def;
  }

  /** `export A=1 B`, `declare -x A=1`, `readonly A=1`, `local A=1`, `typeset`. */
  private declaration(n: Node, substitution?: 'command' | 'process'): void {
    const keyword = n.child(0)?.text ?? '';
    const flags = n.namedChildren.filter((c): c is Node => !!c && c.type === 'word' && c.text.startsWith('-')).map((c) => c.text);
    const exported = keyword === 'export' || flags.some((f) => /^-[a-zA-Z]*x/.test(f));
    const origin: EnvOrigin = exported ? 'shell-export' : 'shell-assignment';
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'variable_assignment') this.assignment(c, origin, exported);
      else if (c.type === 'variable_name' && exported) {
        // `export NAME` exports an earlier assignment.
        const b = this.vars.get(c.text);
        if (b) this.setVar(c.text, { ...b, exported: true, def: b.def ? { ...b.def, origin: 'shell-export' } : undefined });
      } else if (c.type !== 'word') this.visit(c, substitution);
    }
  }

  private command(n: Node, substitution: 'command' | 'process' | undefined, parent: Node | undefined, grand: Node | undefined): void {
    const children = n.namedChildren.filter((c): c is Node => !!c);
    const nameIndex = children.findIndex((c) => c.type === 'command_name');
    // tree-sitter-bash joins `A=1 B=2<newline>cmd` into one command: a line break that is not a
    // continuation ends the assignments' own statement.
    if (nameIndex > 0) {
      const lastAssign = children[nameIndex - 1];
      const between = this.src.text.slice(lastAssign.endIndex, children[nameIndex].startIndex);
      if (/(^|[^\\])\n/.test(between)) {
        for (const c of children.slice(0, nameIndex)) if (c.type === 'variable_assignment') this.assignment(c, 'shell-assignment', false);
        this.simpleCommand(n, children.slice(nameIndex), [], substitution, children[nameIndex].startIndex, parent, grand);
        return;
      }
    }
    const prefix: EnvVar[] = [];
    for (const c of children.slice(0, Math.max(nameIndex, 0))) {
      if (c.type !== 'variable_assignment') continue;
      const def = this.assignment(c, 'shell-prefix', true, false);
      if (def) {
        prefix.push(def);
        this.definitions.push(def);
      }
    }
    if (nameIndex < 0) {
      // Assignments only (`A=1 B=2`): they set shell variables.
      for (const def of prefix) this.setVar(def.name, { value: def.value, exported: false, def: { ...def, origin: 'shell-assignment' } });
      return;
    }
    this.simpleCommand(n, children.slice(nameIndex), prefix, substitution, n.startIndex, parent, grand);
  }

  private simpleCommand(n: Node, parts: Node[], prefix: EnvVar[], substitution: 'command' | 'process' | undefined, start: number, parentNode: Node | undefined, grand: Node | undefined): void {
    const words: ShellWord[] = [];
    for (const c of parts) {
      if (c.type === 'command_name') {
        const inner = c.namedChild(0);
        if (inner) words.push(this.word(inner));
      } else if (!c.type.endsWith('_redirect')) {
        words.push(this.word(c));
      }
    }
    // Commands in substitutions come after the command that holds them.
    const nested = () => {
      for (const c of parts) this.visitSubstitutions(c);
    };
    if (words.length === 0) return nested();
    const env = this.envGetter();
    const command = { words, prefix, range: this.src.range(start, n.endIndex) } as ShellCommand;
    Object.defineProperty(command, 'env', { get: env, enumerable: true });
    if (substitution) command.substitution = substitution;
    const pipeline = this.pipelineOf(n, parentNode, grand);
    if (pipeline) command.pipeline = pipeline;
    const heredoc = this.heredocOf(parentNode);
    if (heredoc) command.heredoc = heredoc;
    this.commands.push(command);
    nested();
  }

  /** Commands nested in a word: `$(…)`, `<(…)`, backticks. */
  private visitSubstitutions(n: Node): void {
    if (n.type === 'command_substitution') {
      this.children(n, 'command');
      return;
    }
    if (n.type === 'process_substitution') {
      this.children(n, 'process');
      return;
    }
    for (const c of n.namedChildren) if (c) this.visitSubstitutions(c);
  }

  private pipelineOf(n: Node, parentNode: Node | undefined, grand: Node | undefined): ShellCommand['pipeline'] {
    let member = n;
    let parent = parentNode;
    if (parent?.type === 'redirected_statement') {
      member = parent;
      parent = grand;
    }
    if (parent?.type !== 'pipeline') return undefined;
    let p = this.pipelines.get(parent.id);
    if (!p) {
      const members = parent.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      p = { id: this.ids.next++, index: new Map(members.map((m, i) => [m.id, i])), length: members.length };
      this.pipelines.set(parent.id, p);
    }
    return { id: p.id, index: p.index.get(member.id) ?? 0, length: p.length };
  }

  private heredocOf(parent: Node | undefined): MappedText | undefined {
    if (parent?.type !== 'redirected_statement') return undefined;
    for (const r of parent.namedChildren) {
      if (r?.type !== 'heredoc_redirect') continue;
      const body = r.namedChildren.find((c) => c?.type === 'heredoc_body');
      if (body) return this.src.sub(body.startIndex, body.endIndex);
    }
    return undefined;
  }

  // ---- words ---------------------------------------------------------------------------------

  /** Decode a word node: value, document range (without surrounding quotes) and whether it is fully known. */
  word(n: Node): ShellWord {
    const b = new MappedTextBuilder(this.src.doc);
    const state = { resolved: true };
    this.decode(n, b, state, 0);
    const mapped = b.build();
    let start = n.startIndex;
    let end = n.endIndex;
    if ((n.type === 'string' || n.type === 'raw_string') && end - start >= 2) {
      start += 1;
      end -= 1;
    } else if (n.type === 'ansi_c_string' && end - start >= 3) {
      start += 2;
      end -= 1;
    }
    const range = this.src.range(start, end);
    const text = this.src.text.slice(start, end);
    const verbatim = state.resolved && mapped.text === text && this.src.contiguous(start, end);
    return { value: mapped.text, range, rawRange: this.range(n), resolved: state.resolved, mapped, ...(verbatim ? { verbatim: true } : {}) };
  }

  private decode(n: Node, b: MappedTextBuilder, state: { resolved: boolean }, depth: number): void {
    if (depth > 32) {
      state.resolved = false;
      return;
    }
    switch (n.type) {
      case 'word':
      case 'number':
      case 'variable_name':
        this.unescapeWord(n.startIndex, n.endIndex, b);
        return;
      case 'raw_string':
        this.verbatim(n.startIndex + 1, Math.max(n.startIndex + 1, n.endIndex - 1), b);
        return;
      case 'ansi_c_string':
        this.ansiC(n.startIndex + 2, Math.max(n.startIndex + 2, n.endIndex - 1), b);
        return;
      case 'string': {
        // Children are the content pieces; text between them (not covered by a child) is literal.
        let pos = n.startIndex + 1;
        const end = Math.max(pos, n.endIndex - 1);
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.startIndex > pos) this.unescapeString(pos, c.startIndex, b);
          if (c.type === 'string_content') this.unescapeString(c.startIndex, c.endIndex, b);
          else this.decode(c, b, state, depth + 1);
          pos = c.endIndex;
        }
        if (end > pos) this.unescapeString(pos, end, b);
        return;
      }
      case 'concatenation':
        for (const c of n.children) {
          if (!c) continue;
          if (c.isNamed) this.decode(c, b, state, depth + 1);
          else this.unescapeWord(c.startIndex, c.endIndex, b);
        }
        return;
      case 'simple_expansion':
      case 'expansion':
        this.expansion(n, b, state, depth);
        return;
      default:
        // Command/process substitution, arithmetic, brace expressions, …: kept as written, unresolved.
        state.resolved = false;
        this.verbatim(n.startIndex, n.endIndex, b);
    }
  }

  private verbatim(start: number, end: number, b: MappedTextBuilder): void {
    if (end <= start) return;
    b.addMapped(this.src, start, end);
  }

  /** Unquoted text: `\x` is x; backslash-newline is nothing. */
  private unescapeWord(start: number, end: number, b: MappedTextBuilder): void {
    const t = this.src.text;
    let run = start;
    for (let i = start; i < end; i++) {
      if (t[i] !== '\\') continue;
      if (i > run) b.addMapped(this.src, run, i);
      if (i + 1 < end && t[i + 1] !== '\n') b.addMapped(this.src, i + 1, i + 2);
      i++;
      run = i + 1;
    }
    if (end > run) b.addMapped(this.src, run, end);
  }

  /** Double-quoted text: only `\"`, `\\`, `\$`, `` \` `` and backslash-newline are escapes. */
  private unescapeString(start: number, end: number, b: MappedTextBuilder): void {
    const t = this.src.text;
    let run = start;
    for (let i = start; i < end - 1; i++) {
      if (t[i] !== '\\') continue;
      const next = t[i + 1];
      if (!STRING_ESCAPES.has(next) && next !== '\n') continue;
      if (i > run) b.addMapped(this.src, run, i);
      if (next !== '\n') b.addMapped(this.src, i + 1, i + 2);
      i++;
      run = i + 1;
    }
    if (end > run) b.addMapped(this.src, run, end);
  }

  private ansiC(start: number, end: number, b: MappedTextBuilder): void {
    const t = this.src.text;
    for (let i = start; i < end; i++) {
      if (t[i] === '\\' && i + 1 < end && ANSI_ESCAPES[t[i + 1]] !== undefined) {
        b.addAt(ANSI_ESCAPES[t[i + 1]], this.src.docOffset(i));
        i++;
      } else {
        b.addMapped(this.src, i, i + 1);
      }
    }
  }

  /** `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:=default}`. */
  private expansion(n: Node, b: MappedTextBuilder, state: { resolved: boolean }, depth: number): void {
    const unresolved = () => {
      state.resolved = false;
      this.verbatim(n.startIndex, n.endIndex, b);
    };
    const named = n.namedChildren.filter((c): c is Node => !!c);
    const nameNode = named[0];
    if (!nameNode || nameNode.type !== 'variable_name') return unresolved();
    const text = n.text;
    const name = nameNode.text;
    const binding = this.vars.get(name);
    if (n.type === 'simple_expansion' || /^\$\{\w+\}$/.test(text)) {
      if (binding?.value !== undefined) b.addSpanning(binding.value, this.src.docOffset(n.startIndex), this.src.docOffset(n.endIndex - 1) + 1);
      else unresolved();
      return;
    }
    // ${NAME<op>word}
    const op = /^\$\{\w+(:?[-=+?])/.exec(text)?.[1];
    if (!op) return unresolved();
    const defaultNode = named[1];
    const useDefault = () => {
      if (!defaultNode) return; // `${X:-}`: empty
      this.decode(defaultNode, b, state, depth + 1);
    };
    const set = binding !== undefined;
    const empty = binding?.value === '';
    switch (op) {
      case ':-':
      case ':=':
        if (set && binding.value === undefined) return unresolved();
        if (set && !empty) b.addSpanning(binding.value!, this.src.docOffset(n.startIndex), this.src.docOffset(n.endIndex - 1) + 1);
        else useDefault();
        return;
      case '-':
      case '=':
        if (set && binding.value === undefined) return unresolved();
        if (set) b.addSpanning(binding.value!, this.src.docOffset(n.startIndex), this.src.docOffset(n.endIndex - 1) + 1);
        else useDefault();
        return;
      case ':?':
      case '?':
        if (binding?.value !== undefined) b.addSpanning(binding.value, this.src.docOffset(n.startIndex), this.src.docOffset(n.endIndex - 1) + 1);
        else unresolved();
        return;
      default:
        return unresolved();
    }
  }
}
