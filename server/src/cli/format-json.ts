import { countBySeverity, totalFindings, type CheckReport } from './report';

/**
 * The stable JSON report (architecture.md §11). Lines and columns are 1-based, columns in UTF-16
 * code units. For notebooks, `cell` is the 1-based cell number and line/column are relative to that cell.
 */
export function formatJson(report: CheckReport): string {
  const findings: Record<string, unknown>[] = [];
  for (const file of report.files) {
    for (const f of file.findings) {
      const entry: Record<string, unknown> = { rule: f.ruleId, severity: f.severity, file: file.rel };
      if (f.cell !== undefined) entry.cell = f.cell + 1;
      entry.line = f.range.start.line + 1;
      entry.column = f.range.start.character + 1;
      entry.endLine = f.range.end.line + 1;
      entry.endColumn = f.range.end.character + 1;
      entry.message = f.message;
      entry.fixable = f.fixable;
      findings.push(entry);
    }
  }
  const doc = {
    version: 1,
    findings,
    summary: {
      files: report.filesChecked,
      findings: totalFindings(report),
      bySeverity: countBySeverity(report),
      skipped: report.skipped.map((s) => ({ file: s.file, reason: s.reason })),
      durationMs: Math.round(report.durationMs),
      ...(report.baselined !== undefined ? { baselined: report.baselined } : {}),
    },
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
