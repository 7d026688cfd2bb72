/**
 * Model files in the editor (architecture.md §9, §10): the `modellint/inspectModel` request behind
 * the preview panel, `model-file-*` diagnostics on the model files of the workspace, the hover on a
 * Python string literal that names a model file, and the error on a `torch.load` / `pickle.load` /
 * `joblib.load` of a literal path whose file is dangerous.
 *
 * Files are inspected by the scanner's worker (models/inspect.ts: bounded reads, memory and time
 * limits), one at a time, and the reports are cached by path, size and mtime. The engine stays
 * pure: nothing here runs inside a rule; the server adds these diagnostics from cached reports and
 * re-analyzes a document when a report it asked for arrives.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, MarkupKind, type Diagnostic, type Hover, type Position } from 'vscode-languageserver';
import { ruleDocsUrl } from '../engine/docs';
import { parseSuppressions, UNUSED_SUPPRESSION } from '../engine/suppression';
import type { Range, Severity } from '../engine/types';
import { buildPythonFacts, type ArgFact, type PythonFacts } from '../languages/python/facts';
import type { ParseCache } from '../languages/python/parse-cache';
import { sniff } from '../models/detect';
import { inspectFile } from '../models/inspect';
import type { ModelReport } from '../models/types';
import { MODEL_PREVIEW_DEFAULT_EXTENSIONS, MODEL_PREVIEW_OPTION_EXTENSIONS } from './protocol';

/** Extensions scanned in the workspace (`.bin` only when its first bytes look like a model). */
export const MODEL_FILE_EXTENSIONS: readonly string[] = [...MODEL_PREVIEW_DEFAULT_EXTENSIONS, ...MODEL_PREVIEW_OPTION_EXTENSIONS];
export const MODEL_FILES_GLOB = `**/*.{${MODEL_FILE_EXTENSIONS.join(',')}}`;
/** Folders never walked for model files. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', 'site-packages', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'dist-packages']);
/** At most this many model files are scanned per workspace. */
export const MAX_MODEL_FILES = 200;
/** At most this many directory entries are looked at while walking. */
const MAX_WALK_ENTRIES = 50_000;
/** At most this many diagnostics per model file. */
const MAX_DIAGNOSTICS_PER_FILE = 20;

export function isModelFileName(file: string): boolean {
  const ext = path.extname(file).slice(1).toLowerCase();
  return MODEL_FILE_EXTENSIONS.includes(ext);
}

/** `.bin` is anything: scan it only when content detection sees a model-ish format. */
function binLooksLikeModel(file: string, size: number): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(Math.min(size, 64));
    const n = fs.readSync(fd, head, 0, head.length, 0);
    const kinds = new Set(sniff(head.subarray(0, n), size).map((c) => c.kind));
    return ['zip', 'pickle', 'pytorch-legacy', 'npy', 'safetensors', 'gguf', 'ggml-legacy', 'hdf5'].some((k) => kinds.has(k as never));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Whether a path should be scanned (extension list, plus content detection for `.bin`). */
export function shouldScan(file: string): boolean {
  if (!isModelFileName(file)) return false;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return false;
  }
  if (!st.isFile()) return false;
  return path.extname(file).toLowerCase() !== '.bin' || binLooksLikeModel(file, st.size);
}

/** Model files under the roots, breadth-first, bounded; skips VCS folders, node_modules and virtual environments. */
export async function findModelFiles(roots: readonly string[], max = MAX_MODEL_FILES): Promise<string[]> {
  // Asynchronous reads: a large workspace is walked without holding up the analysis of open documents.
  const out: string[] = [];
  let seen = 0;
  const queue = [...roots];
  while (queue.length > 0 && out.length < max && seen < MAX_WALK_ENTRIES) {
    const dir = queue.shift()!;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    if (entries.some((e) => e.name === 'pyvenv.cfg') && !roots.includes(dir)) continue; // a virtual environment
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (++seen > MAX_WALK_ENTRIES || out.length >= max) break;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) queue.push(full);
      } else if (e.isFile() && shouldScan(full)) {
        out.push(full);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report cache

interface CacheEntry { size: number; mtimeMs: number; report: ModelReport }

/** Reports by path, valid while the file's size and mtime are unchanged; one inspection at a time. */
export class ModelReportCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ModelReport>>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly inspect: (file: string) => Promise<ModelReport> = (f) => inspectFile(f)) {}

  /** The cached report when it is still current. */
  get(file: string): ModelReport | undefined {
    const entry = this.entries.get(file);
    if (!entry) return undefined;
    try {
      const st = fs.statSync(file);
      if (st.size === entry.size && st.mtimeMs === entry.mtimeMs) return entry.report;
    } catch {
      /* gone */
    }
    this.entries.delete(file);
    return undefined;
  }

  /** The current report, inspecting the file when needed (queued: one worker at a time). */
  report(file: string): Promise<ModelReport> {
    const cached = this.get(file);
    if (cached) return Promise.resolve(cached);
    const pending = this.inflight.get(file);
    if (pending) return pending;
    const run = async () => {
      let st: fs.Stats | undefined;
      try {
        st = fs.statSync(file);
      } catch {
        /* the report says why */
      }
      const report = await this.inspect(file);
      if (st) this.entries.set(file, { size: st.size, mtimeMs: st.mtimeMs, report });
      return report;
    };
    const p = this.chain.then(run, run).finally(() => this.inflight.delete(file));
    this.chain = p.catch(() => undefined);
    this.inflight.set(file, p);
    return p;
  }

  invalidate(file?: string): void {
    if (file === undefined) this.entries.clear();
    else this.entries.delete(file);
  }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics on model files

const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };

/** Escapes invisible and control characters of file-derived text shown in the editor. */
export function visible(s: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const out = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

export interface ModelFileRuleFilter {
  /** False when the rule id is ignored (team configuration `ignore`, editor settings). */
  enabled(ruleId: string): boolean;
  severity(ruleId: string, computed: Severity): Severity;
}

/** The findings of a report as diagnostics on the model file (range 0:0–0:0). */
export function reportDiagnostics(report: ModelReport, filter?: ModelFileRuleFilter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const f of report.findings) {
    if (out.length >= MAX_DIAGNOSTICS_PER_FILE) break;
    if (filter && !filter.enabled(f.ruleId)) continue;
    const where = [f.detail.global, f.detail.entry !== undefined ? `in ${f.detail.entry}` : undefined, f.detail.offset !== undefined ? `at offset ${f.detail.offset}` : undefined].filter(Boolean).join(' ');
    const message = visible(f.message, 500) + (where && !f.message.includes(f.detail.global ?? '\u0000') ? ` (${visible(where, 200)})` : '');
    if (seen.has(`${f.ruleId}\u0000${message}`)) continue;
    seen.add(`${f.ruleId}\u0000${message}`);
    out.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: LSP_SEVERITY[filter ? filter.severity(f.ruleId, f.severity) : f.severity],
      code: f.ruleId,
      codeDescription: { href: ruleDocsUrl(f.ruleId) },
      source: 'modellint',
      message,
      data: { ruleId: f.ruleId, fixes: [] },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Python: string literals naming model files

export interface StringAt { value: string; start: number; end: number }

/** The plain string literal (no f-string, no escapes beyond \\ and quotes) around `character` on one line. */
export function stringLiteralAt(lineText: string, character: number): StringAt | undefined {
  const re = /(?<![A-Za-z0-9_])([rRuU]?)(["'])((?:\\.|(?!\2)[^\\\n])*)\2/g;
  for (let m = re.exec(lineText); m; m = re.exec(lineText)) {
    const start = m.index;
    const end = m.index + m[0].length;
    if (character < start || character > end) continue;
    const raw = m[3];
    const value = m[1].toLowerCase() === 'r' ? raw : raw.replace(/\\(["'\\])/g, '$1');
    return { value, start, end };
  }
  return undefined;
}

/** A literal path resolved against the document's folder, then the workspace roots: an existing regular file, or undefined. */
export function resolveModelPath(literal: string, docPath: string | undefined, roots: readonly string[]): string | undefined {
  if (literal.length === 0 || literal.length > 4096 || literal.includes('\0') || /^[a-z][a-z0-9+.-]*:\/\//i.test(literal)) return undefined;
  const candidates: string[] = [];
  if (path.isAbsolute(literal)) candidates.push(literal);
  else {
    if (docPath) candidates.push(path.resolve(path.dirname(docPath), literal));
    for (const root of roots) candidates.push(path.resolve(root, literal));
  }
  for (const c of candidates) {
    try {
      if (fs.statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

const VERDICT_ICON: Record<ModelReport['verdict'], string> = { safe: '✅', suspicious: '⚠️', invalid: '❔', dangerous: '⛔' };

/** Markdown-escapes file-derived text (no HTML, no links, no emphasis). */
export function mdEscape(s: string, max = 300): string {
  return visible(s, max).replace(/[\\`*_{}[\]()<>#+\-.!|~&]/g, (c) => `\\${c}`);
}

export function modelHoverMarkdown(report: ModelReport, shown: string): string {
  const lines = [
    `**Model file** \`${visible(shown, 200).replace(/`/g, "'")}\``,
    '',
    `${VERDICT_ICON[report.verdict]} **${report.verdict}**: ${mdEscape(report.summary, 400)}`,
    '',
    `Format: ${mdEscape(report.format)}${report.variant ? ` (${mdEscape(report.variant, 200)})` : ''}`,
    '',
    `Tensors: ${report.totals.count.toLocaleString('en-US')}${report.tensorsTruncated ? '+' : ''} · parameters: ${report.totals.parameters.toLocaleString('en-US')} · size: ${report.size.toLocaleString('en-US')} bytes`,
  ];
  const reasons = report.findings.slice(0, 3);
  if (reasons.length > 0) {
    lines.push('', 'Reasons:');
    for (const f of reasons) lines.push(`- \`${f.ruleId}\`: ${mdEscape(f.message, 300)}`);
    if (report.findings.length > 3) lines.push(`- … ${report.findings.length - 3} more (open the file in the ModelLint preview)`);
  }
  lines.push('', `Read ${report.bytesRead.toLocaleString('en-US')} bytes in ${report.durationMs} ms; nothing was executed.`);
  return lines.join('\n');
}

/**
 * Hover on a Python string literal naming an existing model file: the report's summary. Waits for
 * the inspection (bounded by the worker's timeout).
 */
export async function modelPathHover(
  lineText: string,
  position: Position,
  docPath: string | undefined,
  roots: readonly string[],
  cache: ModelReportCache,
): Promise<Hover | undefined> {
  const lit = stringLiteralAt(lineText, position.character);
  if (!lit) return undefined;
  const file = resolveModelPath(lit.value, docPath, roots);
  if (!file || !isModelFileName(file)) return undefined;
  const report = await cache.report(file);
  return {
    contents: { kind: MarkupKind.Markdown, value: modelHoverMarkdown(report, lit.value) },
    range: { start: { line: position.line, character: lit.start }, end: { line: position.line, character: lit.end } },
  };
}

// ---------------------------------------------------------------------------------------------
// Python: loads of a literal path whose file is dangerous

/** Loaders whose first argument (or `f=` / `file=` / `filename=`…) names the file, or an `open(...)` of it. */
const MODEL_LOADERS = new Set([
  'torch.load', 'torch.jit.load', 'torch.serialization.load', 'pickle.load', 'pickle.loads', '_pickle.load', 'cPickle.load', 'dill.load', 'cloudpickle.load',
  'joblib.load', 'sklearn.externals.joblib.load', 'pandas.read_pickle', 'numpy.load', 'keras.models.load_model', 'tensorflow.keras.models.load_model', 'tf_keras.models.load_model',
]);
const PATH_KEYWORDS = ['f', 'file', 'filename', 'filepath', 'path', 'filepath_or_buffer'];
/** Words that locate the loader calls in the syntax tree (buildPythonFacts callWords). */
const LOAD_CALL_WORDS = ['load', 'loads', 'read_pickle', 'load_model'];

export interface LoadOfModel { call: string; literal: string; range: Range }

/** The string a path argument is known to be: a literal or constant, or the literal path of an `open(...)` around it. */
function pathOf(arg: ArgFact | undefined): string | undefined {
  const v = arg?.value;
  if (v?.kind === 'string') return v.value;
  if (v?.kind === 'call' && v.file?.kind === 'string') return v.file.value;
  return undefined;
}

/** The loads of statically known paths among the calls of a file's Python facts. */
export function modelLoadsOf(facts: PythonFacts): LoadOfModel[] {
  const out: LoadOfModel[] = [];
  for (const call of facts.calls) {
    if (!call.qname || !MODEL_LOADERS.has(call.qname)) continue;
    const arg = call.positional[0] ?? PATH_KEYWORDS.map((k) => call.keywords.get(k)).find((a) => a !== undefined);
    const literal = pathOf(arg);
    if (literal !== undefined && arg) out.push({ call: call.qname, literal, range: arg.range });
  }
  return out;
}

/**
 * Loads of a path the front-end resolves statically (`torch.load("ckpt.pt")`, `CKPT = "…"; joblib.load(CKPT)`,
 * `pickle.load(open("m.pkl", "rb"))`), through imports and aliases. Uses the document's cached syntax tree.
 */
export function literalModelLoads(text: string, cache?: ParseCache, key?: string): LoadOfModel[] {
  if (!/\b(load|loads|read_pickle|load_model)\s*\(/.test(text)) return [];
  const facts = buildPythonFacts(text, { cache, key, callWords: LOAD_CALL_WORDS });
  try {
    return modelLoadsOf(facts);
  } finally {
    facts.dispose();
  }
}

/**
 * Errors for loads of literal paths whose cached report is dangerous. Paths without a cached
 * report are handed to `missing` (the caller inspects them and re-analyzes the document).
 */
export function dangerousLoadDiagnostics(
  loads: readonly LoadOfModel[],
  docPath: string | undefined,
  roots: readonly string[],
  cache: ModelReportCache,
  missing: (file: string) => void,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const load of loads) {
    const file = resolveModelPath(load.literal, docPath, roots);
    if (!file) continue;
    const report = cache.get(file);
    if (!report) {
      missing(file);
      continue;
    }
    if (report.verdict !== 'dangerous') continue;
    const top = report.findings.find((f) => f.verdict === 'dangerous') ?? report.findings[0];
    const ruleId = top?.ruleId ?? 'model-file-unsafe-pickle';
    out.push({
      range: load.range,
      severity: DiagnosticSeverity.Error,
      code: ruleId,
      codeDescription: { href: ruleDocsUrl(ruleId) },
      source: 'modellint',
      message: `${load.call} loads '${visible(load.literal, 200)}', which is dangerous: ${visible(top?.message ?? report.summary, 400)}`,
      data: { ruleId, fixes: [] },
    });
  }
  return out;
}

/**
 * Adds the load diagnostics to a document's diagnostics, honouring `# modellint: ignore[...]`
 * comments with the engine's rules (engine/suppression.ts): a suppressed load diagnostic is dropped,
 * and so is the `unused-suppression` the engine reported for that comment (it ran before these
 * diagnostics existed).
 */
export function mergeLoadDiagnostics(text: string, analysis: Diagnostic[], loads: Diagnostic[]): Diagnostic[] {
  if (loads.length === 0) return analysis;
  if (!text.includes('modellint:')) return [...analysis, ...loads];
  const comments = parseSuppressions(text);
  const usedRanges: Range[] = [];
  const kept: Diagnostic[] = [];
  for (const d of loads) {
    let suppressed = false;
    for (const c of comments) {
      for (const entry of c.ids) {
        if (entry.id !== d.code) continue;
        const line = d.range.start.line;
        if (c.kind === 'file' || (line >= c.target && line <= c.targetEnd) || (!c.standalone && c.line === d.range.end.line)) {
          suppressed = true;
          usedRanges.push(entry.range);
        }
      }
    }
    if (!suppressed) kept.push(d);
  }
  const same = (a: Range, b: Range) => a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
  const rest = usedRanges.length === 0 ? analysis : analysis.filter((d) => !(d.code === UNUSED_SUPPRESSION && usedRanges.some((r) => same(r, d.range))));
  return [...rest, ...kept];
}

export function fileUriOf(file: string): string {
  return pathToFileURL(file).href;
}
