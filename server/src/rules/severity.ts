import type { Severity } from '../engine/types';

/** Severity levels of the catalog (rules.md: Critical/High/Medium/Low/Info) mapped onto diagnostic severities in one place. */
export const CATALOG_SEVERITY = { critical: 'error', high: 'error', medium: 'warning', low: 'info', info: 'info' } as const satisfies Record<string, Severity>;

export type CatalogLevel = keyof typeof CATALOG_SEVERITY;
