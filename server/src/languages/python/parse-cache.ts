import type { ChunkedTree } from './chunked-tree';

/**
 * The last syntax of recently analyzed documents (their parsed chunks), so an edited document is
 * re-parsed incrementally. Owned by the language server; trees live in wasm memory and must be
 * released explicitly. Only the `capacity` most recently used documents keep their trees:
 * incremental parsing matters for the files being edited, and a file opened among thousands
 * re-parses in a millisecond or two when it is edited later.
 */
export class ParseCache {
  private readonly entries = new Map<string, ChunkedTree>();

  constructor(private readonly capacity = 32) {}

  get(key: string): ChunkedTree | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, tree: ChunkedTree): void {
    const old = this.entries.get(key);
    if (old && old !== tree) old.dispose();
    this.entries.delete(key);
    this.entries.set(key, tree);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.get(key)?.dispose();
    this.entries.delete(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
