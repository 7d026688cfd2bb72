import type { DocumentInput, Finding } from './types';
import { type FactKind, type FactsByKind, type Rule, type RuleContext, type RuleOptions } from './rule';
import { effectiveSeverity, isRuleEnabled, type RuleSelection } from './selection';
import { applySuppressions, UNUSED_SUPPRESSION } from './suppression';
import type { WorkspaceFacts } from '../workspace/workspace-facts';
import { detectInputKind, type InputKind } from '../languages/detect';
import { buildPythonFacts, wordsInCode, type PythonFacts } from '../languages/python/facts';
import { mayStartCommands, SUBPROCESS_CALL_WORDS } from '../languages/python/subprocess';
import { pythonCodeText } from '../languages/python/code-text';
import { TriggerMatcher, triggerGroups, triggersSatisfied } from './trigger-matcher';
import type { ParseCache } from '../languages/python/parse-cache';
import { parseNotebook, type NotebookCell } from '../languages/notebook';
import { parseRequirementsFacts } from '../workspace/requirements';
import { parseConfigText } from '../config/team-config';
import { buildTritonConfigFacts } from '../languages/pbtxt/facts';
import { buildPropertiesFacts } from '../languages/properties/facts';
import { buildJsonFacts } from '../languages/json/facts';
import { buildServingFacts } from '../languages/serving';
import { dockerfileFactsOf } from '../languages/dockerfile/cache';
import { buildKubernetesFacts } from '../languages/yaml/facts';

export interface AnalyzeContext {
  /** The rules to run (the registry, rules/index.ts, or a subset in tests). */
  rules: readonly Rule[];
  workspace: WorkspaceFacts;
  selection: RuleSelection;
  options: RuleOptions;
  /** Texts larger than this are not analyzed (reported as skipped). Default 8 MiB. */
  maxBytes?: number;
  /**
   * Keeps the previous syntax tree per document so that an edited document is re-parsed
   * incrementally (the language server passes one; the CLI does not need it).
   */
  parseCache?: ParseCache;
  /**
   * Called with the Python facts of the analysis (when a Python text was parsed), before they are
   * released: the language server reads the loads of model files from them instead of parsing again.
   */
  onPythonFacts?: (facts: PythonFacts) => void;
}

export interface AnalysisResult {
  findings: Finding[];
  /** Set when the document was not analyzed at all, with the reason for the user. */
  skipped?: string;
  /** Internal failures of single rules; the other rules' findings are still returned. */
  errors: string[];
}

/** A finding inside a notebook: `cell` is the index among all cells, the range is relative to that cell. */
export interface NotebookFinding extends Finding { cell: number }

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

/** The engine contract of architecture.md §4. */
export function analyze(doc: DocumentInput, ctx: AnalyzeContext): Finding[] {
  return analyzeDocument(doc, ctx).findings;
}

export function analyzeDocument(doc: DocumentInput, ctx: AnalyzeContext): AnalysisResult {
  const kind = detectInputKind(doc.uri, doc.languageId, doc.text);
  if (!kind) return { findings: [], errors: [], skipped: 'not a file kind ModelLint analyzes' };
  const refusal = refuseText(doc.text, ctx.maxBytes ?? DEFAULT_MAX_BYTES);
  if (refusal) return { findings: [], errors: [], skipped: refusal };
  if (kind === 'notebook') {
    const nb = analyzeNotebookText(doc, ctx);
    return { findings: nb.findings, errors: nb.errors, skipped: nb.skipped };
  }
  return runRules(kind, doc, ctx);
}

/** Analyze the code cells of a notebook given as separate texts (the language server's notebook sync). */
export function analyzeNotebookCells(uri: string, cells: NotebookCell[], ctx: AnalyzeContext): { findings: NotebookFinding[]; errors: string[] } {
  const joined = joinCells(cells);
  const result = runRules('python', { uri, languageId: 'python', text: joined.text }, ctx);
  const findings: NotebookFinding[] = [];
  for (const f of result.findings) {
    const located = joined.locate(f);
    if (located) findings.push(located);
  }
  return { findings, errors: result.errors };
}

function analyzeNotebookText(doc: DocumentInput, ctx: AnalyzeContext): { findings: NotebookFinding[]; errors: string[]; skipped?: string } {
  const nb = parseNotebook(doc.text);
  if ('error' in nb) return { findings: [], errors: [], skipped: nb.error };
  return analyzeNotebookCells(doc.uri, nb.cells, ctx);
}

/**
 * Code cells are joined into one Python text so that imports and constants of earlier cells
 * resolve in later ones; non-code cells and IPython magics become blank lines of the same shape.
 */
function joinCells(cells: NotebookCell[]) {
  const starts: { cell: number; line: number; lines: number }[] = [];
  const parts: string[] = [];
  let line = 0;
  cells.forEach((cell, index) => {
    if (cell.kind !== 'code') return;
    const source = blankMagics(cell.source);
    const lines = source.split('\n').length;
    starts.push({ cell: index, line, lines });
    parts.push(source);
    line += lines;
  });
  const text = parts.join('\n');
  const locate = (f: Finding): NotebookFinding | undefined => {
    const owner = starts.find((s) => f.range.start.line >= s.line && f.range.start.line < s.line + s.lines);
    if (!owner) return undefined;
    const shift = (l: number) => Math.min(Math.max(l - owner.line, 0), owner.lines - 1);
    const mapRange = (r: Finding['range']) => ({
      start: { line: shift(r.start.line), character: r.start.character },
      end: { line: shift(r.end.line), character: r.end.line >= owner.line + owner.lines ? 0 : r.end.character },
    });
    return {
      ...f,
      cell: owner.cell,
      range: mapRange(f.range),
      fixes: f.fixes
        ?.filter((fix) => fix.edits.every((e) => e.range.start.line >= owner.line && e.range.end.line < owner.line + owner.lines))
        .map((fix) => ({ ...fix, edits: fix.edits.map((e) => ({ ...e, range: mapRange(e.range) })) })),
      related: f.related?.map((r) => (r.uri ? r : { ...r, range: mapRange(r.range) })),
    };
  };
  return { text, locate };
}

/** IPython line magics and shell escapes are not Python: keep their length, drop their content. */
function blankMagics(source: string): string {
  return source
    .split('\n')
    .map((l) => (/^\s*[%!]/.test(l) ? l.replace(/[^\s]/g, ' ') : l))
    .join('\n');
}

function refuseText(text: string, maxBytes: number): string | undefined {
  if (text.length > maxBytes) return `file is larger than ${Math.round(maxBytes / 1048576)} MiB; not analyzed`;
  const head = text.length > 8192 ? text.slice(0, 8192) : text;
  if (head.includes('\u0000')) return 'binary content (NUL bytes); not analyzed';
  return undefined;
}

/** The facts each input kind yields; a file may feed several (pyproject.toml: dependencies and configuration). */
const FACT_KINDS: Record<InputKind, FactKind[]> = {
  python: ['python', 'serving'],
  notebook: ['python'],
  requirements: ['requirements'],
  pyproject: ['requirements', 'config'],
  'setup-cfg': ['requirements'],
  'conda-env': ['requirements'],
  dockerfile: ['requirements', 'dockerfile', 'serving'],
  'modellint-config': ['config'],
  pbtxt: ['pbtxt'],
  properties: ['properties'],
  'model-json': ['json'],
  shell: ['serving'],
  'kubernetes-yaml': ['kubernetes', 'serving'],
  'compose-yaml': ['kubernetes', 'serving'],
  yaml: [],
};

const callWordsCache = new WeakMap<readonly Rule[], readonly string[] | undefined>();

/**
 * The words that locate the calls any Python rule may look at: every rule's trigger words (of all
 * registered rules, so that a rule reading another rule's calls still sees them). Undefined when a
 * rule has no triggers: then every call is collected.
 */
function pythonCallWords(rules: readonly Rule[]): readonly string[] | undefined {
  if (!callWordsCache.has(rules)) {
    const python = rules.filter((r) => r.check.python);
    callWordsCache.set(rules, python.every((r) => r.callWords || r.triggers) ? [...new Set(python.flatMap((r) => r.callWords ?? r.triggers!.flat()))] : undefined);
  }
  return callWordsCache.get(rules);
}

/**
 * One Python parse per analysis: the `python` facts and the Python `serving` facts (the commands a
 * file starts) read the same PythonFacts, built on first use with the call words of both.
 */
class SharedPython {
  private facts?: PythonFacts;
  constructor(private readonly doc: DocumentInput, private readonly ctx: AnalyzeContext) {}
  get = (): PythonFacts => {
    if (!this.facts) {
      const words = pythonCallWords(this.ctx.rules);
      const callWords = words && mayStartCommands(this.doc.text) ? [...words, ...SUBPROCESS_CALL_WORDS] : words;
      this.facts = buildPythonFacts(this.doc.text, { cache: this.ctx.parseCache, key: this.doc.uri, callWords });
    }
    return this.facts;
  };
  dispose(): void {
    if (!this.facts) return;
    try {
      this.ctx.onPythonFacts?.(this.facts);
    } finally {
      this.facts.dispose();
      this.facts = undefined;
    }
  }
}

const triggerMatchers = new WeakMap<readonly Rule[], { matcher: TriggerMatcher; slot: string }>();
let matcherCount = 0;

/**
 * The prefilter: the Python rules whose trigger words occur in code (outside comments and
 * docstrings). When none remain, the file is not even parsed. With a parse cache (open documents)
 * the words are found per top-level statement and kept across edits.
 */
function activePythonRules(rules: readonly Rule[], doc: DocumentInput, ctx: AnalyzeContext): Rule[] {
  let entry = triggerMatchers.get(ctx.rules);
  if (!entry) {
    entry = { matcher: new TriggerMatcher(triggerGroups(ctx.rules.filter((r) => r.check.python))), slot: `trigger-words-${++matcherCount}` };
    triggerMatchers.set(ctx.rules, entry);
  }
  const { matcher, slot } = entry;
  if (!matcher.matches(doc.text)) return rules.filter((r) => !r.triggers);
  const inCode = ctx.parseCache
    ? wordsInCode(doc.text, { cache: ctx.parseCache, key: doc.uri }, slot, (code) => matcher.present(code))
    : matcher.present(pythonCodeText(doc.text));
  return rules.filter((r) => !r.triggers || triggersSatisfied(r.triggers, inCode));
}

function buildFacts(factKind: FactKind, kind: InputKind, doc: DocumentInput, ctx: AnalyzeContext, python: SharedPython): FactsByKind[FactKind] {
  switch (factKind) {
    case 'python':
      return python.get();
    case 'requirements':
      return parseRequirementsFacts(kind, doc.text, doc.uri);
    case 'config': {
      const ids = new Set(ctx.rules.map((r) => r.meta.id));
      const groups = new Set<string>(ctx.rules.map((r) => r.meta.group));
      return parseConfigText(doc.text, kind === 'pyproject' ? 'pyproject' : 'modellint', ids, groups);
    }
    case 'pbtxt':
      return buildTritonConfigFacts(doc.text, doc.uri);
    case 'properties':
      return buildPropertiesFacts(doc.uri, doc.text);
    case 'json':
      return buildJsonFacts(doc.uri, doc.text);
    case 'serving':
      return buildServingFacts(kind, doc, ctx.workspace, ctx.parseCache, python.get);
    case 'dockerfile':
      return dockerfileFactsOf(doc.text);
    case 'kubernetes':
      return buildKubernetesFacts(doc.text, kind === 'compose-yaml' ? 'compose' : 'kubernetes');
  }
}

function runRules(kind: InputKind, doc: DocumentInput, ctx: AnalyzeContext): AnalysisResult {
  const factKinds = FACT_KINDS[kind];
  const enabled = ctx.rules.filter((r) => factKinds.some((k) => r.check[k]) && isRuleEnabled(r, ctx.selection));
  const reportUnused = ctx.rules.some((r) => r.meta.id === UNUSED_SUPPRESSION && isRuleEnabled(r, ctx.selection));
  const hasSuppressions = doc.text.includes('modellint:');
  const errors: string[] = [];
  let findings: Finding[] = [];
  const ruleCtx: RuleContext = { uri: doc.uri, text: doc.text, workspace: ctx.workspace, options: ctx.options };
  const python = new SharedPython(doc, ctx);
  try {
    for (const factKind of factKinds) {
      const rules = enabled.filter((r) => r.check[factKind]);
      const active = factKind === 'python' ? activePythonRules(rules, doc, ctx) : rules;
      if (active.length === 0) continue;
      let facts: FactsByKind[FactKind];
      try {
        facts = buildFacts(factKind, kind, doc, ctx, python);
      } catch (e) {
        errors.push(`could not read ${kind} file: ${(e as Error).message}`);
        continue;
      }
      for (const rule of active) {
        const check = rule.check[factKind] as ((f: FactsByKind[FactKind], c: RuleContext) => Finding[]) | undefined;
        if (!check) continue;
        try {
          for (const f of check(facts, ruleCtx)) findings.push({ ...f, severity: effectiveSeverity(f.ruleId, f.severity, ctx.selection) });
        } catch (e) {
          errors.push(`rule ${rule.meta.id} failed: ${(e as Error).message}`);
        }
      }
    }
  } finally {
    python.dispose();
  }
  if (hasSuppressions) {
    const known = new Set(ctx.rules.map((r) => r.meta.id));
    const suppressed = applySuppressions(doc.text, findings, new Set(enabled.map((r) => r.meta.id)), known);
    findings = suppressed.findings;
    if (reportUnused) for (const f of suppressed.unused) findings.push({ ...f, severity: effectiveSeverity(f.ruleId, f.severity, ctx.selection) });
  }
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId));
  return { findings, errors };
}
