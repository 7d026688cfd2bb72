/**
 * Helpers shared by the readers of the non-pickle formats: references to other files (validated
 * lexically, never followed) and embedded chat templates (scanned, never rendered).
 */
import type { Severity } from '../../engine/types';
import { scanChatTemplate } from '../checks/chat-template';
import { checkReferencePath, quotePath } from '../checks/reference-paths';
import type { InspectContext } from '../inspect-context';
import type { ChatTemplateInfo, ExternalReference, ValidationCheck, Verdict } from '../types';

const KIND_LABEL: Record<ExternalReference['kind'], string> = {
  'onnx-external-data': 'ONNX external_data location',
  'safetensors-shard': 'shard file name',
  'hdf5-external-link': 'HDF5 external link',
  'hdf5-virtual-dataset': 'HDF5 virtual dataset source',
  'hdf5-external-storage': 'HDF5 external storage file',
  'keras-tfsm-layer': 'TFSMLayer SavedModel path',
  'keras-file-path': 'file path in the Keras config',
};

export interface ReferenceOptions {
  offset?: number;
  length?: number;
  /** A finding for a reference that stays inside the model folder (e.g. HDF5 links: loading reads another file). */
  inside?: { verdict: Exclude<Verdict, 'safe'>; severity: Severity; message: string };
  /** Extra words for the message ("tensor w"), defaults to `from`. */
  where?: string;
  /** Offset of the record in the file (for the finding). */
  at?: number;
}

/** Records a reference to another file and reports it when it escapes (or per `opts.inside`). */
export function reportReference(ctx: InspectContext, kind: ExternalReference['kind'], from: string, target: string, opts: ReferenceOptions = {}): ExternalReference['status'] {
  const v = checkReferencePath(target);
  const ref: ExternalReference = { kind, from, target: target.length > 4096 ? `${target.slice(0, 4096)}…` : target, status: v.status };
  if (opts.offset !== undefined) ref.offset = opts.offset;
  if (opts.length !== undefined) ref.length = opts.length;
  if (v.problems.length > 0) ref.problems = v.problems;
  ctx.report.addReference(ref);
  const label = KIND_LABEL[kind];
  const where = opts.where ?? from;
  const detail = { reason: 'path-traversal' as const, entry: ctx.entry, offset: opts.at, extra: kind };
  if (v.status === 'escapes') {
    ctx.report.add('model-file-external-data-traversal', 'dangerous', `${label} ${quotePath(target)} (${where}) ${v.problems.join('; ')}: a loader that follows it reads or writes outside the model's folder. It was not opened.`, detail, 'error');
  } else if (v.status === 'odd') {
    ctx.report.add('model-file-external-data-traversal', 'suspicious', `${label} ${quotePath(target)} (${where}) ${v.problems.join('; ')}. It was not opened.`, { ...detail, reason: 'external-reference' }, 'warning');
  } else if (opts.inside) {
    ctx.report.add('model-file-external-data-traversal', opts.inside.verdict, opts.inside.message, { ...detail, reason: 'external-reference' }, opts.inside.severity);
  }
  return v.status;
}

/** Scans a chat template for SSTI indicators, records it for the panel and reports what it found. */
export function reportChatTemplate(ctx: InspectContext, key: string, template: string, at?: number): ChatTemplateInfo {
  const scanned = template.length > ctx.limits.templateBytes ? template.slice(0, ctx.limits.templateBytes) : template;
  const indicators = scanChatTemplate(scanned);
  const shown = 256 * 1024;
  const info: ChatTemplateInfo = { key, template: template.length > shown ? template.slice(0, shown) : template, length: template.length, indicators };
  if (template.length > shown) info.truncated = true;
  if (ctx.isTop && ctx.report.chatTemplates.length < 64) ctx.report.chatTemplates.push(info);
  if (template.length > ctx.limits.templateBytes) {
    ctx.report.incomplete(`chat template ${key} beyond its first ${ctx.limits.templateBytes} bytes`);
  }
  if (indicators.length > 0) {
    const list = [...new Set(indicators.map((i) => i.indicator))].slice(0, 8).join(', ');
    ctx.report.add('model-file-template-injection', 'dangerous', `Chat template ${JSON.stringify(key)} contains template-injection indicators (${list}${indicators.length > 8 ? ', …' : ''}): engines that render it with an unsandboxed Jinja environment run code (CVE-2024-34359, CVE-2026-5760). It was not rendered.`, {
      reason: 'template-injection', entry: ctx.entry, offset: at, matched: list, extra: indicators[0].excerpt.slice(0, 120),
    }, 'error');
  }
  return info;
}

/** A small checklist builder for a format's validation rules. */
export class Checklist {
  readonly items: ValidationCheck[] = [];
  private failed = new Set<string>();

  fail(check: string, detail: string): void {
    if (this.failed.has(check)) return;
    this.failed.add(check);
    const i = this.items.findIndex((c) => c.check === check);
    if (i >= 0) this.items.splice(i, 1);
    this.items.push({ check, ok: false, detail: detail.slice(0, 300) });
  }

  /** Marks a check as passed unless it already failed. */
  pass(check: string, detail?: string): void {
    if (this.failed.has(check) || this.items.some((c) => c.check === check)) return;
    this.items.push(detail ? { check, ok: true, detail } : { check, ok: true });
  }

  failedAny(check: string): boolean {
    return this.failed.has(check);
  }
}
