import type { Tree } from 'web-tree-sitter';

interface Entry { text: string; tree: Tree }

/**
 * The last syntax tree of each open document, so an edited document is re-parsed incrementally.
 * Owned by the language server; trees live in wasm memory and must be deleted explicitly.
 */
export class ParseCache {
  private readonly entries = new Map<string, Entry>();

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  set(key: string, text: string, tree: Tree): void {
    const old = this.entries.get(key);
    if (old && old.tree !== tree) old.tree.delete();
    this.entries.set(key, { text, tree });
  }

  delete(key: string): void {
    this.entries.get(key)?.tree.delete();
    this.entries.delete(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }
}
