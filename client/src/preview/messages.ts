/**
 * Messages between the model preview's webview and the extension, as discriminated unions with
 * validators (style.md lesson 12: validate every incoming message). Shared by the extension side
 * (modelPreview.ts) and the webview script (webview/main.ts); no runtime dependencies.
 */
import type { ModelReport } from '../../../server/src/models/types';

/** Extension → webview. */
export type ToWebview =
  | { type: 'loading'; name: string }
  | { type: 'report'; name: string; report: ModelReport }
  | { type: 'error'; name: string; message: string };

/** Webview → extension. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'copyJson' }
  | { type: 'refresh' };

const FROM_WEBVIEW_TYPES = new Set<FromWebview['type']>(['ready', 'copyJson', 'refresh']);

/** A message from the webview: exactly one of the known shapes (no extra keys), else undefined. */
export function parseFromWebview(value: unknown): FromWebview | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  const type = (value as { type?: unknown }).type;
  if (keys.length !== 1 || typeof type !== 'string' || !FROM_WEBVIEW_TYPES.has(type as FromWebview['type'])) return undefined;
  return { type: type as FromWebview['type'] };
}

/** A message from the extension, checked for its shape before any field is used. */
export function parseToWebview(value: unknown): ToWebview | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.name !== 'string') return undefined;
  switch (v.type) {
    case 'loading':
      return { type: 'loading', name: v.name };
    case 'error':
      return typeof v.message === 'string' ? { type: 'error', name: v.name, message: v.message } : undefined;
    case 'report': {
      const r = v.report as Partial<ModelReport> | null | undefined;
      if (typeof r !== 'object' || r === null || typeof r.format !== 'string' || typeof r.verdict !== 'string' || !Array.isArray(r.findings) || !Array.isArray(r.tensors) || typeof r.metadata !== 'object' || typeof r.totals !== 'object') return undefined;
      return { type: 'report', name: v.name, report: r as ModelReport };
    }
    default:
      return undefined;
  }
}
