import { pathToFileURL } from 'node:url';
import { analyzeDocument, type AnalyzeContext } from '../engine/analyze';
import type { Rule, RuleOptions } from '../engine/rule';
import { isRuleEnabled, type RuleSelection } from '../engine/selection';
import type { Range, Severity } from '../engine/types';
import type { InputKind } from '../languages/detect';
import { parseNotebook } from '../languages/notebook';
import type { WorkspaceFacts } from '../workspace/workspace-facts';
import type { DiscoveredFile } from './discover';
import { notebookLocator } from './notebook-regions';
import { decodeUtf8, looksBinary, readBounded } from './read-file';
import { TriggerMatcher, triggerGroups } from '../engine/trigger-matcher';

/** A finding as the CLI reports it (plain data: it crosses worker boundaries). */
export interface CheckFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** 0-based, UTF-16; for notebooks relative to the cell. */
  range: Range;
  fixable: boolean;
  /** Notebooks: index of the cell among the notebook's cells (0-based). */
  cell?: number;
  /** SARIF and baselines: the text of the finding's first line (for fingerprints). */
  lineText?: string;
  /** SARIF only, notebooks: the finding's range in the .ipynb JSON text itself. */
  fileRange?: Range;
}

export interface FileResult {
  rel: string;
  findings: CheckFinding[];
  /** Why the file was not analyzed (too large, binary, invalid notebook…). */
  skipped?: string;
  /** Internal failures (a rule threw); the file's other findings are still reported. */
  errors: string[];
}

/** What applies to one file (from the team configuration in force there and the command line). */
export interface FileProfile {
  /** Equal keys mean equal settings (one profile is built per key). */
  key: string;
  selection: RuleSelection;
  options: RuleOptions;
  workspace: WorkspaceFacts;
}

export interface AnalyzerOptions {
  rules: readonly Rule[];
  settingsFor(abs: string): FileProfile;
  /** Compute line texts and notebook file ranges (SARIF fingerprints and locations, baselines). */
  lineTexts: boolean;
}

interface Profile {
  ctx: AnalyzeContext;
  /** Any-of groups of all-of words (see Rule.triggers); undefined: no byte prefilter. */
  pythonTriggers: TriggerMatcher | undefined;
}

const LANGUAGE_ID: Record<InputKind, string> = {
  python: 'python',
  notebook: 'jupyter-notebook',
  requirements: 'pip-requirements',
  pyproject: 'toml',
  'setup-cfg': 'ini',
  'conda-env': 'yaml',
  dockerfile: 'dockerfile',
  'modellint-config': 'toml',
  pbtxt: 'pbtxt',
  properties: 'properties',
  'model-json': 'json',
  shell: 'shellscript',
  'kubernetes-yaml': 'yaml',
  'compose-yaml': 'dockercompose',
  yaml: 'yaml',
};

/**
 * Reads and analyzes one file at a time, synchronously (no per-file promise overhead).
 * Python files that contain none of the enabled rules' trigger words are dismissed on the raw
 * bytes, before decoding (the engine then leaves out words in comments and docstrings).
 */
export class FileAnalyzer {
  private readonly profiles = new Map<string, Profile>();

  constructor(private readonly opts: AnalyzerOptions) {}

  private profile(abs: string): Profile {
    const p = this.opts.settingsFor(abs);
    let profile = this.profiles.get(p.key);
    if (!profile) {
      const ctx: AnalyzeContext = { rules: this.opts.rules, selection: p.selection, options: p.options, workspace: p.workspace };
      let pythonTriggers: TriggerMatcher | undefined;
      const python = this.opts.rules.filter((r) => r.check.python && isRuleEnabled(r, p.selection));
      if (python.every((r) => r.triggers && r.triggers.length > 0)) {
        const groups = triggerGroups(python);
        // Suppression comments must still be checked for staleness.
        groups.push(['modellint:']);
        pythonTriggers = new TriggerMatcher(groups);
      }
      profile = { ctx, pythonTriggers };
      this.profiles.set(p.key, profile);
    }
    return profile;
  }

  analyze(file: DiscoveredFile): FileResult {
    const profile = this.profile(file.abs);
    const read = readBounded(file.abs);
    if ('skipped' in read) return { rel: file.rel, findings: [], skipped: read.skipped, errors: [] };
    const bytes = read.bytes;
    if (looksBinary(bytes)) return { rel: file.rel, findings: [], skipped: 'binary content', errors: [] };
    // The engine's own prefilter, without decoding. Notebooks are left to the engine,
    // which reports unreadable ones (and their sources are JSON-escaped).
    const triggers = file.kind === 'python' ? profile.pythonTriggers : undefined;
    if (triggers && !triggers.matches(bytes)) return { rel: file.rel, findings: [], errors: [] };

    const text = decodeUtf8(bytes);
    try {
      const result = analyzeDocument({ uri: pathToFileURL(file.abs).href, languageId: LANGUAGE_ID[file.kind], text }, profile.ctx);
      const findings: CheckFinding[] = result.findings.map((f) => {
        const out: CheckFinding = { ruleId: f.ruleId, severity: f.severity, message: f.message, range: f.range, fixable: (f.fixes?.length ?? 0) > 0 };
        const cell = (f as { cell?: unknown }).cell;
        if (typeof cell === 'number') out.cell = cell;
        return out;
      });
      if (this.opts.lineTexts && findings.length > 0) attachSarifLocations(file.kind, text, findings);
      return { rel: file.rel, findings, skipped: result.skipped ? cleanReason(result.skipped) : undefined, errors: result.errors };
    } catch (e) {
      return { rel: file.rel, findings: [], errors: [`analysis failed: ${(e as Error)?.message ?? String(e)}`] };
    }
  }
}

/** The engine's reasons end in "; not analyzed", which the reports already say. */
function cleanReason(reason: string): string {
  return reason.replace(/;\s*not analyzed\s*$/, '');
}

function lineAt(text: string, starts: number[], line: number): string {
  if (line < 0 || line >= starts.length) return '';
  const end = line + 1 < starts.length ? starts[line + 1] - 1 : text.length;
  return text.slice(starts[line], end).replace(/\r$/, '');
}

function lineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i !== -1) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return starts;
}

function attachSarifLocations(kind: InputKind, text: string, findings: CheckFinding[]): void {
  if (kind !== 'notebook') {
    const starts = lineStarts(text);
    for (const f of findings) f.lineText = lineAt(text, starts, f.range.start.line);
    return;
  }
  const nb = parseNotebook(text);
  const locate = notebookLocator(text);
  const cellLines = new Map<number, { text: string; starts: number[] }>();
  for (const f of findings) {
    if (f.cell === undefined) continue;
    if ('cells' in nb) {
      let c = cellLines.get(f.cell);
      if (!c) {
        const source = nb.cells[f.cell]?.source ?? '';
        c = { text: source, starts: lineStarts(source) };
        cellLines.set(f.cell, c);
      }
      f.lineText = lineAt(c.text, c.starts, f.range.start.line);
    }
    const start = locate?.(f.cell, f.range.start);
    const end = locate?.(f.cell, f.range.end);
    if (start && end) f.fileRange = { start, end };
  }
}
