/**
 * Accumulates one file's report while readers run, then freezes it into a JSON-safe ModelReport
 * (verdict = the maximum over findings; `complete: false` lifts a safe verdict to suspicious).
 */
import type { Severity } from '../engine/types';
import type { ScanLimits } from './limits';
import {
  MODEL_REPORT_SCHEMA_VERSION,
  VERDICT_ORDER,
  type FindingDetail,
  type FormatCandidate,
  type GlobalClassification,
  type JsonValue,
  type ModelFinding,
  type ModelFormat,
  type ModelReport,
  type ModelRuleId,
  type ChatTemplateInfo,
  type ExternalReference,
  type GgufSection,
  type Hdf5Section,
  type KerasSection,
  type NumpySection,
  type OnnxSection,
  type SafetensorsSection,
  type ShardIndexSection,
  type PickleGlobal,
  type PickleStreamSummary,
  type TensorInfo,
  type TensorTotals,
  type Verdict,
  type ZipSection,
} from './types';

const RANK: Record<Verdict, number> = { safe: 0, suspicious: 1, invalid: 2, dangerous: 3 };

export function worseVerdict(a: Verdict, b: Verdict): Verdict {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Default severity of a finding by the verdict it implies. */
export function severityFor(ruleId: ModelRuleId, verdict: Exclude<Verdict, 'safe'>): Severity {
  if (verdict === 'dangerous') return 'error';
  if (ruleId === 'model-file-malformed' && verdict === 'suspicious') return 'warning';
  return verdict === 'invalid' ? 'error' : 'warning';
}

interface GlobalAgg extends PickleGlobal {
  firstCall?: { kind: string; offset: number; entry?: string };
  matched?: string;
}

export class ReportBuilder {
  format: ModelFormat = 'unknown';
  variant = '';
  candidates: FormatCandidate[] = [];
  readonly findings: ModelFinding[] = [];
  private findingKeys = new Set<string>();
  private droppedFindings = 0;
  readonly metadata: Record<string, JsonValue> = {};
  readonly tensors: TensorInfo[] = [];
  tensorsTruncated = false;
  readonly notes: string[] = [];
  readonly streams: PickleStreamSummary[] = [];
  private readonly globals = new Map<string, GlobalAgg>();
  globalsTruncated = false;
  nonWeightsOnly = false;
  zip?: ZipSection;
  numpy?: NumpySection;
  safetensors?: SafetensorsSection;
  shardIndex?: ShardIndexSection;
  gguf?: GgufSection;
  onnx?: OnnxSection;
  keras?: KerasSection;
  hdf5?: Hdf5Section;
  readonly references: ExternalReference[] = [];
  readonly chatTemplates: ChatTemplateInfo[] = [];
  complete = true;

  constructor(readonly file: string, readonly size: number, private readonly limits: ScanLimits) {}

  setFormat(format: ModelFormat, variant: string): void {
    this.format = format;
    this.variant = variant;
  }

  /** While set, findings and globals are held back until `release` (speculative parsing). */
  private pending: { run: () => void; dangerous: boolean }[] | undefined;

  /**
   * Holds back findings and imported globals (e.g. while data after a pickle's STOP is parsed, which
   * may turn out to be junk). `release(true)` keeps them all; `release(false)` keeps only dangerous ones.
   */
  hold(): void {
    this.pending = [];
  }

  release(keepAll: boolean): void {
    const held = this.pending ?? [];
    this.pending = undefined;
    for (const h of held) if (keepAll || h.dangerous) h.run();
  }

  /** Adds a finding (duplicates — same rule, reason, entry, offset, message — are dropped). */
  add(ruleId: ModelRuleId, verdict: Exclude<Verdict, 'safe'>, message: string, detail: FindingDetail, severity?: Severity): void {
    if (this.pending) {
      this.pending.push({ run: () => this.add(ruleId, verdict, message, detail, severity), dangerous: verdict === 'dangerous' });
      return;
    }
    const key = `${ruleId}|${detail.reason}|${detail.entry ?? ''}|${detail.offset ?? ''}|${message}`;
    if (this.findingKeys.has(key)) return;
    this.findingKeys.add(key);
    if (this.findings.length >= this.limits.findingsReported) {
      // keep the worst: a later dangerous finding replaces the last non-dangerous one
      const idx = verdict === 'dangerous' ? findLastIndex(this.findings, (f) => f.verdict !== 'dangerous') : -1;
      if (idx >= 0) this.findings.splice(idx, 1);
      else {
        this.droppedFindings++;
        return;
      }
      this.droppedFindings++;
    }
    this.findings.push({ ruleId, severity: severity ?? severityFor(ruleId, verdict), verdict, message, detail });
  }

  malformed(verdict: Exclude<Verdict, 'safe' | 'dangerous'>, message: string, detail: FindingDetail, severity?: Severity): void {
    this.add('model-file-malformed', verdict, message, detail, severity);
  }

  note(text: string): void {
    if (this.notes.length < 200 && !this.notes.includes(text)) this.notes.push(text);
  }

  meta(key: string, value: JsonValue): void {
    this.metadata[key] = value;
  }

  addTensor(t: TensorInfo): void {
    if (this.tensors.length >= this.limits.tensorsReported) {
      this.tensorsTruncated = true;
      return;
    }
    this.tensors.push(t);
  }

  /** Records a reference to another file (never followed); capped at 10,000. */
  addReference(r: ExternalReference): void {
    if (this.references.length < 10_000) this.references.push(r);
  }

  /** Marks that something which could carry code was not examined. */
  incomplete(reason: string): void {
    this.complete = false;
    this.note(`Not fully examined: ${reason}`);
  }

  addStream(s: PickleStreamSummary): void {
    if (this.streams.length < 1000) this.streams.push(s);
    if (s.nonWeightsOnlyOpcodes.length > 0) this.nonWeightsOnly = true;
  }

  /** Records one import of a global (aggregated per global and entry); returns the aggregate. */
  recordGlobal(module: string, name: string, opcode: string, cls: GlobalClassification, reason: string, offset: number, entry: string | undefined, matched?: string): GlobalAgg | undefined {
    if (this.pending) {
      this.pending.push({ run: () => void this.recordGlobal(module, name, opcode, cls, reason, offset, entry, matched), dangerous: cls === 'dangerous' });
      return undefined;
    }
    const key = `${module}\u0000${name}\u0000${entry ?? ''}`;
    let g = this.globals.get(key);
    if (!g) {
      if (this.globals.size >= this.limits.pickleGlobalsReported) {
        this.globalsTruncated = true;
        return undefined;
      }
      g = { module, name, count: 0, calls: 0, classification: cls, reason, opcodes: [], offset, matched };
      if (entry !== undefined) g.entry = entry;
      this.globals.set(key, g);
    }
    g.count++;
    if (!g.opcodes.includes(opcode)) g.opcodes.push(opcode);
    if (cls !== 'safe') this.nonWeightsOnly = true;
    return g;
  }

  recordCall(module: string, name: string, kind: string, offset: number, entry: string | undefined): void {
    if (this.pending) {
      this.pending.push({ run: () => this.recordCall(module, name, kind, offset, entry), dangerous: true });
      return;
    }
    const g = this.globals.get(`${module}\u0000${name}\u0000${entry ?? ''}`);
    if (!g) return;
    g.calls++;
    g.firstCall ??= entry !== undefined ? { kind, offset, entry } : { kind, offset };
  }

  hasGlobals(): boolean {
    return this.globals.size > 0;
  }

  globalList(): GlobalAgg[] {
    return [...this.globals.values()];
  }

  /** Emits one finding per dangerous or suspicious global (called once, by `build`). */
  private globalFindings(): void {
    for (const g of this.globals.values()) {
      if (g.classification !== 'dangerous' && g.classification !== 'suspicious') continue;
      const where = `${g.opcodes.join('/')} at ${g.offset}${g.entry ? ` in ${g.entry}` : ''}`;
      const call = g.firstCall ? `, called by ${g.firstCall.kind} at ${g.firstCall.offset}${g.calls > 1 ? ` (${g.calls} calls)` : ''}` : '';
      const times = g.count > 1 ? ` (${g.count} imports)` : '';
      const full = `${g.module}.${g.name}`;
      if (g.classification === 'dangerous') {
        this.add('model-file-unsafe-pickle', 'dangerous', `Imports \`${full}\` (${where}${call})${times}: ${g.reason}. Loading this file runs it.`, {
          reason: g.reason.includes('scanner') ? 'scanner-deactivation' : 'deny-listed-global',
          offset: g.offset, entry: g.entry, opcode: g.opcodes[0], global: full, matched: g.matched,
        });
      } else {
        this.add('model-file-suspicious-pickle', 'suspicious', `Imports \`${full}\` (${where}${call})${times}: ${g.reason}.`, {
          reason: 'non-allowlisted-global', offset: g.offset, entry: g.entry, opcode: g.opcodes[0], global: full, matched: g.matched,
        });
      }
    }
  }

  build(bytesRead: number, durationMs: number): ModelReport {
    this.globalFindings();
    if (this.droppedFindings > 0) this.note(`${this.droppedFindings} further findings were not listed (cap ${this.limits.findingsReported}).`);
    let verdict: Verdict = 'safe';
    for (const f of this.findings) verdict = worseVerdict(verdict, f.verdict);
    if (!this.complete) verdict = worseVerdict(verdict, 'suspicious');
    const worst = this.findings.filter((f) => f.verdict === verdict).sort((a, b) => sevRank(b.severity) - sevRank(a.severity))[0];
    const summary =
      verdict === 'safe'
        ? safeSummary(this)
        : worst
          ? `${verdict}: ${worst.message}${this.findings.length > 1 ? ` (+${this.findings.length - 1} more finding${this.findings.length > 2 ? 's' : ''})` : ''}`
          : `${verdict}: ${this.notes.find((n) => n.startsWith('Not fully examined')) ?? 'not everything could be examined'}`;
    const report: ModelReport = {
      schemaVersion: MODEL_REPORT_SCHEMA_VERSION,
      file: this.file,
      size: this.size,
      format: this.format,
      variant: this.variant,
      candidates: this.candidates,
      verdict,
      summary,
      // most severe first (stable within a verdict)
      findings: this.findings.map(cleanFinding).sort((a, b) => RANK[b.verdict] - RANK[a.verdict]),
      metadata: this.metadata,
      tensors: this.tensors,
      totals: totalsOf(this.tensors),
      complete: this.complete,
      bytesRead,
      durationMs,
      notes: this.notes,
    };
    if (this.tensorsTruncated) report.tensorsTruncated = true;
    if (this.streams.length > 0 || this.globals.size > 0) {
      report.pickle = {
        streams: this.streams,
        globals: this.globalList().map(({ firstCall: _f, matched: _m, ...g }) => g),
        weightsOnlyCompatible: !this.nonWeightsOnly && this.streams.every((s) => s.complete),
        totalOpcodes: this.streams.reduce((n, s) => n + s.opcodes, 0),
      };
      if (this.globalsTruncated) report.pickle.globalsTruncated = true;
    }
    if (this.zip) report.zip = this.zip;
    if (this.numpy) report.numpy = this.numpy;
    if (this.safetensors) report.safetensors = this.safetensors;
    if (this.shardIndex) report.shardIndex = this.shardIndex;
    if (this.gguf) report.gguf = this.gguf;
    if (this.onnx) report.onnx = this.onnx;
    if (this.keras) report.keras = this.keras;
    if (this.hdf5) report.hdf5 = this.hdf5;
    if (this.chatTemplates.length > 0) report.chatTemplates = this.chatTemplates;
    if (this.references.length > 0) report.references = this.references;
    return report;
  }
}

function sevRank(s: Severity): number {
  return s === 'error' ? 2 : s === 'warning' ? 1 : 0;
}

function findLastIndex<T>(arr: T[], pred: (t: T) => boolean): number {
  for (let i = arr.length - 1; i >= 0; i--) if (pred(arr[i])) return i;
  return -1;
}

/** Drops undefined fields so the JSON is tidy. */
function cleanFinding(f: ModelFinding): ModelFinding {
  const detail: FindingDetail = { reason: f.detail.reason };
  for (const [k, v] of Object.entries(f.detail)) if (v !== undefined) (detail as unknown as Record<string, unknown>)[k] = v;
  return { ...f, detail };
}

function safeSummary(b: ReportBuilder): string {
  const g = b.globalList();
  if (g.length > 0) {
    const numpy = g.some((x) => x.classification === 'safe-numpy');
    return `safe: ${g.length} imported global${g.length > 1 ? 's' : ''}, all on the ${numpy ? 'weights_only/numpy' : 'weights_only'} allowlist; nothing was executed`;
  }
  if (b.streams.length > 0) return 'safe: pickle data only (no imports, no calls); nothing was executed';
  return 'safe: no executable content found; nothing was executed';
}

export function totalsOf(tensors: TensorInfo[]): TensorTotals {
  const totals: TensorTotals = { count: 0, parameters: 0, bytes: 0, byDtype: {} };
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const bytes = t.bytes ?? 0;
    totals.count++;
    totals.parameters += n;
    totals.bytes += bytes;
    const d = (totals.byDtype[t.dtype] ??= { count: 0, parameters: 0, bytes: 0 });
    d.count++;
    d.parameters += n;
    d.bytes += bytes;
  }
  return totals;
}

export { VERDICT_ORDER };
