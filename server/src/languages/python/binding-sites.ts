import { BACKSLASH, commentEnd, CR, DQUOTE, FF, HASH, isPrefixChar, isWordChar, NL, SPACE, SQUOTE, stringEnd, stringStart, TAB } from './lexer';

/**
 * Where each name may be bound: the positions of identifiers in binding-like places of a Python
 * text, found by one linear lexical pass (strings and comments skipped, brackets counted):
 *
 * - targets of `=` and augmented assignments at bracket depth 0 (everything before the operator in
 *   the statement, so `a, (b, c) = …`, `x: int = …`, `a = b = …` and targets spread over lines);
 * - `for … in` targets (statements and comprehensions), names after `as`, `def`, `global`,
 *   `nonlocal`, and the name before `:=`.
 *
 * It is a superset: every binding of the syntax tree's `bindingOf` is among them (a few
 * non-bindings too, e.g. the condition of `if x: y = 1`), so only these positions need to be
 * examined in the tree. Attribute names (`self.x = …`) are left out. Positions are ascending.
 *
 * Names are kept as hashes, not as strings cut from the text: the sites hold no reference to the
 * text, so those of a chunk can be kept across the edits that leave its text as it was.
 */
export class BindingSites {
  private constructor(private readonly byHash: Map<number, number[]>) {}

  /** The binding sites of `text`, or of its span `[from, to)` (a run of whole statements), relative to `from`. */
  static of(text: string, from = 0, to = text.length): BindingSites {
    const byHash = new Map<number, number[]>();
    lex(text, from, to, byHash);
    // A name can be added twice, or out of order, when a statement binds it both by a keyword
    // (`for`, `as`, `:=`) and as an assignment target: keep each list ascending and unique.
    for (const [hash, list] of byHash) {
      let ordered = true;
      for (let k = 1; k < list.length && ordered; k++) ordered = list[k] > list[k - 1];
      if (!ordered) byHash.set(hash, [...new Set(list)].sort((a, b) => a - b));
    }
    return new BindingSites(byHash);
  }

  /**
   * Where `name` occurs in a binding-like position, ascending, as positions in `text`, where the
   * lexed span now starts at `base` (it may have moved since, with its text unchanged).
   */
  positions(name: string, text: string, base: number): number[] {
    if (name !== lastName) {
      lastName = name;
      lastHash = nameHash(name, 0, name.length);
    }
    const list = this.byHash.get(lastHash);
    if (!list) return [];
    const out: number[] = [];
    for (const p of list) {
      const at = base + p;
      // Names are keyed by a hash: the text decides.
      if (text.startsWith(name, at) && !isWordChar(text.charCodeAt(at + name.length))) out.push(at);
    }
    return out;
  }
}

// A name is looked up in every chunk in turn: its hash is kept.
let lastName = '';
let lastHash = nameHash('', 0, 0);

/** FNV-1a over the UTF-16 code units of `text[from, to)`. */
function nameHash(text: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** Adds the binding sites of `text[from, to)` to `sites` (by name hash, relative to `from`). */
function lex(text: string, from: number, to: number, sites: Map<number, number[]>): void {
  const add = (start: number, end: number) => {
    const hash = nameHash(text, start, end);
    const list = sites.get(hash);
    if (list) list.push(start - from);
    else sites.set(hash, [start - from]);
  };
  const n = to;
  // Identifiers of the current statement not yet known to be targets: [start, end] pairs (the first `pendingLength` entries).
  const pending: number[] = [];
  let pendingLength = 0;
  let depth = 0;
  /** After `for`: identifiers are targets until `in`. After `as`/`def`/`global`/`nonlocal`: until a non-name token. */
  let mode: 'none' | 'for' | 'as' | 'def' | 'list' = 'none';
  let forDepth = 0;
  let prevSignificant = 0; // char code of the previous non-blank character outside strings/comments
  // The identifier just before the current token (for `name := …`), or -1.
  let lastStart = -1;
  let lastEnd = -1;
  const endStatement = () => {
    pendingLength = 0;
    mode = 'none';
    lastStart = -1;
    prevSignificant = 0;
  };
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === TAB || c === CR || c === FF) {
      i++;
      continue;
    }
    if (c === NL) {
      if (depth === 0) endStatement();
      i++;
      continue;
    }
    if (c === HASH) {
      i = commentEnd(text, i);
      continue;
    }
    if (c === BACKSLASH) {
      i += text.charCodeAt(i + 1) === CR ? 3 : 2;
      continue;
    }
    const q = c === DQUOTE || c === SQUOTE || isPrefixChar(c) ? stringStart(text, i) : -1;
    if (q !== -1) {
      const end = Math.min(stringEnd(text, q), n);
      // f-strings (and t-strings) hold expressions: comprehensions in them bind names too.
      if (q > i && /[fFtT]/.test(text.slice(i, q))) {
        const quotes = text.charCodeAt(q + 1) === text.charCodeAt(q) && text.charCodeAt(q + 2) === text.charCodeAt(q) ? 3 : 1;
        const inner = q + quotes;
        // Lexed as a text of its own, as the parser sees the replacement fields.
        const content = text.slice(inner, Math.max(inner, end - quotes));
        const nested = new Map<number, number[]>();
        lex(content, 0, content.length, nested);
        for (const [hash, positions] of nested) {
          const list = sites.get(hash);
          const shifted = positions.map((p) => p + inner - from);
          if (list) list.push(...shifted);
          else sites.set(hash, shifted);
        }
      }
      i = end;
      prevSignificant = 34;
      lastStart = -1;
      if (mode === 'as' || mode === 'def' || mode === 'list') mode = 'none';
      continue;
    }
    if (isWordChar(c) && !(c >= 48 && c <= 57)) {
      let e = i + 1;
      while (e < n && isWordChar(text.charCodeAt(e))) e++;
      const attribute = prevSignificant === 46; // preceded by "."
      const word = attribute ? '' : keywordAt(text, i, e - i);
      if (!attribute && word === 'for') {
        mode = 'for';
        forDepth = depth;
      } else if (!attribute && word === 'in' && mode === 'for' && depth === forDepth) {
        mode = 'none';
      } else if (!attribute && word === 'as') {
        mode = 'as';
      } else if (!attribute && word === 'def') {
        mode = 'def';
      } else if (!attribute && (word === 'global' || word === 'nonlocal')) {
        mode = 'list';
      } else if (!attribute) {
        if (mode === 'for' || mode === 'as' || mode === 'list') add(i, e);
        else if (mode === 'def') {
          add(i, e);
          mode = 'none';
        }
        pending[pendingLength++] = i;
        pending[pendingLength++] = e;
        lastStart = i;
        lastEnd = e;
      }
      prevSignificant = 97;
      i = e;
      continue;
    }
    if (c >= 48 && c <= 57) {
      // A number (with its letters: 1e5, 0x1F, 10j).
      let e = i + 1;
      while (e < n && (isWordChar(text.charCodeAt(e)) || text.charCodeAt(e) === 46)) e++;
      prevSignificant = 48;
      lastStart = -1;
      i = e;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
    } else if (c === 59 /* ; */ && depth === 0) {
      endStatement();
      prevSignificant = c;
      i++;
      continue;
    } else if (c === 58 /* : */ && next === 61 /* = */) {
      // Walrus: the name just before is bound.
      if (lastStart !== -1) add(lastStart, lastEnd);
      prevSignificant = 61;
      lastStart = -1;
      i += 2;
      continue;
    } else if (c === 61 /* = */) {
      if (next === 61) {
        i += 2; // ==
        prevSignificant = 61;
        lastStart = -1;
        continue;
      }
      const before = prevSignificant;
      // `<=`, `>=`, `!=` are comparisons; `+=`, `//=`, `**=`, `>>=` … are augmented assignments.
      const comparison = (before === 60 || before === 62 || before === 33) && !isAugmentedShift(text, i);
      if (depth === 0 && !comparison) {
        for (let k = 0; k < pendingLength; k += 2) add(pending[k], pending[k + 1]);
        pendingLength = 0;
      }
    } else if (c === 44 /* , */ && (mode === 'as' || mode === 'list')) {
      // still in the list of names
      prevSignificant = c;
      i++;
      continue;
    }
    if (mode === 'as' || mode === 'def' || mode === 'list') {
      // `as (a, b)` keeps going through brackets; anything else ends the list of names.
      if (!(c === 40 || c === 41 || c === 91 || c === 93 || c === 42 /* * */)) mode = 'none';
    }
    prevSignificant = c;
    lastStart = -1;
    i++;
  }
}

/** `>>=` / `<<=`: the `=` after a shift operator is an augmented assignment, not a comparison. */
function isAugmentedShift(text: string, eq: number): boolean {
  const a = text.charCodeAt(eq - 1);
  return (a === 62 || a === 60) && text.charCodeAt(eq - 2) === a;
}

/** The keyword among for, in, as, def, global, nonlocal that the name at `i` (of `length`) is, or ''. Compares characters, no slicing. */
function keywordAt(text: string, i: number, length: number): string {
  const c = text.charCodeAt(i);
  switch (length) {
    case 2:
      if (c === 105 && text.charCodeAt(i + 1) === 110) return 'in';
      if (c === 97 && text.charCodeAt(i + 1) === 115) return 'as';
      return '';
    case 3:
      if (c === 102 && text.startsWith('for', i)) return 'for';
      if (c === 100 && text.startsWith('def', i)) return 'def';
      return '';
    case 6:
      return c === 103 && text.startsWith('global', i) ? 'global' : '';
    case 8:
      return c === 110 && text.startsWith('nonlocal', i) ? 'nonlocal' : '';
    default:
      return '';
  }
}
