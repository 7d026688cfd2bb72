import { pathToFileURL } from 'node:url';
import { ruleDocsUrl } from '../engine/docs';
import type { RuleMeta } from '../engine/rule';
import type { Range, Severity } from '../engine/types';
import type { CheckFinding } from './analyze-file';
import type { CheckReport } from './report';
import { LineFingerprints } from './fingerprint';

/** Where the project lives; SARIF's tool.driver.informationUri. */
export const INFORMATION_URI = 'https://github.com/modellint/modellint';
const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Key of our partial fingerprint; bump the version suffix if the hashed text ever changes. */
export const FINGERPRINT_KEY = 'modellintLineHash/v1';

type SarifLevel = 'error' | 'warning' | 'note';
const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

/** A relative path as a URI reference (segments percent-encoded, separators kept). */
function relativeUri(rel: string): string {
  return rel.split('/').map((segment) => encodeURIComponent(segment)).join('/');
}

function region(range: Range) {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

function ruleDescriptor(meta: RuleMeta, level: SarifLevel) {
  const helpUri = ruleDocsUrl(meta.id, false);
  return {
    id: meta.id,
    name: meta.id,
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.summary },
    helpUri,
    help: { text: `${meta.summary}\n\nDocumentation: ${helpUri}`, markdown: `${meta.summary}\n\n[Documentation](${helpUri})` },
    defaultConfiguration: { level },
    properties: { tags: ['security', meta.group], fixable: meta.fixable },
  };
}

/**
 * SARIF 2.1.0 for code scanning. Paths are relative to the working directory (`%SRCROOT%`),
 * regions are 1-based with UTF-16 columns (the SARIF default `columnKind`).
 *
 * Notebooks: the region points into the `.ipynb` JSON text itself (the cell's source string, with
 * escapes accounted for), since that is the file code scanning shows; the 1-based cell number is in
 * `properties.cell` and in a logical location named `cell N`. When the JSON cannot be mapped, the
 * region falls back to line 1.
 *
 * `partialFingerprints` hold a hash of the rule id and the whitespace-normalized text of the
 * finding's line (plus an occurrence counter for identical lines in one file), so a result keeps
 * its identity when lines above it move.
 */
export function formatSarif(report: CheckReport, version: string): string {
  const rules = report.rules.map((meta) => ruleDescriptor(meta, LEVEL[report.ruleSeverity.get(meta.id) ?? meta.defaultSeverity]));
  const ruleIndex = new Map(report.rules.map((meta, i) => [meta.id, i]));

  const results: Record<string, unknown>[] = [];
  for (const file of report.files) {
    const prints = new LineFingerprints();
    const uri = relativeUri(file.rel);
    for (const f of file.findings) {
      let index = ruleIndex.get(f.ruleId);
      if (index === undefined) {
        // A finding from a rule outside the catalog (should not happen): still describe it.
        index = rules.length;
        ruleIndex.set(f.ruleId, index);
        rules.push({ id: f.ruleId, name: f.ruleId, shortDescription: { text: f.ruleId }, fullDescription: { text: f.ruleId }, helpUri: ruleDocsUrl(f.ruleId, false), help: { text: f.ruleId, markdown: f.ruleId }, defaultConfiguration: { level: LEVEL[f.severity] }, properties: { tags: ['security'], fixable: 'none' } });
      }
      results.push(result(f, index, uri, prints.next([f.ruleId], f.lineText ?? '')));
    }
  }

  const notifications = report.skipped.map((s) => ({
    level: 'note',
    message: { text: `skipped: ${s.reason}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: relativeUri(s.file), uriBaseId: '%SRCROOT%' } } }],
  }));

  const srcRoot = pathToFileURL(report.cwd.endsWith('/') ? report.cwd : `${report.cwd}/`).href;
  const doc = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ModelLint', version, semanticVersion: version, informationUri: INFORMATION_URI, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: srcRoot } },
        columnKind: 'utf16CodeUnits',
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        ...(report.baselined !== undefined ? { properties: { baselined: report.baselined } } : {}),
        results,
      },
    ],
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

function result(f: CheckFinding, ruleIndex: number, uri: string, print: string): Record<string, unknown> {
  const fileRegion = f.cell === undefined ? region(f.range) : f.fileRange ? region(f.fileRange) : { startLine: 1 };
  const location: Record<string, unknown> = {
    physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, region: fileRegion },
  };
  if (f.cell !== undefined) location.logicalLocations = [{ name: `cell ${f.cell + 1}`, kind: 'module' }];
  const out: Record<string, unknown> = {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: print },
  };
  if (f.cell !== undefined) out.properties = { cell: f.cell + 1, cellRegion: region(f.range) };
  return out;
}
