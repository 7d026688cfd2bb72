import { Query, type Node } from 'web-tree-sitter';
import type { Range, TextEdit } from '../../engine/types';
import { grammar } from '../tree-sitter';
import { ChunkedTree, PARSE_TIME_LIMIT_MS, pointAt, type TextEditSpan } from './chunked-tree';
import type { ParseCache } from './parse-cache';
import { sameValue, UNKNOWN, type PyValue, type ValueOrigin } from './values';
import { BindingSites } from './binding-sites';
import { isWordChar, NL, SPACE, TAB } from './lexer';
import { pythonCodeText } from './code-text';

/**
 * The Python front-end: parses a file with tree-sitter and answers questions the rules ask —
 * which calls resolve to which qualified names, and what their arguments are known to be.
 * Strings, comments and docstrings are never calls, so they never produce findings.
 */

export interface ArgFact {
  /** The value's static resolution. */
  value: PyValue;
  /** Range of the value expression. */
  range: Range;
  /** Source text of the value expression. */
  text: string;
  /** For keyword arguments: the whole `name=value` range (for edits that remove it). */
  itemRange: Range;
  /** True when the keyword came from a `**{...}` / `**dict(...)` expansion. */
  fromSplat?: boolean;
}

export interface CallFact {
  range: Range;
  /** The callee expression. */
  calleeRange: Range;
  calleeText: string;
  /** The last identifier of the callee (`load` in `torch.load`). */
  nameRange: Range;
  /** Fully qualified name when the callee resolves through imports, e.g. `torch.load`. */
  qname?: string;
  /** For `x.method(...)`: `method`. */
  methodName?: string;
  /** For `x.method(...)`: what `x` is known to be. */
  receiver?: PyValue;
  /** Qualified class names `x` is known to be or derive from (classes, instances, local subclasses). */
  receiverTypes: string[];
  /** The argument list `( … )`. */
  argumentsRange: Range;
  /** Source text of the argument list, for cheap textual pre-checks before evaluating arguments. */
  argumentsText: string;
  positional: ArgFact[];
  keywords: Map<string, ArgFact>;
  /** A `**kwargs` / `*args` whose content is not known: any keyword may be hidden in it. */
  hasOpaqueSplat: boolean;
  /** Qualified names of the context managers of `with` statements that enclose the call. */
  enclosingWith: string[];
  /** Name of the innermost enclosing function, if any. */
  enclosingFunction?: string;
  /** 0-based line of the call start. */
  line: number;
}

export interface EnvAssignment { name: string; value: PyValue; range: Range; valueRange: Range }
export interface AttributeAssignment { target: string; range: Range }

export interface PythonFacts {
  readonly text: string;
  /** All calls, in document order. */
  readonly calls: CallFact[];
  /** `os.environ[...] = …`, `os.environ.setdefault(…)`, `os.putenv(…)`, `os.environ.update({...})`. */
  readonly envAssignments: EnvAssignment[];
  /** Assignments whose target is an attribute of an imported module (`mod.attr = …`), by qualified target. */
  readonly attributeAssignments: AttributeAssignment[];
  /** Local classes and the transitive qualified names of their bases. */
  classBases(name: string): string[];
  /** Whether the tree has syntax errors (rules still run on what parsed). */
  readonly hasSyntaxErrors: boolean;
  /** An edit that inserts `argument` (e.g. `weights_only=True`) as the last argument of `call`. */
  appendArgumentEdit(call: CallFact, argument: string): TextEdit;
  /** An edit that removes a keyword argument together with its separating comma. */
  removeArgumentEdit(call: CallFact, arg: ArgFact): TextEdit;
  /** Release the syntax tree unless a parse cache owns it. */
  dispose(): void;
}


let callQuery: Query | undefined;
/** Every call, and every assignment to an attribute or a subscript (`mod.attr = …`, `os.environ[k] = …`). */
function allCallsQuery(): Query {
  callQuery ??= new Query(grammar('python'), '(call) @call (assignment left: (attribute)) @attribute (assignment left: (subscript)) @subscript');
  return callQuery;
}

const MAX_EVAL_DEPTH = 24;
/** How far a word occurrence is followed up the tree to the calls around it. */
const MAX_CLIMB = 64;
function escapeRegExp(w: string): string {
  return w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A trigger word as a part of a name: in `torch.load`, `safe_load`, `load_file`, `loadModel` and
 * (a plural `s`) `loads`, but not in `loader`, `download` or `payload`. A word that begins or ends
 * with a lowercase letter must not continue a lowercase run there, so rules list the longer names
 * they mean (`execvp`). Words in other shapes (`YAML`, `hf://`) match anywhere.
 */
export function namePartPattern(word: string): string {
  const lower = (c: string) => c >= 'a' && c <= 'z';
  const before = lower(word[0]) ? '(?<![a-z])' : '';
  const after = lower(word[word.length - 1]) ? '(?!s[a-z])(?![a-rt-z])' : '';
  return `${before}${escapeRegExp(word)}${after}`;
}

/**
 * The occurrences of `pattern` (global) in `text[start, end)` worth climbing from, as pairs
 * (position relative to `start`, 1 for the front-end's own `environ` word else 0). Depends on
 * that span of the text alone.
 */
function wordOccurrences(text: string, start: number, end: number, pattern: RegExp, builtinEnviron: boolean): number[] {
  const out: number[] = [];
  // Searched in the chunk's own text: a search of the whole text from the chunk's start would run
  // on to the next occurrence, wherever it is (quadratic over many chunks without one).
  const chunk = text.slice(start, end);
  for (const m of chunk.matchAll(pattern)) {
    const at = m.index!;
    const builtin = builtinEnviron && m[0] === 'environ';
    // Of `environ` only subscripts, setdefault/update and the bare object (`env = os.environ`) can set variables.
    if (builtin && !ENVIRON_USE.test(chunk.slice(at + 7, at + 40))) continue;
    // The name a `def` or `class` statement defines is part of no call or assignment: the climb
    // would stop at the definition. Skipping it saves parsing every `def load_…` body.
    if (definedNameAt(chunk, at)) continue;
    out.push(at, builtin ? 1 : 0);
  }
  return out;
}

/** A line that starts an import, a class or a function (`async def` included). */
interface DeclarationLine {
  /** Where the keyword is, relative to the span's start. */
  at: number;
  keyword: 'import' | 'class' | 'def';
  /** Columns of indentation before the keyword. */
  indent: number;
  /** The name after `class`/`def` (the module after `import`/`from`, unused). */
  name?: string;
}

/** The import, class and def lines of `text[start, end)`, in order: a span of whole top-level statements. */
function declarationLines(text: string, start: number, end: number): DeclarationLine[] {
  const out: DeclarationLine[] = [];
  for (const m of text.slice(start, end).matchAll(/^([ \t]*)(from|import|class|async[ \t]+def|def)[ \t]+([A-Za-z_]\w*)?/gm)) {
    const kw = m[2];
    const keyword = kw === 'from' || kw === 'import' ? 'import' : kw === 'class' ? 'class' : 'def';
    out.push({ at: m.index! + m[1].length, keyword, indent: m[1].length, name: m[3] });
  }
  return out;
}

/**
 * Whether the name around `index` is the one a `def` or `class` statement defines: the keyword
 * begins its line (after indentation or `async`) and blanks separate it from the name.
 */
export function definedNameAt(text: string, index: number): boolean {
  let s = index;
  while (s > 0 && isWordChar(text.charCodeAt(s - 1))) s--;
  let k = s;
  while (k > 0 && (text.charCodeAt(k - 1) === SPACE || text.charCodeAt(k - 1) === TAB)) k--;
  if (k === s) return false;
  const keyword = text.startsWith('def', k - 3) ? 3 : text.startsWith('class', k - 5) ? 5 : 0;
  if (keyword === 0) return false;
  let b = k - keyword;
  // Before the keyword: only indentation, or `async` and indentation.
  while (b > 0 && (text.charCodeAt(b - 1) === SPACE || text.charCodeAt(b - 1) === TAB)) b--;
  if (keyword === 3 && b !== k - keyword && text.startsWith('async', b - 5)) {
    b -= 5;
    while (b > 0 && (text.charCodeAt(b - 1) === SPACE || text.charCodeAt(b - 1) === TAB)) b--;
  }
  return b === 0 || text.charCodeAt(b - 1) === NL;
}

/** How far a node is followed up the tree to find its scope. */
const MAX_SCOPE_CLIMB = 400;

export interface BuildOptions {
  cache?: ParseCache;
  key?: string;
  /**
   * Words whose occurrences locate the calls the rules care about (their trigger words). When
   * omitted, every call of the file is collected.
   */
  callWords?: readonly string[];
}

export function buildPythonFacts(text: string, options: BuildOptions = {}): PythonFacts {
  const trees = chunkedTree(text, options);
  const owned = !(options.cache && options.key);
  try {
    return new PythonFile(text, trees, owned, options.callWords);
  } catch (e) {
    if (owned) trees.dispose();
    throw e;
  }
}

/**
 * The words `present` finds in the code of a Python text (comments and docstrings removed, see
 * pythonCodeText), computed per top-level chunk and kept with each chunk across edits, so that
 * after an edit only the edited chunk is looked at again. `slot` names `present` (one per word
 * list). Worth it with a parse cache (an editor's open documents); without one, lexing the whole
 * text at once is cheaper.
 */
export function wordsInCode(text: string, options: Pick<BuildOptions, 'cache' | 'key'>, slot: string, present: (code: string) => Set<string>): Set<string> {
  const trees = chunkedTree(text, options);
  const words = new Set<string>();
  try {
    const find = (t: string, start: number, end: number) => present(pythonCodeText(t.slice(start, end)));
    for (let k = 0; k < trees.chunkCount; k++) for (const w of trees.chunkValue(k, slot, find)) words.add(w);
  } finally {
    if (!options.cache || !options.key) trees.dispose();
  }
  return words;
}

/** The chunked syntax of `text`: from the parse cache (moved by the edit since) or new, parsed on demand. */
function chunkedTree(text: string, options: BuildOptions): ChunkedTree {
  const cached = options.cache && options.key ? options.cache.get(options.key) : undefined;
  let trees: ChunkedTree;
  if (cached && cached.text === text) trees = cached;
  else if (cached) trees = cached.edited(text, diffEdit(cached.text, text));
  else trees = ChunkedTree.of(text);
  if (options.cache && options.key && trees !== cached) options.cache.set(options.key, trees);
  return trees;
}

/** One edit describing the change between two texts (common prefix and suffix kept). */
function diffEdit(oldText: string, newText: string): TextEditSpan {
  let start = 0;
  const minLen = Math.min(oldText.length, newText.length);
  // Whole blocks first (native comparisons), then character by character.
  const BLOCK = 4096;
  while (start + BLOCK <= minLen && oldText.slice(start, start + BLOCK) === newText.slice(start, start + BLOCK)) start += BLOCK;
  while (start < minLen && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  let oldEnd = oldText.length;
  let newEnd = newText.length;
  while (oldEnd - BLOCK >= start && newEnd - BLOCK >= start && oldText.slice(oldEnd - BLOCK, oldEnd) === newText.slice(newEnd - BLOCK, newEnd)) {
    oldEnd -= BLOCK;
    newEnd -= BLOCK;
  }
  while (oldEnd > start && newEnd > start && oldText.charCodeAt(oldEnd - 1) === newText.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(oldText, start),
    oldEndPosition: pointAt(oldText, oldEnd),
    newEndPosition: pointAt(newText, newEnd),
  };
}

export function nodeRange(n: Node): Range {
  return {
    start: { line: n.startPosition.row, character: n.startPosition.column },
    end: { line: n.endPosition.row, character: n.endPosition.column },
  };
}

/**
 * A name scope (the module or a function). Its bindings are found on demand: only the names the
 * rules actually ask about are ever looked up, by searching the scope's text for the name.
 */
class Scope {
  private readonly assignedCache = new Map<string, (Node | null)[] | undefined>();
  private paramsCache?: Map<string, Node | null>;

  constructor(
    private readonly file: PythonFile,
    readonly kind: 'module' | 'function',
    readonly start: number,
    readonly end: number,
    readonly node?: Node,
    readonly parent?: Scope,
    readonly name?: string,
  ) {}

  /** Value expressions assigned to `name` in this scope (`null` marks an opaque rebinding); undefined when never bound here. */
  assigned(name: string): (Node | null)[] | undefined {
    if (!this.assignedCache.has(name)) this.assignedCache.set(name, this.file.findBindings(this, name));
    return this.assignedCache.get(name);
  }

  /** Parameter name → default value node (null when the parameter has no default). */
  params(): Map<string, Node | null> {
    return (this.paramsCache ??= this.node ? collectParams(this.node.childForFieldName('parameters')) : new Map());
  }
}

interface ArgparseOption { dest: string; flag: string; value: PyValue }

const PATH_CONSTRUCTORS = new Set([
  'pathlib.Path', 'pathlib.PurePath', 'pathlib.PosixPath', 'pathlib.WindowsPath', 'pathlib.PurePosixPath', 'pathlib.PureWindowsPath',
  'os.path.join', 'os.path.abspath', 'os.path.realpath', 'os.path.expanduser', 'os.path.normpath', 'os.path.dirname',
  'os.getcwd', 'tempfile.mkdtemp', 'tempfile.gettempdir', 'posixpath.join', 'ntpath.join', 'pathlib.Path.home', 'pathlib.Path.cwd',
]);
/** Names of a file's own function that wraps `parser.parse_args()`. */
const LOCAL_PARSE_ARGS = /^(parse_(known_)?args|parse_arguments|parse_cli(_args)?|get_args|get_cli_args|get_arguments)$/;
/** Calls whose result is (a wrapper of) a function or module named in their arguments. */
const FUNCTION_WRAPPERS = /(^|\.)\s*(partial|partialmethod|getattr|wraps|import_module|__import__|staticmethod|classmethod|lru_cache|cache)$/;
/** What follows `environ` where it may set variables: `[k] = v`, `.setdefault(`, `.update(`, or the object itself (`env = os.environ`). */
const ENVIRON_USE = /^\s*(?:\[|\.\s*(?:setdefault|update)\b|[\n\r;),#]|$)/;
/** `….environ.setdefault` / `….environ.update`: calls that set environment variables. */
const ENV_UPDATE_CALLEE = /environ\s*\.\s*(setdefault|update)$/;
const PATH_METHODS = new Set(['joinpath', 'with_suffix', 'with_name', 'resolve', 'absolute', 'expanduser', 'parent', 'with_stem']);

class PythonFile implements PythonFacts {
  readonly calls: CallFact[] = [];
  readonly envAssignments: EnvAssignment[] = [];
  readonly attributeAssignments: AttributeAssignment[] = [];

  private readonly trees: ChunkedTree;
  private readonly imports = new Map<string, string>();
  /** Where each class of the file is defined (the `class` keyword); its node is fetched on demand. */
  private readonly classPositions = new Map<string, number>();
  private readonly classNodes = new Map<string, Node | undefined>();
  /** Names of module-level functions. */
  private readonly functions = new Set<string>();
  private readonly module: Scope;
  private readonly functionScopes = new Map<number, Scope>();
  private argparse?: Map<string, ArgparseOption>;
  private readonly classBaseCache = new Map<string, string[]>();

  constructor(readonly text: string, trees: ChunkedTree, private readonly owned: boolean, callWords?: readonly string[]) {
    this.trees = trees;
    this.module = new Scope(this, 'module', 0, text.length);
    this.collectDeclarations();
    this.collectCalls(callWords);
  }

  get hasSyntaxErrors(): boolean {
    return this.trees.hasError;
  }

  dispose(): void {
    if (this.owned) this.trees.dispose();
  }

  // ---- collection --------------------------------------------------------------------------
  //
  // Walking or querying a whole tree from JavaScript costs tens of milliseconds on a large file
  // (every node crosses the wasm boundary). Instead the text is searched for the few words that
  // matter and only the syntax around each hit is examined, so the cost follows the number of
  // relevant places, not the size of the file.

  /**
   * Imports (examined now: every name resolution needs them), classes (their position only; the
   * node is fetched when a class is asked about) and module-level functions (a `def` at column 0:
   * the name is all that is needed), located by their keywords at the start of a line.
   */
  private collectDeclarations(): void {
    const seen = new Set<number>();
    for (let k = 0; k < this.trees.chunkCount; k++) {
      const base = this.trees.startOf(k);
      for (const d of this.trees.chunkValue(k, 'declarations', declarationLines)) {
        const at = base + d.at;
        if (d.keyword === 'class') {
          if (d.name && !this.classPositions.has(d.name)) this.classPositions.set(d.name, at);
          continue;
        }
        if (d.keyword === 'def') {
          if (d.indent === 0 && d.name) this.functions.add(d.name);
          continue;
        }
        const node = this.statementAt(at, ['import_statement', 'import_from_statement']);
        if (!node || seen.has(node.id)) continue;
        seen.add(node.id);
        this.collectImport(node, node.type === 'import_from_statement');
      }
    }
  }

  /** The class_definition node of a class of this file, if any. */
  private classNode(name: string): Node | undefined {
    if (!this.classNodes.has(name)) {
      const at = this.classPositions.get(name);
      this.classNodes.set(name, at === undefined ? undefined : this.statementAt(at, ['class_definition']));
    }
    return this.classNodes.get(name);
  }

  /** The node of one of `types` that starts at `index` (a keyword at the start of a statement). */
  private statementAt(index: number, types: string[]): Node | undefined {
    let n: Node | null = this.trees.nodeAt(index);
    for (let depth = 0; n && depth < 4; depth++, n = n.parent) {
      if (types.includes(n.type)) return n.startIndex === index || n.type === 'function_definition' ? n : undefined;
    }
    return undefined;
  }

  /**
   * Calls near an occurrence of one of `callWords` (the rules' trigger words), of names bound to
   * something that contains one, plus every `add_argument` call (argparse defaults) and `os.environ`
   * assignment. Without words (direct use of the front-end), every call of the file.
   */
  private collectCalls(callWords?: readonly string[]): void {
    const found = new Map<number, Node>();
    const envNodes = new Map<number, Node>();
    const attrNodes = new Map<number, Node>();
    if (!callWords) {
      // Every call: one query over the tree (linear, even for pathologically deep nesting).
      const started = Date.now();
      for (let k = 0; k < this.trees.chunkCount; k++) {
        for (const { name, node } of allCallsQuery().captures(this.trees.root(k), { progressCallback: () => Date.now() - started > PARSE_TIME_LIMIT_MS })) {
          (name === 'call' ? found : name === 'attribute' ? attrNodes : envNodes).set(node.id, node);
        }
      }
    }
    const ruleWords = new Set<string>(callWords ?? []);
    // `add_argument` calls are located when an argparse value is asked for (argparseOptions).
    const words = new Set<string>([...ruleWords, 'environ']);
    const aliasWords = new Set<string>();
    const scan = (list: Iterable<string>, wholeWords: boolean) => {
      const alternatives = [...list].filter((w) => w.length > 0).map((w) => (wholeWords ? escapeRegExp(w) : namePartPattern(w)));
      if (alternatives.length === 0) return;
      // A trigger word matches as a part of a name (`load` in `torch_load`); an alias is a whole name.
      const pattern = new RegExp(wholeWords ? `(?<![\\w.])(?:${alternatives.join('|')})(?!\\w)` : alternatives.join('|'), 'g');
      const builtinEnviron = !wholeWords && !ruleWords.has('environ');
      // The occurrences are found per chunk and kept with it: after an edit only the edited chunk is searched again.
      const slot = `${builtinEnviron ? 'e' : 'w'}:${pattern.source}`;
      const search = (text: string, start: number, end: number) => wordOccurrences(text, start, end, pattern, builtinEnviron);
      for (let k = 0; k < this.trees.chunkCount; k++) {
        const hits = this.trees.chunkValue(k, slot, search);
        const base = this.trees.startOf(k);
        for (let h = 0; h < hits.length; h += 2) this.climbFrom(base + hits[h], found, envNodes, attrNodes, aliasWords, hits[h + 1] === 1);
      }
    };
    scan(words, false);
    // Names bound to something that mentions a word (`from pickle import loads as deser`, `fn = torch.load`).
    if (callWords) {
      for (const [alias, qname] of this.imports) if (!words.has(alias) && [...words].some((w) => qname.includes(w))) aliasWords.add(alias);
      const extra = [...aliasWords].filter((w) => !words.has(w) && /^[A-Za-z_]\w*$/.test(w));
      if (extra.length) scan(extra, true);
    }
    for (const node of [...envNodes.values()]) this.collectEnvSubscriptAssignment(node);
    for (const node of [...attrNodes.values()]) this.collectAttributeAssignment(node);
    const calls = [...found.values()].sort((a, b) => a.startIndex - b.startIndex);
    for (const node of calls) {
      const fact = this.callFact(node, this.scopeOfNode(node));
      if (fact) this.calls.push(fact);
    }
  }

  /**
   * From a word occurrence, collect the calls and assignments it takes part in, up to its statement.
   * The front-end's own word `environ` (`builtin`, when no rule asked for it) is narrower: only the
   * `os.environ[k] = v` assignments and `os.environ.setdefault/update(...)` calls matter (not every
   * `os.environ.get(...)`).
   */
  private climbFrom(index: number, calls: Map<number, Node>, envNodes: Map<number, Node>, attrNodes: Map<number, Node>, aliasWords: Set<string>, builtin = false): void {
    let child: Node | null = null;
    let depth = 0;
    // Once the climb has passed a call through its callee (`json.loads(x)` in `rows.append(json.loads(x))`,
    // `a = pickle.loads(x)`), what encloses that call only sees its result: no enclosing call or
    // assigned name is about the word. (A word in the arguments, `partial(torch.load)`,
    // `f(trust_remote_code=True)`, does make the enclosing call and its name relevant.)
    let result = false;
    // A name assigned from a call's result is followed only when the call returns what it is given
    // as a function (`load = partial(torch.load, …)`, `getattr(pickle, "loads")`), not for
    // `path = os.path.join(root, "config.yaml")`.
    let aliasable = true;
    for (let n: Node | null = this.trees.nodeAt(index); n && depth < MAX_CLIMB; child = n, n = n.parent, depth++) {
      const t = n.type;
      if (t === 'comment') return; // prose; strings do count (hf:// URIs, env names, patch targets)
      if (t === 'call') {
        if (result) return;
        if (builtin) {
          const callee = child !== null && child.type !== 'argument_list' && child.type !== 'generator_expression' ? child : undefined;
          if (callee && ENV_UPDATE_CALLEE.test(this.text.slice(callee.startIndex, callee.endIndex))) calls.set(n.id, n);
          return;
        }
        calls.set(n.id, n);
        result = child !== null && child.type !== 'argument_list' && child.type !== 'generator_expression';
        if (aliasable && !result) {
          const fn = n.childForFieldName('function');
          aliasable = fn !== null && FUNCTION_WRAPPERS.test(this.text.slice(fn.startIndex, fn.endIndex));
        }
      } else if (t === 'assignment' && child) {
        const left = n.childForFieldName('left');
        if (left && child.startIndex >= left.startIndex && child.endIndex <= left.endIndex) {
          if (left.type === 'subscript') envNodes.set(n.id, n);
          else if (left.type === 'attribute') attrNodes.set(n.id, n);
        } else if (left?.type === 'identifier' && !result && aliasable) {
          aliasWords.add(left.text);
        }
      }
      // Calls never span statements: stop at the statement (or block) that holds the occurrence.
      if (t.endsWith('_statement') || t === 'module' || t === 'block' || t === 'function_definition' || t === 'class_definition' || t === 'decorated_definition') return;
    }
  }

  /** The scope a node belongs to: the innermost function whose body contains it (parameter defaults belong outside). */
  scopeOfNode(n: Node): Scope {
    return this.scopeAtIndex(n.startIndex);
  }

  /**
   * The innermost function whose body contains `index`, found from the text: `def` lines are
   * scanned upward from the index and only checked against the tree when their indentation allows
   * them to enclose it. (Following `.parent` links instead costs O(depth) per step in tree-sitter,
   * which is quadratic on deeply nested input.)
   */
  private scopeAtIndex(index: number): Scope {
    // A function never spans top-level statements: only the defs of the index's own chunk can enclose it.
    const chunk = this.trees.chunkOf(index);
    const base = this.trees.startOf(chunk);
    const defs = this.trees.chunkValue(chunk, 'defs', () => this.trees.chunkValue(chunk, 'declarations', declarationLines).filter((d) => d.keyword === 'def'));
    // The defs before the index.
    let lo = 0;
    let hi = defs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (base + defs[mid].at < index) lo = mid + 1;
      else hi = mid;
    }
    let bound = Infinity;
    for (let k = lo - 1; k >= 0 && bound > 0; k--) {
      const d = defs[k];
      if (d.indent >= bound) continue;
      const info = this.defInfo(base + d.at);
      if (info && index >= info.bodyStart && index < info.end) return this.functionScope(info.node);
      // A def at this indentation that does not enclose the index: nothing above it at the same or deeper indentation can.
      bound = d.indent;
    }
    return this.module;
  }

  private readonly defInfos = new Map<number, { node: Node; bodyStart: number; end: number } | null>();
  private defInfo(index: number): { node: Node; bodyStart: number; end: number } | null {
    if (!this.defInfos.has(index)) {
      const fn = this.statementAt(index, ['function_definition']);
      const body = fn?.childForFieldName('body');
      this.defInfos.set(index, fn && body ? { node: fn, bodyStart: body.startIndex, end: fn.endIndex } : null);
    }
    return this.defInfos.get(index)!;
  }

  private functionScope(fn: Node): Scope {
    let s = this.functionScopes.get(fn.id);
    if (!s) {
      s = new Scope(this, 'function', fn.startIndex, fn.endIndex, fn, this.scopeOfNode(fn), fn.childForFieldName('name')?.text);
      this.functionScopes.set(fn.id, s);
    }
    return s;
  }

  /**
   * Where `name` is bound in `scope`: the name's binding-like occurrences (see bindingSites) inside
   * the scope's text are examined, and those in binding positions of this very scope are kept.
   */
  findBindings(scope: Scope, name: string): (Node | null)[] | undefined {
    const out: (Node | null)[] = [];
    // A function scope lies within one chunk; the module's spans them all.
    const last = this.trees.chunkOf(Math.max(scope.start, scope.end - 1));
    for (let k = this.trees.chunkOf(scope.start); k <= last; k++) {
      const sites = this.trees.chunkValue(k, 'bindingSites', (text, start, end) => BindingSites.of(text, start, end));
      for (const at of sites.positions(name, this.text, this.trees.startOf(k))) {
        if (at < scope.start || at >= scope.end) continue;
        const id = this.trees.nodeAt(at, at + name.length);
        if (!id || id.type !== 'identifier' || id.startIndex !== at) continue;
        const binding = bindingOf(id);
        if (binding === undefined) continue;
        if (this.scopeOfNode(id) !== scope) continue;
        out.push(binding);
      }
    }
    return out.length ? out : undefined;
  }

  /** Qualified names of the context managers of the `with` statements whose body holds `node`. */
  enclosingWith(node: Node): string[] {
    const out: string[] = [];
    let depth = 0;
    for (let p = node.parent; p && ++depth < MAX_SCOPE_CLIMB; p = p.parent) {
      if (p.type !== 'with_statement') continue;
      const body = p.childForFieldName('body');
      if (!body || node.startIndex < body.startIndex || node.endIndex > body.endIndex) continue;
      for (const c of this.withContextNodes(p)) {
        const fn = c.childForFieldName('function');
        const q = fn ? this.exprQname(fn, this.scopeOfNode(c)) : undefined;
        if (q) out.push(q);
      }
    }
    return out;
  }

  private withContextNodes(withNode: Node): Node[] {
    const out: Node[] = [];
    const clause = withNode.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      let v = item?.childForFieldName('value') ?? null;
      if (v?.type === 'as_pattern') v = v.namedChild(0);
      if (v?.type === 'call') out.push(v);
    }
    return out;
  }

  private collectImport(node: Node, isFrom: boolean): void {
    if (!isFrom) {
      for (const item of node.childrenForFieldName('name')) {
        if (!item) continue;
        if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')?.text;
          const alias = item.childForFieldName('alias')?.text;
          if (name && alias) this.imports.set(alias, name);
        } else {
          // `import a.b.c` binds `a`; attribute access then spells the rest.
          const first = item.text.split('.')[0];
          this.imports.set(first, first);
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode || moduleNode.type === 'relative_import') {
      // Relative imports are project-local code: bind the names so they are not mistaken for builtins.
      for (const item of node.childrenForFieldName('name')) {
        const local = item?.type === 'aliased_import' ? item.childForFieldName('alias')?.text : item?.text;
        if (local) this.imports.set(local, `.${local}`);
      }
      return;
    }
    const mod = moduleNode.text.replace(/\s+/g, '');
    for (const item of node.childrenForFieldName('name')) {
      if (!item) continue;
      if (item.type === 'aliased_import') {
        const name = item.childForFieldName('name')?.text;
        const alias = item.childForFieldName('alias')?.text;
        if (name && alias) this.imports.set(alias, `${mod}.${name}`);
      } else {
        this.imports.set(item.text, `${mod}.${item.text}`);
      }
    }
  }

  private collectEnvSubscriptAssignment(node: Node): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const obj = left?.childForFieldName('value');
    const key = left?.childForFieldName('subscript');
    if (!obj || !key || !right) return;
    const scope = this.scopeOfNode(node);
    if (this.exprQname(obj, scope) !== 'os.environ') return;
    const name = this.evaluate(key, scope);
    if (name.kind !== 'string') return;
    this.envAssignments.push({ name: name.value, value: this.evaluate(right, scope), range: nodeRange(node), valueRange: nodeRange(right) });
  }

  private collectAttributeAssignment(node: Node): void {
    const left = node.childForFieldName('left');
    if (!left) return;
    const target = this.exprQname(left, this.scopeOfNode(node));
    if (target && !target.startsWith('.')) this.attributeAssignments.push({ target, range: nodeRange(node) });
  }

  // ---- calls -------------------------------------------------------------------------------

  private callFact(node: Node, scope: Scope): CallFact | undefined {
    const fnNode = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    if (!fnNode || !args || args.type !== 'argument_list') return undefined;
    let nameNode: Node = fnNode;
    let methodName: string | undefined;
    let receiver: PyValue | undefined;
    let receiverTypes: string[] = [];
    let qname: string | undefined;
    if (fnNode.type === 'attribute') {
      const attr = fnNode.childForFieldName('attribute');
      const obj = fnNode.childForFieldName('object');
      if (attr) nameNode = attr;
      methodName = attr?.text;
      if (obj && methodName) {
        receiver = this.evaluate(obj, scope);
        receiverTypes = this.typesOf(receiver);
        if (receiver.kind === 'qname') qname = `${receiver.qname}.${methodName}`;
        else if (receiver.kind === 'call') qname = `${receiver.callee}.${methodName}`;
      }
    } else if (fnNode.type === 'identifier') {
      const v = this.resolveName(fnNode.text, scope, 0);
      if (v.kind === 'qname') qname = v.qname;
      else if (v.kind === 'unknown' && !this.isBoundLocally(fnNode.text, scope)) qname = fnNode.text; // a builtin
    }
    if (qname?.startsWith('.')) qname = undefined;
    return new LazyCall(this, node, fnNode, nameNode, args, scope, { qname, methodName, receiver, receiverTypes });
  }

  /** Arguments of a call, evaluated on first use only (most calls are never asked about). */
  evaluateArguments(args: Node, scope: Scope): { positional: ArgFact[]; keywords: Map<string, ArgFact>; hasOpaqueSplat: boolean } {
    const positional: ArgFact[] = [];
    const keywords = new Map<string, ArgFact>();
    let hasOpaqueSplat = false;
    for (const a of args.namedChildren) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text;
        const value = a.childForFieldName('value');
        if (name && value) keywords.set(name, { value: this.evaluate(value, scope), range: nodeRange(value), text: value.text, itemRange: nodeRange(a) });
      } else if (a.type === 'dictionary_splat') {
        const inner = a.namedChild(0);
        const v = inner ? this.evaluate(inner, scope) : UNKNOWN;
        if (v.kind === 'dict') {
          for (const [k, val] of v.entries) {
            if (!keywords.has(k)) keywords.set(k, { value: withOrigin(val, { kind: 'keyword-dict' }), range: nodeRange(a), text: a.text, itemRange: nodeRange(a), fromSplat: true });
          }
          if (!v.complete) hasOpaqueSplat = true;
        } else {
          hasOpaqueSplat = true;
        }
      } else if (a.type === 'list_splat') {
        hasOpaqueSplat = true;
      } else {
        positional.push({ value: this.evaluate(a, scope), range: nodeRange(a), text: a.text, itemRange: nodeRange(a) });
      }
    }
    return { positional, keywords, hasOpaqueSplat };
  }

  private typesOf(v: PyValue): string[] {
    switch (v.kind) {
      case 'qname':
        return [v.qname];
      case 'call':
        return [v.callee];
      case 'local-class':
        return v.bases;
      default:
        return [];
    }
  }

  private isBoundLocally(name: string, scope: Scope): boolean {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (s.assigned(name) !== undefined || s.params().has(name)) return true;
    }
    return this.classPositions.has(name) || this.functions.has(name) || this.imports.has(name);
  }

  classBases(name: string): string[] {
    const cached = this.classBaseCache.get(name);
    if (cached) return cached;
    this.classBaseCache.set(name, []); // cycle guard
    const node = this.classNode(name);
    const out: string[] = [];
    for (const b of node?.childForFieldName('superclasses')?.namedChildren ?? []) {
      if (!b || b.type === 'keyword_argument') continue;
      if (b.type === 'identifier' && this.classPositions.has(b.text) && !this.imports.has(b.text)) {
        out.push(...this.classBases(b.text));
        continue;
      }
      const q = this.exprQname(b, this.module);
      if (q) out.push(q);
    }
    this.classBaseCache.set(name, out);
    return out;
  }

  // ---- values ------------------------------------------------------------------------------

  /** The qualified name an expression refers to (`np.load` → `numpy.load`), if it is an import path. */
  private exprQname(n: Node, scope: Scope): string | undefined {
    const v = this.evaluate(n, scope);
    return v.kind === 'qname' ? v.qname : undefined;
  }



  evaluate(n: Node, scope: Scope, depth = 0): PyValue {
    if (depth > MAX_EVAL_DEPTH) return UNKNOWN;
    switch (n.type) {
      case 'true':
        return { kind: 'bool', value: true, origin: { kind: 'literal' } };
      case 'false':
        return { kind: 'bool', value: false, origin: { kind: 'literal' } };
      case 'none':
        return { kind: 'none', origin: { kind: 'literal' } };
      case 'integer':
      case 'float': {
        const num = Number(n.text.replace(/_/g, ''));
        return Number.isFinite(num) ? { kind: 'number', value: num, origin: { kind: 'literal' } } : UNKNOWN;
      }
      case 'string':
        return stringLiteral(n);
      case 'concatenated_string': {
        let acc = '';
        for (const part of n.namedChildren) {
          if (!part) continue;
          const v = stringLiteral(part);
          if (v.kind === 'string') acc += v.value;
          else if (v.kind === 'fstring') return { kind: 'fstring', prefix: acc + v.prefix };
          else return UNKNOWN;
        }
        return { kind: 'string', value: acc, origin: { kind: 'literal' } };
      }
      case 'parenthesized_expression': {
        const inner = n.namedChild(0);
        return inner ? this.evaluate(inner, scope, depth + 1) : UNKNOWN;
      }
      case 'not_operator': {
        const arg = n.childForFieldName('argument');
        const v = arg ? this.evaluate(arg, scope, depth + 1) : UNKNOWN;
        return v.kind === 'bool' ? { kind: 'bool', value: !v.value, origin: v.origin } : UNKNOWN;
      }
      case 'identifier':
        return this.resolveName(n.text, this.scopeAtNode(n, scope), depth + 1);
      case 'attribute':
        return this.evaluateAttribute(n, scope, depth);
      case 'call':
        return this.evaluateCall(n, scope, depth);
      case 'dictionary':
        return this.evaluateDict(n, scope, depth);
      case 'list':
      case 'tuple':
        return { kind: 'list', items: n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.evaluate(c, scope, depth + 1)) };
      case 'binary_operator': {
        const op = n.childForFieldName('operator')?.text;
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        if (!l || !r) return UNKNOWN;
        const lv = this.evaluate(l, scope, depth + 1);
        if (op === '/' && lv.kind === 'path') return { kind: 'path' };
        if (op === '+') {
          const rv = this.evaluate(r, scope, depth + 1);
          if (lv.kind === 'string' && rv.kind === 'string') return { kind: 'string', value: lv.value + rv.value, origin: lv.origin };
          if (lv.kind === 'string') return { kind: 'fstring', prefix: lv.value };
        }
        return UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }

  /** Identifier nodes are evaluated in the scope that encloses them (a default value lives in the outer scope). */
  private scopeAtNode(n: Node, fallback: Scope): Scope {
    return n.startIndex >= fallback.start && n.startIndex < fallback.end ? fallback : this.scopeOfNode(n);
  }

  private resolveName(name: string, scope: Scope, depth: number): PyValue {
    if (depth > MAX_EVAL_DEPTH) return UNKNOWN;
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const assigned = s.assigned(name);
      if (assigned) {
        if (s.params().has(name)) return UNKNOWN; // a parameter reassigned in the body
        return this.unify(assigned, s, depth, name);
      }
      if (s.params().has(name)) {
        const def = s.params().get(name);
        if (!def) return UNKNOWN;
        const v = this.evaluate(def, s.parent ?? this.module, depth + 1);
        return withOrigin(v, { kind: 'parameter-default', name, range: nodeRange(def) });
      }
    }
    const imported = this.imports.get(name);
    if (imported !== undefined) return { kind: 'qname', qname: imported };
    if (this.classPositions.has(name) && this.classNode(name)) return { kind: 'local-class', name, bases: this.classBases(name) };
    return UNKNOWN;
  }

  /** All assignments of a name in one scope must agree for the name to have a value (reaching definitions, conservatively). */
  private unify(nodes: (Node | null)[], scope: Scope, depth: number, name: string): PyValue {
    let result: PyValue | undefined;
    for (const n of nodes) {
      if (!n) return UNKNOWN;
      const v = this.evaluate(n, scope, depth + 1);
      if (v.kind === 'unknown') return UNKNOWN;
      if (!result) result = v;
      else if (!sameValue(result, v)) return UNKNOWN;
    }
    if (!result) return UNKNOWN;
    if (result.kind === 'qname' || result.kind === 'call' || result.kind === 'local-class' || result.kind === 'dict' || result.kind === 'path') return result;
    const def = nodes[0];
    return withOrigin(result, { kind: 'constant', name, range: def ? nodeRange(def) : undefined });
  }

  private evaluateAttribute(n: Node, scope: Scope, depth: number): PyValue {
    const obj = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute')?.text;
    if (!obj || !attr) return UNKNOWN;
    const base = this.evaluate(obj, scope, depth + 1);
    if (base.kind === 'qname') return { kind: 'qname', qname: `${base.qname}.${attr}` };
    if (base.kind === 'path') return PATH_METHODS.has(attr) ? { kind: 'path' } : UNKNOWN;
    if (base.kind === 'call' && isParseArgs(base.callee)) return this.argparseValue(attr);
    if (base.kind === 'unknown' && obj.type === 'identifier' && this.looksLikeParsedArgs(obj, scope)) return this.argparseValue(attr);
    return UNKNOWN;
  }

  /** `args.x` where `args` is a parameter of the conventional names and the file defines the option. */
  private looksLikeParsedArgs(obj: Node, scope: Scope): boolean {
    if (!/^(args|opts?|options|cli_args|flags|hparams|cfg|config|parsed(_args)?)$/.test(obj.text)) return false;
    for (let s: Scope | undefined = this.scopeAtNode(obj, scope); s; s = s.parent) {
      if (s.params().has(obj.text)) return !s.params().get(obj.text) && s.assigned(obj.text) === undefined;
      if (s.assigned(obj.text) !== undefined) return false;
    }
    return false;
  }

  private argparseValue(dest: string): PyValue {
    const opt = this.argparseOptions().get(dest);
    return opt ? opt.value : UNKNOWN;
  }

  /** The `….add_argument(…)` calls of the file, located from the text. */
  private addArgumentCalls(): Node[] {
    const out = new Map<number, Node>();
    const find = (text: string, start: number, end: number) => [...text.slice(start, end).matchAll(/\.\s*add_argument\s*\(/g)].map((m) => m.index! + m[0].indexOf('add_argument'));
    for (let k = 0; k < this.trees.chunkCount; k++) for (const rel of this.trees.chunkValue(k, 'add_argument', find)) {
      const at = this.trees.startOf(k) + rel;
      let n: Node | null = this.trees.nodeAt(at);
      for (let depth = 0; n && depth < 3 && n.type !== 'call'; depth++) n = n.parent;
      if (n?.type !== 'call') continue;
      const fn = n.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'add_argument') out.set(n.id, n);
    }
    return [...out.values()];
  }

  private argparseOptions(): Map<string, ArgparseOption> {
    if (this.argparse) return this.argparse;
    const out = new Map<string, ArgparseOption>();
    this.argparse = out;
    for (const call of this.addArgumentCalls()) {
      const args = call.childForFieldName('arguments');
      const flags: string[] = [];
      const kw = new Map<string, Node>();
      for (const a of args?.namedChildren ?? []) {
        if (!a) continue;
        if (a.type === 'keyword_argument') {
          const k = a.childForFieldName('name')?.text;
          const v = a.childForFieldName('value');
          if (k && v) kw.set(k, v);
        } else if (a.type === 'string') {
          const s = stringLiteral(a);
          if (s.kind === 'string') flags.push(s.value);
        }
      }
      if (flags.length === 0) continue;
      const scope = this.scopeOfNode(call);
      const destNode = kw.get('dest');
      const destValue = destNode ? this.evaluate(destNode, scope) : undefined;
      const long = flags.find((f) => f.startsWith('--')) ?? flags[0];
      const dest = destValue?.kind === 'string' ? destValue.value : long.replace(/^-+/, '').replace(/-/g, '_');
      const action = kw.get('action');
      const actionValue = action ? this.evaluate(action, scope) : undefined;
      const origin: ValueOrigin = { kind: 'argparse-default', name: long, range: nodeRange(call) };
      let value: PyValue;
      const defNode = kw.get('default');
      if (defNode) value = this.evaluate(defNode, scope);
      else if (actionValue?.kind === 'string' && actionValue.value === 'store_true') value = { kind: 'bool', value: false };
      else if (actionValue?.kind === 'string' && actionValue.value === 'store_false') value = { kind: 'bool', value: true };
      else if (action && actionValue?.kind !== 'string') value = UNKNOWN; // e.g. BooleanOptionalAction without default
      else value = { kind: 'none' };
      if (out.has(dest)) out.set(dest, { dest, flag: long, value: UNKNOWN });
      else out.set(dest, { dest, flag: long, value: withOrigin(value, origin) });
    }
    return out;
  }

  private evaluateCall(n: Node, scope: Scope, depth: number): PyValue {
    const fnNode = n.childForFieldName('function');
    const args = n.childForFieldName('arguments');
    if (!fnNode) return UNKNOWN;
    const callee = this.evaluate(fnNode, scope, depth + 1);
    const firstArg = args?.namedChildren.find((c) => c && c.type !== 'comment' && c.type !== 'keyword_argument') ?? null;
    if (callee.kind === 'qname' || (callee.kind === 'unknown' && fnNode.type === 'identifier' && !this.isBoundLocally(fnNode.text, scope))) {
      const q = callee.kind === 'qname' ? callee.qname : fnNode.text;
      if (q === '__import__' || q === 'importlib.import_module') {
        const modName = firstArg ? this.evaluate(firstArg, scope, depth + 1) : UNKNOWN;
        return modName.kind === 'string' ? { kind: 'qname', qname: modName.value } : UNKNOWN;
      }
      if (PATH_CONSTRUCTORS.has(q)) return { kind: 'path' };
      if (q === 'str' && firstArg) {
        const inner = this.evaluate(firstArg, scope, depth + 1);
        return inner.kind === 'path' || inner.kind === 'string' ? inner : UNKNOWN;
      }
      if (q === 'dict') return this.evaluateDictCall(args, scope, depth);
      if ((q === 'open' || q === 'io.open' || q === 'builtins.open') && args) {
        const fileArg = firstArg ?? args.namedChildren.find((c) => c?.type === 'keyword_argument' && c.childForFieldName('name')?.text === 'file')?.childForFieldName('value') ?? null;
        return { kind: 'call', callee: q, file: fileArg ? this.evaluate(fileArg, scope, depth + 1) : UNKNOWN };
      }
      if (q === 'bool' && firstArg) {
        const inner = this.evaluate(firstArg, scope, depth + 1);
        return inner.kind === 'bool' ? inner : UNKNOWN;
      }
      return { kind: 'call', callee: q };
    }
    if (callee.kind === 'local-class') return { kind: 'call', callee: callee.bases[0] ?? `.${callee.name}` };
    // `args = parse_args()` calling the file's own `def parse_args(): ... return parser.parse_args()`.
    if (callee.kind === 'unknown' && fnNode.type === 'identifier' && this.functions.has(fnNode.text) && LOCAL_PARSE_ARGS.test(fnNode.text)) {
      return { kind: 'call', callee: 'argparse.ArgumentParser.parse_args' };
    }
    if (callee.kind === 'path') return { kind: 'path' };
    if (fnNode.type === 'attribute') {
      const method = fnNode.childForFieldName('attribute')?.text ?? '';
      const obj = fnNode.childForFieldName('object');
      const objValue = obj ? this.evaluate(obj, scope, depth + 1) : UNKNOWN;
      if (objValue.kind === 'path' && PATH_METHODS.has(method)) return { kind: 'path' };
      if (objValue.kind === 'call') return { kind: 'call', callee: `${objValue.callee}.${method}` };
      if (method === 'parse_args') return { kind: 'call', callee: 'argparse.ArgumentParser.parse_args' };
    }
    return UNKNOWN;
  }

  private evaluateDict(n: Node, scope: Scope, depth: number): PyValue {
    const entries = new Map<string, PyValue>();
    let complete = true;
    for (const child of n.namedChildren) {
      if (!child || child.type === 'comment') continue;
      if (child.type === 'pair') {
        const k = child.childForFieldName('key');
        const v = child.childForFieldName('value');
        const key = k ? this.evaluate(k, scope, depth + 1) : UNKNOWN;
        if (key.kind === 'string' && v) entries.set(key.value, this.evaluate(v, scope, depth + 1));
        else complete = false;
      } else if (child.type === 'dictionary_splat') {
        const inner = child.namedChild(0);
        const v = inner ? this.evaluate(inner, scope, depth + 1) : UNKNOWN;
        if (v.kind === 'dict') {
          for (const [k, val] of v.entries) entries.set(k, val);
          complete &&= v.complete;
        } else complete = false;
      } else complete = false;
    }
    return { kind: 'dict', entries, complete };
  }

  private evaluateDictCall(args: Node | null, scope: Scope, depth: number): PyValue {
    const entries = new Map<string, PyValue>();
    let complete = true;
    for (const a of args?.namedChildren ?? []) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const k = a.childForFieldName('name')?.text;
        const v = a.childForFieldName('value');
        if (k && v) entries.set(k, this.evaluate(v, scope, depth + 1));
      } else {
        const v = this.evaluate(a.type === 'dictionary_splat' ? a.namedChild(0) ?? a : a, scope, depth + 1);
        if (v.kind === 'dict') {
          for (const [k, val] of v.entries) entries.set(k, val);
          complete &&= v.complete;
        } else complete = false;
      }
    }
    return { kind: 'dict', entries, complete };
  }

  // ---- edits -------------------------------------------------------------------------------

  appendArgumentEdit(call: CallFact, argument: string): TextEdit {
    const close = call.argumentsRange.end;
    const closePos = { line: close.line, character: Math.max(close.character - 1, 0) };
    const inner = this.textInRange({ start: call.argumentsRange.start, end: closePos }).slice(1);
    const trimmed = inner.replace(/\s+$/, '');
    const hasArgs = trimmed.replace(/#[^\n]*/g, '').trim().length > 0;
    const endsWithComma = /,\s*(#[^\n]*)?$/.test(trimmed);
    if (!hasArgs) return { range: { start: closePos, end: closePos }, newText: argument };
    // Insert right after the last argument so a trailing comment or newline before `)` stays in place.
    const lastEnd = this.positionAfter(call.argumentsRange.start, 1 + trimmed.length);
    if (endsWithComma) {
      const multiline = /\n/.test(inner);
      const indent = multiline ? /\n([ \t]*)\S[^\n]*$/.exec(trimmed)?.[1] ?? '    ' : ' ';
      return { range: { start: lastEnd, end: lastEnd }, newText: multiline ? `\n${indent}${argument},` : ` ${argument}` };
    }
    return { range: { start: lastEnd, end: lastEnd }, newText: `, ${argument}` };
  }

  removeArgumentEdit(call: CallFact, arg: ArgFact): TextEdit {
    const items = [...call.positional.map((a) => a.itemRange), ...[...call.keywords.values()].filter((k) => !k.fromSplat).map((k) => k.itemRange)].sort(comparePos);
    const idx = items.findIndex((r) => comparePos(r, arg.itemRange) === 0);
    if (idx > 0) return { range: { start: items[idx - 1].end, end: arg.itemRange.end }, newText: '' };
    if (idx === 0 && items.length > 1) return { range: { start: arg.itemRange.start, end: items[1].start }, newText: '' };
    // The only argument: remove it and a trailing comma, keep the parentheses.
    const closePos = { line: call.argumentsRange.end.line, character: call.argumentsRange.end.character - 1 };
    const openPos = { line: call.argumentsRange.start.line, character: call.argumentsRange.start.character + 1 };
    return { range: { start: openPos, end: closePos }, newText: '' };
  }

  private lineOffsets?: number[];
  private offsetOf(p: { line: number; character: number }): number {
    if (!this.lineOffsets) {
      this.lineOffsets = [0];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.lineOffsets.push(i + 1);
    }
    return (this.lineOffsets[p.line] ?? this.text.length) + p.character;
  }
  private textInRange(r: Range): string {
    return this.text.slice(this.offsetOf(r.start), this.offsetOf(r.end));
  }
  private positionAfter(start: { line: number; character: number }, length: number): { line: number; character: number } {
    const offset = this.offsetOf(start) + length;
    const before = this.text.slice(this.offsetOf(start), offset);
    const lines = before.split('\n');
    if (lines.length === 1) return { line: start.line, character: start.character + length };
    return { line: start.line + lines.length - 1, character: lines[lines.length - 1].length };
  }
}

/**
 * A call whose cheap facts (qualified name, receiver) are computed up front and whose ranges,
 * texts and arguments are computed on first access: a 10,000-line file has thousands of calls,
 * and the rules look closely at only a handful.
 */
class LazyCall implements CallFact {
  readonly qname?: string;
  readonly methodName?: string;
  readonly receiver?: PyValue;
  readonly receiverTypes: string[];
  private args?: { positional: ArgFact[]; keywords: Map<string, ArgFact>; hasOpaqueSplat: boolean };
  private cachedRange?: Range;

  constructor(
    private readonly file: PythonFile,
    private readonly node: Node,
    private readonly fnNode: Node,
    private readonly nameNode: Node,
    private readonly argsNode: Node,
    private readonly scope: Scope,
    init: Pick<CallFact, 'qname' | 'methodName' | 'receiver' | 'receiverTypes'>,
  ) {
    this.qname = init.qname;
    this.methodName = init.methodName;
    this.receiver = init.receiver;
    this.receiverTypes = init.receiverTypes;
  }

  get enclosingWith(): string[] {
    return this.file.enclosingWith(this.node);
  }
  get enclosingFunction(): string | undefined {
    return this.scope.kind === 'function' ? this.scope.name : undefined;
  }

  get range(): Range {
    return (this.cachedRange ??= nodeRange(this.node));
  }
  get calleeRange(): Range {
    return nodeRange(this.fnNode);
  }
  get calleeText(): string {
    return this.fnNode.text;
  }
  get nameRange(): Range {
    return nodeRange(this.nameNode);
  }
  get argumentsRange(): Range {
    return nodeRange(this.argsNode);
  }
  get argumentsText(): string {
    return this.file.text.slice(this.argsNode.startIndex, this.argsNode.endIndex);
  }
  get line(): number {
    return this.range.start.line;
  }
  private evaluated() {
    return (this.args ??= this.file.evaluateArguments(this.argsNode, this.scope));
  }
  get positional(): ArgFact[] {
    return this.evaluated().positional;
  }
  get keywords(): Map<string, ArgFact> {
    return this.evaluated().keywords;
  }
  get hasOpaqueSplat(): boolean {
    return this.evaluated().hasOpaqueSplat;
  }
}

function collectParams(params: Node | null): Map<string, Node | null> {
  const out = new Map<string, Node | null>();
  for (const p of params?.namedChildren ?? []) {
    if (!p) continue;
    switch (p.type) {
      case 'identifier':
        out.set(p.text, null);
        break;
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = p.childForFieldName('name')?.text;
        if (name) out.set(name, p.childForFieldName('value'));
        break;
      }
      case 'typed_parameter':
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern': {
        const id = p.namedChildren.find((c) => c?.type === 'identifier');
        if (id) out.set(id.text, null);
        break;
      }
    }
  }
  return out;
}

/**
 * If the identifier is in a binding position, what it is bound to: the assigned value expression,
 * or `null` for a binding whose value is opaque (loop targets, `with … as`, augmented assignment,
 * unpacking, walrus, nested `def`, `global`). Undefined for a use, a parameter, an import or a class name.
 */
export function bindingOf(id: Node): Node | null | undefined {
  const p = id.parent;
  if (!p) return undefined;
  switch (p.type) {
    case 'assignment': {
      if (p.childForFieldName('left')?.id !== id.id) return undefined;
      let right = p.childForFieldName('right');
      if (!right) return undefined; // an annotation without a value binds nothing
      while (right?.type === 'assignment') right = right.childForFieldName('right');
      return right ?? null;
    }
    case 'pattern_list':
    case 'tuple_pattern': {
      const owner = p.parent;
      if (owner?.type === 'assignment' && owner.childForFieldName('left')?.id === p.id) {
        const right = owner.childForFieldName('right');
        const names = p.namedChildren;
        const values = right && (right.type === 'expression_list' || right.type === 'tuple') ? right.namedChildren : [];
        const i = names.findIndex((n) => n?.id === id.id);
        return names.length === values.length && i >= 0 ? values[i] ?? null : null;
      }
      return null;
    }
    case 'augmented_assignment':
      return p.childForFieldName('left')?.id === id.id ? null : undefined;
    case 'for_statement':
    case 'for_in_clause':
      return p.childForFieldName('left')?.id === id.id ? null : undefined;
    case 'as_pattern_target':
    case 'global_statement':
    case 'nonlocal_statement':
      return null;
    case 'named_expression':
      return p.childForFieldName('name')?.id === id.id ? null : undefined;
    case 'function_definition':
      return p.childForFieldName('name')?.id === id.id ? null : undefined;
    default:
      return undefined;
  }
}

function comparePos(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character;
}

function withOrigin(v: PyValue, origin: ValueOrigin): PyValue {
  return { ...v, origin } as PyValue;
}

function isParseArgs(callee: string): boolean {
  return /(^|\.)parse_(known_)?args$/.test(callee) || callee === 'argparse.ArgumentParser.parse_args';
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** The value of a string literal node; f-strings with interpolations are `fstring`, bytes are unknown. */
function stringLiteral(n: Node): PyValue {
  if (n.type !== 'string') return UNKNOWN;
  const start = n.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '"';
  const prefix = start.replace(/['"]+$/, '').toLowerCase();
  if (prefix.includes('b')) return UNKNOWN;
  const raw = prefix.includes('r');
  let out = '';
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') out += raw ? c.text : c.text.replace(/\\(.)/gs, (m, ch: string) => ESCAPES[ch] ?? m);
    else if (c.type === 'escape_sequence') out += ESCAPES[c.text.slice(1)] ?? c.text;
    else if (c.type === 'interpolation') return { kind: 'fstring', prefix: out };
  }
  return { kind: 'string', value: out, origin: { kind: 'literal' } };
}
