import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeDocument, type AnalyzeContext } from '../../server/src/engine/analyze';
import type { Finding } from '../../server/src/engine/types';
import { detectInputKind } from '../../server/src/languages/detect';
import { parseNotebook } from '../../server/src/languages/notebook';
import { allRules } from '../../server/src/rules/index';
import { FsWorkspace } from '../../server/src/workspace/fs-workspace';

/** Repository root (tests run from out/test/...). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const RULE_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'rules');

/**
 * Fixture files state their own expectations on the line a finding starts on:
 *   `# expect: rule-a, rule-b`  exactly these rules report a finding starting on this line;
 *   `# expect-none`             a realistic look-alike: nothing may be reported on this line.
 * Every finding on a line without `expect:` naming its rule is a failure.
 */
export interface Expectation { line: number; cell?: number; rules: string[]; none: boolean }

export function readExpectations(file: string): Expectation[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: Expectation[] = [];
  const scan = (source: string, cell?: number) => {
    source.split('\n').forEach((line, i) => {
      const m = /#\s*expect(-none)?(?::\s*([\w, -]+))?\s*$/.exec(line);
      if (!m) return;
      out.push({ line: i, cell, none: !!m[1], rules: m[2] ? m[2].split(',').map((s) => s.trim()).filter(Boolean) : [] });
    });
  };
  if (file.endsWith('.ipynb')) {
    const nb = parseNotebook(text);
    if ('cells' in nb) nb.cells.forEach((c, i) => scan(c.source, i));
  } else {
    scan(text);
  }
  return out;
}

export function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...fixtureFiles(p));
    else if (detectInputKind(p)) out.push(p);
  }
  return out.sort();
}

/** Analyze a fixture with every rule, in a workspace rooted at the rule's fixture folder. */
export function analyzeFixture(file: string, root: string, extra: Partial<AnalyzeContext> = {}): (Finding & { cell?: number })[] {
  const workspace = new FsWorkspace({ roots: [root], hfCache: path.join(root, '.hf-cache'), env: {} });
  const ctx: AnalyzeContext = { rules: allRules, workspace, selection: {}, options: { trustedRepos: [] }, ...extra };
  const text = fs.readFileSync(file, 'utf8');
  const result = analyzeDocument({ uri: pathToFileURL(file).toString(), languageId: '', text }, ctx);
  if (result.errors.length) throw new Error(`${file}: ${result.errors.join('; ')}`);
  return result.findings;
}

/** Compare findings with the inline expectations; returns human-readable mismatches. */
export function compareWithExpectations(file: string, findings: (Finding & { cell?: number })[]): string[] {
  const problems: string[] = [];
  const expectations = readExpectations(file);
  const key = (line: number, cell?: number) => `${cell ?? ''}:${line}`;
  const expected = new Map(expectations.map((e) => [key(e.line, e.cell), e]));
  const rel = path.relative(REPO_ROOT, file);
  const where = (line: number, cell?: number) => `${rel}:${cell !== undefined ? `cell ${cell + 1}:` : ''}${line + 1}`;
  const seen = new Map<string, Set<string>>();
  for (const f of findings) {
    const k = key(f.range.start.line, f.cell);
    const e = expected.get(k);
    if (!seen.has(k)) seen.set(k, new Set());
    seen.get(k)!.add(f.ruleId);
    if (!e || e.none || !e.rules.includes(f.ruleId)) problems.push(`${where(f.range.start.line, f.cell)}: unexpected ${f.ruleId}: ${f.message}`);
  }
  for (const e of expectations) {
    for (const r of e.rules) if (!seen.get(key(e.line, e.cell))?.has(r)) problems.push(`${where(e.line, e.cell)}: expected ${r}, not reported`);
  }
  return problems;
}
