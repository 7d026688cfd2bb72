import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

/**
 * Loads the web-tree-sitter runtime and the grammar `.wasm` files once per process.
 * In the bundles (dist/) the .wasm files sit next to the script; when running from the
 * TypeScript output (tests) they are resolved from node_modules.
 */

export type GrammarName = 'python' | 'bash';

let initialized: Promise<void> | undefined;
const languages = new Map<GrammarName, Language>();

function locate(file: string, pkg: string): string {
  const beside = path.join(__dirname, file);
  if (fs.existsSync(beside)) return beside;
  // The .wasm files are exported subpaths of their packages.
  return require.resolve(`${pkg}/${file}`);
}

/** Initialize the parser runtime and every grammar. Safe to call repeatedly. */
export function initParsers(): Promise<void> {
  initialized ??= (async () => {
    const runtime = locate('web-tree-sitter.wasm', 'web-tree-sitter');
    await Parser.init({ locateFile: () => runtime });
    languages.set('python', await Language.load(locate('tree-sitter-python.wasm', 'tree-sitter-python')));
    languages.set('bash', await Language.load(locate('tree-sitter-bash.wasm', 'tree-sitter-bash')));
  })();
  return initialized;
}

export function grammar(name: GrammarName): Language {
  const lang = languages.get(name);
  if (!lang) throw new Error('parsers are not initialized: await initParsers() first');
  return lang;
}

const parsers = new Map<GrammarName, Parser>();

/** A parser per grammar, reused across calls (wasm memory is not garbage-collected). */
export function parserFor(name: GrammarName): Parser {
  let p = parsers.get(name);
  if (!p) {
    p = new Parser();
    p.setLanguage(grammar(name));
    parsers.set(name, p);
  }
  return p;
}
