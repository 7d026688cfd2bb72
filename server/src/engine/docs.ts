import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Public location of the rule pages (also used as SARIF helpUri). */
export const RULE_DOCS_BASE = 'https://github.com/modellint/modellint/blob/main/docs/rules/';

/**
 * The documentation page of a rule. When the rule pages ship next to the running bundle
 * (the extension package contains docs/rules), a file URL is returned so the page opens
 * offline inside the editor; otherwise the public URL.
 */
export function ruleDocsUrl(ruleId: string, preferLocal = true): string {
  if (preferLocal) {
    const local = localDocsDir();
    if (local) return pathToFileURL(path.join(local, `${ruleId}.md`)).toString();
  }
  return `${RULE_DOCS_BASE}${ruleId}.md`;
}

let cachedDir: string | null | undefined;
function localDocsDir(): string | undefined {
  if (cachedDir === undefined) {
    const candidates = [1, 2, 3, 4].map((up) => path.join(__dirname, ...Array(up).fill('..'), 'docs', 'rules'));
    cachedDir = candidates.find((d) => fs.existsSync(d)) ?? null;
  }
  return cachedDir ?? undefined;
}
