/**
 * The prefilter over many files: whether a text satisfies any of a list of word groups (a group is
 * satisfied when all of its words occur). All words are searched in one pass with an Aho–Corasick
 * automaton over the bytes (or UTF-16 code units) of the text: one table lookup per character,
 * overlapping and nested occurrences included, whatever the number of words. Scanning once per
 * word, or with one regular expression of ~80 alternatives, cost more than parsing the files
 * that pass.
 *
 * Words are ASCII; any other character simply restarts the automaton.
 */
export class TriggerMatcher {
  private readonly words: string[];
  /**
   * Transition table: `next[state * 128 + char]`, stored as `~target` when some word ends at the
   * target (one load per character decides both).
   */
  private readonly next: Int32Array;
  /** For each state, the ids of the words that end there (including through failure links). */
  private readonly outputs: number[][];
  /** For each word id, the ids of the groups that contain it. */
  private readonly groupsOfWord: number[][];
  private readonly groupWords: number[][];

  constructor(groups: readonly (readonly string[])[]) {
    this.words = [...new Set(groups.flat())].filter((w) => w.length > 0);
    const wordId = new Map(this.words.map((w, i) => [w, i]));
    this.groupWords = groups.map((g) => [...new Set(g.filter((w) => w.length > 0).map((w) => wordId.get(w)!))]);
    this.groupsOfWord = this.words.map(() => []);
    this.groupWords.forEach((ids, g) => ids.forEach((id) => this.groupsOfWord[id].push(g)));

    // Trie.
    const children: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    this.words.forEach((w, id) => {
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const c = w.charCodeAt(i);
        if (c >= 128) throw new Error(`trigger words must be ASCII: ${JSON.stringify(w)}`);
        let t = children[s].get(c);
        if (t === undefined) {
          t = children.length;
          children.push(new Map());
          ends.push([]);
          children[s].set(c, t);
        }
        s = t;
      }
      ends[s].push(id);
    });

    // Breadth-first: failure links, merged outputs and the complete transition table.
    const states = children.length;
    const next = new Int32Array(states * 128);
    const fail = new Int32Array(states);
    const outputs: number[][] = children.map(() => []);
    const final = new Uint8Array(states);
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const t = children[0].get(c);
      if (t !== undefined) {
        next[c] = t;
        fail[t] = 0;
        queue.push(t);
      }
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      outputs[s] = [...ends[s], ...outputs[fail[s]]];
      final[s] = outputs[s].length > 0 ? 1 : 0;
      for (let c = 0; c < 128; c++) {
        const t = children[s].get(c);
        if (t !== undefined) {
          fail[t] = next[fail[s] * 128 + c];
          next[s * 128 + c] = t;
          queue.push(t);
        } else {
          next[s * 128 + c] = next[fail[s] * 128 + c];
        }
      }
    }
    for (let k = 0; k < next.length; k++) if (final[next[k]] === 1) next[k] = ~next[k];
    this.next = next;
    this.outputs = outputs;
  }

  /** Whether some group is satisfied. `text`: a string, or raw bytes (UTF-8 or any ASCII-compatible encoding). */
  matches(text: string | Uint8Array): boolean {
    return this.scan(text, true).satisfied;
  }

  /** The words that occur in `text`. */
  present(text: string | Uint8Array): Set<string> {
    const { seen } = this.scan(text, false);
    const out = new Set<string>();
    seen.forEach((v, id) => v && out.add(this.words[id]));
    return out;
  }

  private scan(text: string | Uint8Array, stopWhenSatisfied: boolean): { satisfied: boolean; seen: Uint8Array } {
    const state = { seen: new Uint8Array(this.words.length), missing: this.groupWords.map((ids) => ids.length), satisfied: false, stop: stopWhenSatisfied };
    state.satisfied = state.missing.some((m) => m === 0);
    if (!(state.satisfied && stopWhenSatisfied)) {
      if (typeof text === 'string') this.scanString(text, state);
      else this.scanBytes(text, state);
    }
    return state;
  }

  // Two copies of the loop, so that each stays monomorphic (one kind of input per call site).
  private scanString(text: string, state: ScanState): void {
    const next = this.next;
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      s = c < 128 ? next[(s << 7) | c] : 0;
      if (s < 0 && this.found((s = ~s), state)) return;
    }
  }

  private scanBytes(bytes: Uint8Array, state: ScanState): void {
    const next = this.next;
    let s = 0;
    for (let i = 0, n = bytes.length; i < n; i++) {
      const c = bytes[i];
      s = c < 128 ? next[(s << 7) | c] : 0;
      if (s < 0 && this.found((s = ~s), state)) return;
    }
  }

  /** Records the words ending at state `s`; true when the scan can stop. */
  private found(s: number, state: ScanState): boolean {
    for (const id of this.outputs[s]) {
      if (state.seen[id]) continue;
      state.seen[id] = 1;
      for (const g of this.groupsOfWord[id]) if (--state.missing[g] === 0) state.satisfied = true;
    }
    return state.satisfied && state.stop;
  }
}

interface ScanState { seen: Uint8Array; missing: number[]; satisfied: boolean; stop: boolean }

/** The trigger word groups of `rules` (each any-of entry as an all-of list), for a TriggerMatcher. */
export function triggerGroups(rules: readonly { triggers?: readonly (string | readonly string[])[] }[]): string[][] {
  return rules.flatMap((r) => r.triggers ?? []).map((t) => (typeof t === 'string' ? [t] : [...t]));
}

/** Whether a rule's triggers (any-of entries, each a word or an all-of list of words) are satisfied by the words present. */
export function triggersSatisfied(triggers: readonly (string | readonly string[])[], present: ReadonlySet<string>): boolean {
  return triggers.some((t) => (typeof t === 'string' ? present.has(t) : t.every((w) => present.has(w))));
}
