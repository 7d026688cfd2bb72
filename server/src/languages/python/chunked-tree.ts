import { Edit, type Node, type Point, type Tree } from 'web-tree-sitter';
import { parserFor } from '../tree-sitter';
import { topLevelChunks, type Chunks } from './chunks';

/** A wall-clock bound for the parsing of one text; past it a parse is cancelled (pathological input). */
export const PARSE_TIME_LIMIT_MS = 3000;

/** Values kept per chunk (chunkValue). */
const MAX_SLOTS_PER_CHUNK = 8;

/** Characters handed to the parser per read: web-tree-sitter's input buffer holds about 5,000. */
const READ_SIZE = 4096;

export interface TextEditSpan {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

/**
 * The syntax of a Python text, parsed lazily by top-level statement (chunks.ts): each chunk is
 * parsed, with tree-sitter's included ranges, the first time a node in it is asked for. The front-end
 * only looks at the places where a rule's words occur and at the bindings of the names found there,
 * so a large file is mostly never parsed: the cost follows what matters, not the size of the file.
 *
 * Nodes carry their positions in the whole text. Every name scope lies within one chunk, so walking
 * up from a node never needs another chunk. Trees live in wasm memory: `dispose()` releases them.
 */
export class ChunkedTree {
  private readonly trees: (Tree | undefined)[];
  /** Trees an edit fell in since they were parsed: re-parsed incrementally on first use. */
  private readonly stale: boolean[] = [];
  /**
   * Per parsed chunk, where its tree reads text (node.text goes through it): after an edit, a
   * tree that only moved is pointed at the new text instead of being parsed again.
   */
  private readonly sources: (ChunkSource | undefined)[] = [];
  /** Per chunk, the values computed from its text alone (see chunkValue). */
  private readonly values: (Map<string, unknown> | undefined)[] = [];
  private parseMs = 0;

  private constructor(
    readonly text: string,
    private readonly chunks: Chunks,
  ) {
    this.trees = new Array<Tree | undefined>(chunks.starts.length);
  }

  /** Split `text` into chunks; nothing is parsed yet. */
  static of(text: string): ChunkedTree {
    return new ChunkedTree(text, topLevelChunks(text));
  }

  get chunkCount(): number {
    return this.chunks.starts.length;
  }

  /** How many chunks have been parsed so far. */
  get parsedCount(): number {
    return this.trees.reduce((n, t) => n + (t ? 1 : 0), 0);
  }

  /** The index of the chunk that holds `index`. */
  chunkOf(index: number): number {
    const starts = this.chunks.starts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= index) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  /** Where chunk `k` starts. */
  startOf(k: number): number {
    return this.chunks.starts[k];
  }

  /**
   * A value computed from chunk `k`'s text alone (with positions relative to its start), by
   * `compute(text, start, end)`: computed once, and kept by `edited()` for every chunk whose text
   * the edit leaves as it was, wherever it moves.
   */
  chunkValue<T>(k: number, slot: string, compute: (text: string, start: number, end: number) => T): T {
    let slots = this.values[k];
    if (!slots) this.values[k] = slots = new Map();
    const known = slots.get(slot);
    if (known !== undefined || slots.has(slot)) return known as T;
    const value = compute(this.text, this.chunks.starts[k], this.chunks.starts[k + 1] ?? this.text.length);
    // Slots come and go with the rules' words: keep a few per chunk.
    if (slots.size >= MAX_SLOTS_PER_CHUNK) slots.delete(slots.keys().next().value!);
    slots.set(slot, value);
    return value;
  }

  /** The smallest node that spans `[start, end]`, from the chunk holding `start`. */
  nodeAt(start: number, end = start): Node | null {
    return this.root(this.chunkOf(start)).descendantForIndex(start, end);
  }

  /** The module node of chunk `k` (only chunk `k`'s statements are in it). */
  root(k: number): Node {
    return this.tree(k).rootNode;
  }

  /** Whether any part of the text has a syntax error (parses every chunk). */
  get hasError(): boolean {
    for (let k = 0; k < this.trees.length; k++) if (this.root(k).hasError) return true;
    return false;
  }

  dispose(): void {
    for (let k = 0; k < this.trees.length; k++) {
      this.trees[k]?.delete();
      this.trees[k] = undefined;
    }
  }

  /**
   * The chunked tree of `newText`, one edit away from this text. Chunks whose text the edit leaves
   * as it was keep their tree (moved by the edit when they come after it, and reading the new
   * text) and their chunk values. The one chunk the edit falls in, when it keeps its boundaries,
   * keeps its tree, moved by the edit, for an incremental re-parse when it is next looked at; its
   * values are dropped. This instance gives its trees away and must not be used after.
   */
  edited(newText: string, edit: TextEditSpan): ChunkedTree {
    const next = topLevelChunks(newText);
    const delta = edit.newEndIndex - edit.oldEndIndex;
    const oldStarts = this.chunks.starts;
    const oldEnd = (k: number) => oldStarts[k + 1] ?? this.text.length;
    const byStart = new Map<number, number>();
    oldStarts.forEach((s, k) => byStart.set(s, k));
    const result = new ChunkedTree(newText, next);
    const moved = new Edit(edit);
    for (let j = 0; j < next.starts.length; j++) {
      const s = next.starts[j];
      const e = next.starts[j + 1] ?? newText.length;
      const before = e <= edit.startIndex ? byStart.get(s) : undefined;
      if (before !== undefined && oldEnd(before) === e) {
        // Before the edit: the same text at the same place.
        result.trees[j] = this.take(before);
        result.stale[j] = this.stale[before];
        result.values[j] = this.values[before];
        result.sources[j] = this.repoint(before, newText, e);
        continue;
      }
      const after = s >= edit.newEndIndex ? byStart.get(s - delta) : undefined;
      const within = s <= edit.startIndex ? byStart.get(s) : undefined;
      if (after !== undefined && oldEnd(after) === e - delta) {
        // After the edit: the same text, moved. Its tree, moved by the edit, reads the new text;
        // its values hold as they are (they are relative).
        const tree = this.take(after);
        if (tree) {
          tree.edit(moved);
          result.trees[j] = tree;
          result.stale[j] = this.stale[after];
          result.sources[j] = this.repoint(after, newText, e);
        }
        result.values[j] = this.values[after];
      } else if (within !== undefined && oldEnd(within) === e - delta && e - delta >= edit.oldEndIndex) {
        // The chunk the edit falls in, with its boundaries kept: its tree, moved by the edit, is
        // parsed again incrementally when next looked at.
        const tree = this.take(within);
        if (tree) {
          tree.edit(moved);
          result.trees[j] = tree;
          result.stale[j] = true;
        }
      }
    }
    this.dispose();
    return result;
  }

  /** Chunk `k`'s read source, pointed at `text` where the chunk now ends at `end`. */
  private repoint(k: number, text: string, end: number): ChunkSource | undefined {
    const source = this.sources[k];
    if (source) {
      source.text = text;
      source.end = end;
    }
    return source;
  }

  private take(k: number): Tree | undefined {
    const tree = this.trees[k];
    this.trees[k] = undefined;
    return tree;
  }

  private tree(k: number): Tree {
    const tree = this.trees[k];
    if (tree && !this.stale[k]) return tree;
    this.stale[k] = false;
    this.trees[k] = undefined;
    return this.parseChunk(k, tree);
  }

  private parseChunk(k: number, old?: Tree): Tree {
    const parser = parserFor('python');
    const start = this.chunks.starts[k];
    const end = this.chunks.starts[k + 1] ?? this.text.length;
    const startPosition = { row: this.chunks.rows[k], column: 0 };
    const endPosition = k + 1 < this.chunks.rows.length ? { row: this.chunks.rows[k + 1], column: 0 } : pointAt(this.text, end, start, this.chunks.rows[k]);
    const began = performance.now();
    const budget = PARSE_TIME_LIMIT_MS - this.parseMs;
    let tree: Tree | null;
    try {
      // The parser reads its input through a callback; given the string itself, web-tree-sitter
      // hands it the whole rest of the text from the index it asks for, and copies thousands of
      // characters into wasm memory per call. Only this chunk is read, so only this chunk is handed.
      const source: ChunkSource = { text: this.text, end };
      this.sources[k] = source;
      tree = parser.parse((index) => (index < source.end ? source.text.slice(index, Math.min(source.end, index + READ_SIZE)) : ''), old ?? null, {
        includedRanges: [{ startIndex: start, endIndex: end, startPosition, endPosition }],
        progressCallback: () => performance.now() - began > budget,
      });
    } finally {
      parser.reset();
      old?.delete();
      this.parseMs += performance.now() - began;
    }
    if (!tree) throw new Error(`parsing took longer than ${PARSE_TIME_LIMIT_MS} ms and was cancelled`);
    this.trees[k] = tree;
    return tree;
  }
}

/** Where a chunk's tree reads its text: updated when an edit moves the chunk. */
interface ChunkSource {
  text: string;
  end: number;
}

/** The row and column of `index`, counting lines from `from` (column 0 of line `row`). */
export function pointAt(text: string, index: number, from = 0, row = 0): Point {
  let lineStart = from;
  for (let i = text.indexOf('\n', from); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}
