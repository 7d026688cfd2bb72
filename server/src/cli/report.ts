import type { RuleMeta } from '../engine/rule';
import type { Severity } from '../engine/types';
import type { CheckFinding, FileResult } from './analyze-file';

/** Everything a formatter needs about one `modellint check` run. Deterministic except `durationMs`. */
export interface CheckReport {
  /** Analyzed files (skipped ones excluded), sorted by path; findings sorted by position. */
  files: FileResult[];
  /** Number of files analyzed (not counting skipped ones). */
  filesChecked: number;
  skipped: { file: string; reason: string }[];
  durationMs: number;
  /** The rules that could run in this invocation (after --select/--ignore), in catalog order. */
  rules: RuleMeta[];
  /** Effective default level per rule id (after severity overrides). */
  ruleSeverity: Map<string, Severity>;
  cwd: string;
  /** With --baseline: how many findings were left out because the baseline records them. */
  baselined?: number;
}

export function countBySeverity(report: CheckReport): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const file of report.files) for (const f of file.findings) counts[f.severity]++;
  return counts;
}

export function totalFindings(report: CheckReport): number {
  let n = 0;
  for (const file of report.files) n += file.findings.length;
  return n;
}

/** Deterministic order inside a file: cell, line, column, rule id. */
export function compareFindings(a: CheckFinding, b: CheckFinding): number {
  return (
    (a.cell ?? -1) - (b.cell ?? -1) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    a.range.end.line - b.range.end.line ||
    a.range.end.character - b.range.end.character
  );
}
