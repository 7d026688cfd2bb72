import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileResult } from './analyze-file';
import { LineFingerprints } from './fingerprint';

/**
 * Baselines, for adopting ModelLint on existing code: `--write-baseline FILE` records the current
 * findings, `--baseline FILE` reports only findings that are not in it.
 *
 * A finding is identified by a fingerprint (cli/fingerprint.ts, the same scheme as SARIF's
 * partialFingerprints): a hash of the rule id, the file's path relative to the baseline file's
 * folder, and the whitespace-normalized text of the flagged line, plus an occurrence index among
 * identical lines of that file. Lines moving up or down (code added above) keep the fingerprint;
 * editing the flagged line itself makes it a new finding.
 */

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  rule: string;
  /** Relative to the baseline file's folder, forward slashes (informative; the fingerprint is what matches). */
  file: string;
  fingerprint: string;
}

export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  tool: 'modellint';
  findings: BaselineEntry[];
}

/** A baseline that cannot be used: reported with exit code 2. */
export class BaselineError extends Error {}

function toSlash(p: string): string {
  return p.split(path.sep).join('/');
}

/** The fingerprints of every finding of `files`, in report order; `cwd` is what `rel` paths are relative to. */
export function fingerprintFindings(files: readonly FileResult[], cwd: string, baselineFile: string): { file: FileResult; entries: BaselineEntry[] }[] {
  const base = path.dirname(path.resolve(cwd, baselineFile));
  return files.map((file) => {
    const rel = toSlash(path.relative(base, path.resolve(cwd, file.rel)));
    const prints = new LineFingerprints();
    // Notebooks: the cell number is part of the identity of a line (cells are separate texts).
    const entries = file.findings.map((f) => ({
      rule: f.ruleId,
      file: rel,
      fingerprint: prints.next(f.cell === undefined ? [f.ruleId, rel] : [f.ruleId, rel, `cell ${f.cell}`], f.lineText ?? ''),
    }));
    return { file, entries };
  });
}

export function writeBaseline(target: string, files: readonly FileResult[], cwd: string): number {
  const entries = fingerprintFindings(files, cwd, target).flatMap((x) => x.entries);
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  const doc: BaselineFile = { version: BASELINE_VERSION, tool: 'modellint', findings: entries };
  fs.writeFileSync(path.resolve(cwd, target), JSON.stringify(doc, null, 2) + '\n');
  return entries.length;
}

/** The fingerprints recorded in a baseline file; throws BaselineError when it is missing or not a ModelLint baseline. */
export function readBaseline(file: string, cwd: string): Set<string> {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new BaselineError(`could not read the baseline ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`the baseline ${file} is not valid JSON (${(e as Error).message}); write a new one with --write-baseline`);
  }
  const d = doc as Partial<BaselineFile> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d) || !Array.isArray(d.findings)) {
    throw new BaselineError(`the baseline ${file} is not a ModelLint baseline (no "findings" array); write a new one with --write-baseline`);
  }
  if (d.version !== BASELINE_VERSION) {
    throw new BaselineError(`the baseline ${file} has version ${JSON.stringify(d.version)}, this ModelLint reads version ${BASELINE_VERSION}; write a new one with --write-baseline`);
  }
  const prints = new Set<string>();
  d.findings.forEach((entry, i) => {
    const fp = (entry as Partial<BaselineEntry> | null)?.fingerprint;
    if (typeof fp !== 'string' || !/^[0-9a-f]{32}:\d+$/.test(fp)) {
      throw new BaselineError(`the baseline ${file} is corrupt: entry ${i + 1} has no valid "fingerprint"; write a new one with --write-baseline`);
    }
    prints.add(fp);
  });
  return prints;
}

/** Drops the findings recorded in the baseline from `files` (in place); returns how many were dropped. */
export function applyBaseline(files: FileResult[], known: ReadonlySet<string>, cwd: string, baselineFile: string): number {
  let dropped = 0;
  for (const { file, entries } of fingerprintFindings(files, cwd, baselineFile)) {
    const keep = file.findings.filter((_, i) => !known.has(entries[i].fingerprint));
    dropped += file.findings.length - keep.length;
    file.findings = keep;
  }
  return dropped;
}
