import { createHash } from 'node:crypto';

/**
 * Finding identities that survive lines moving: a hash of some identifying parts (the rule id;
 * for baselines also the file path) and the whitespace-normalized text of the finding's line,
 * plus an occurrence counter among identical lines of one file. Shared by SARIF's
 * `partialFingerprints` and the baseline file, so both identify a finding the same way.
 */

/** Collapses whitespace so re-indenting a line keeps its fingerprint. */
export function normalizeLine(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** Fingerprints of the findings of one file, in report order (create one per file). */
export class LineFingerprints {
  private readonly occurrences = new Map<string, number>();

  /** `hash:n` where n counts earlier findings of this file with the same hash (1-based). */
  next(parts: readonly string[], lineText: string): string {
    const hash = createHash('sha256')
      .update([...parts, normalizeLine(lineText)].join('\u0000'))
      .digest('hex')
      .slice(0, 32);
    const n = (this.occurrences.get(hash) ?? 0) + 1;
    this.occurrences.set(hash, n);
    return `${hash}:${n}`;
  }
}
