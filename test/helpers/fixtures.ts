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
 * Lines that cannot carry a trailing comment (Dockerfile instructions other than RUN: `FROM`,
 * `ENV`, `USER`, …; YAML block scalars) take the annotation on a comment line of its own directly
 * above them; it applies to the next line that is neither blank nor a comment:
 *   `# expect-next: rule-a`     as `# expect:` for that line;
 *   `# expect-next-none`        as `# expect-none` for that line.
 * Every finding on a line without `expect:` naming its rule is a failure.
 */
export interface Expectation { line: number; cell?: number; rules: string[]; none: boolean }

export function readExpectations(file: string): Expectation[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: Expectation[] = [];
  if (file.endsWith('.json')) return jsonExpectations(file, text);
  const scan = (source: string, cell?: number) => {
    const lines = source.split('\n');
    lines.forEach((line, i) => {
      const next = /^\s*#\s*expect-next(-none)?(?::\s*([\w, -]+))?\s*$/.exec(line);
      if (next) {
        let target = i + 1;
        while (target < lines.length && (lines[target].trim() === '' || /^\s*#/.test(lines[target]))) target++;
        out.push({ line: target, cell, none: !!next[1], rules: next[2] ? next[2].split(',').map((s) => s.trim()).filter(Boolean) : [] });
        return;
      }
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

/**
 * JSON has no comments: the expectations of `x.json` live in `x.json.expect`, one per line, as the
 * flagged line's text (trimmed) followed by the annotation, e.g. `"trust_remote_code": true,  # expect: rule`.
 */
function jsonExpectations(file: string, text: string): Expectation[] {
  const sidecar = `${file}.expect`;
  if (!fs.existsSync(sidecar)) return [];
  const lines = text.split('\n').map((l) => l.trim());
  const out: Expectation[] = [];
  for (const entry of fs.readFileSync(sidecar, 'utf8').split('\n')) {
    const m = /^(.*?)\s+#\s*expect(-none)?(?::\s*([\w, -]+))?\s*$/.exec(entry.trim());
    if (!m) continue;
    const line = lines.indexOf(m[1].trim());
    if (line < 0) throw new Error(`${sidecar}: no line ${JSON.stringify(m[1])} in ${path.basename(file)}`);
    out.push({ line, none: !!m[2], rules: m[3] ? m[3].split(',').map((x) => x.trim()).filter(Boolean) : [] });
  }
  return out;
}

/**
 * The text a fixture is analyzed as. In `.properties` files `#` starts a comment only at the start
 * of a line (Java reads `key=true  # expect: x` as the value "true  # expect: x"), so trailing
 * annotations are cut off before analysis (positions before them are unchanged). (Dockerfile
 * instructions and YAML block scalars use `# expect-next:` instead.)
 */
export function fixtureText(file: string, text: string): string {
  if (!file.endsWith('.properties')) return text;
  return text.replace(/^([ \t]*[^#!\s\n][^\n]*?)([ \t]+#\s*expect(?:-none)?(?::\s*[\w, -]+)?[ \t]*)$/gm, (_m, body: string) => body);
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
  const text = fixtureText(file, fs.readFileSync(file, 'utf8'));
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

/** Analyze `text` as the content of fixture `file` (e.g. after applying a fix), in the rule folder's workspace. */
export function analyzeFixtureText(file: string, root: string, text: string): Finding[] {
  const workspace = new FsWorkspace({ roots: [root], hfCache: path.join(root, '.hf-cache'), env: {} });
  const ctx: AnalyzeContext = { rules: allRules, workspace, selection: {}, options: { trustedRepos: [] } };
  return analyzeDocument({ uri: pathToFileURL(file).toString(), languageId: '', text }, ctx).findings;
}

/** How many findings each rule reported. */
export function countByRule(findings: readonly Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) m.set(f.ruleId, (m.get(f.ruleId) ?? 0) + 1);
  return m;
}
