import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { Finding, Fix, Severity } from '../engine/types';
import { ruleDocsUrl } from '../engine/docs';

/** What every ModelLint diagnostic carries in `data`, so code actions need no server state (style.md lesson 5). */
export interface DiagnosticData {
  ruleId: string;
  fixes: Fix[];
}

export const DIAGNOSTIC_SOURCE = 'modellint';

/** The one place severities are mapped to LSP (style.md lesson 4). */
export function toLspSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'info':
      return DiagnosticSeverity.Information;
  }
}

const docsUrls = new Map<string, string>();
function docsUrl(ruleId: string): string {
  let url = docsUrls.get(ruleId);
  if (url === undefined) {
    url = ruleDocsUrl(ruleId);
    docsUrls.set(ruleId, url);
  }
  return url;
}

/**
 * A finding as an LSP diagnostic of the document `uri` (for notebooks: the cell's URI, with the
 * finding's range already relative to that cell).
 */
export function toDiagnostic(finding: Finding, uri: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: toLspSeverity(finding.severity),
    code: finding.ruleId,
    codeDescription: { href: docsUrl(finding.ruleId) },
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data: { ruleId: finding.ruleId, fixes: finding.fixes ?? [] } satisfies DiagnosticData,
  };
  if (finding.related && finding.related.length > 0) {
    diagnostic.relatedInformation = finding.related.map(
      (r): DiagnosticRelatedInformation => ({ location: { uri: r.uri ?? uri, range: r.range }, message: r.message }),
    );
  }
  return diagnostic;
}
