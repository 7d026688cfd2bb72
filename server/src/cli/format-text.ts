import type { Severity } from '../engine/types';
import { countBySeverity, totalFindings, type CheckReport } from './report';

const ESC = '\u001b[';
const paint = (code: string, s: string) => `${ESC}${code}m${s}${ESC}0m`;
const SEVERITY_COLOR: Record<Severity, string> = { error: '31', warning: '33', info: '36' };

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * `path:line:col: severity rule-id message`, one line per finding (notebooks: `path:cell N:line:col: …`),
 * then a summary line. Lines and columns are 1-based; columns count UTF-16 code units.
 */
export function formatText(report: CheckReport, color: boolean): string {
  const out: string[] = [];
  for (const file of report.files) {
    for (const f of file.findings) {
      const where = `${file.rel}:${f.cell !== undefined ? `cell ${f.cell + 1}:` : ''}${f.range.start.line + 1}:${f.range.start.character + 1}:`;
      if (color) {
        out.push(`${paint('1', where)} ${paint(SEVERITY_COLOR[f.severity], f.severity)} ${paint('2', f.ruleId)} ${f.message}`);
      } else {
        out.push(`${where} ${f.severity} ${f.ruleId} ${f.message}`);
      }
    }
  }
  const total = totalFindings(report);
  const checked = plural(report.filesChecked, 'file');
  if (total === 0) {
    out.push(`No ${report.baselined !== undefined ? 'new ' : ''}problems found (${checked} checked).`);
  } else {
    const by = countBySeverity(report);
    const parts = [by.error ? plural(by.error, 'error') : '', by.warning ? plural(by.warning, 'warning') : '', by.info ? `${by.info} info` : ''].filter(Boolean);
    if (out.length > 0) out.push('');
    const line = `Found ${plural(total, 'problem')} (${parts.join(', ')}) in ${checked}.`;
    out.push(color ? paint('1', line) : line);
  }
  if (report.baselined) out.push(`${plural(report.baselined, 'baselined finding')} not shown (--baseline).`);
  if (report.skipped.length > 0) out.push(`${plural(report.skipped.length, 'file')} skipped (reasons on standard error).`);
  return out.join('\n') + '\n';
}
