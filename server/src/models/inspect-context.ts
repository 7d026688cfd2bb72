/**
 * What every reader receives: the root source (for file offsets), the report being built, the
 * limits, the deadline, and where it is (top level, a zip member, a nested pickle…).
 */
import { offsetIn, type ByteSource } from './byte-source';
import type { ScanLimits } from './limits';
import type { ReportBuilder } from './report-builder';
import type { ModelFormat } from './types';

export class BudgetExceeded extends Error {}

/** Examines `source` by content and feeds `ctx.report` (readers/dispatch.ts); injected to avoid an import cycle. */
export type Dispatcher = (ctx: InspectContext, source: ByteSource) => void;

interface Shared {
  nestedScans: number;
  dispatch: Dispatcher;
}

export class InspectContext {
  private constructor(
    readonly root: ByteSource,
    readonly report: ReportBuilder,
    readonly limits: ScanLimits,
    /** Date.now() after which readers give up (checked in loops). */
    readonly deadline: number,
    /** Container nesting depth (0: the file itself). */
    readonly depth: number,
    /** Path of members/nested streams leading here ("archive/data.pkl > nested pickle @120"); undefined at top level. */
    readonly entry: string | undefined,
    private readonly shared: Shared,
    /** How the bytes at hand were derived from the file (e.g. "zlib-compressed"), for the variant. */
    readonly transform?: string,
  ) {}

  static create(root: ByteSource, report: ReportBuilder, limits: ScanLimits, deadline: number, dispatch: Dispatcher): InspectContext {
    return new InspectContext(root, report, limits, deadline, 0, undefined, { nestedScans: 0, dispatch });
  }

  /** Examines `source` (a nested pickle, a member archive…) by content, into the same report. */
  dispatch(source: ByteSource): void {
    this.shared.dispatch(this, source);
  }

  /** True for the file itself: only then do readers set the report's format and metadata. */
  get isTop(): boolean {
    return this.depth === 0 && this.entry === undefined;
  }

  /** Sets the report's format and variant, only for the file itself. */
  setFormat(format: ModelFormat, variant: string): void {
    if (this.isTop) this.report.setFormat(format, this.transform ? `${this.transform} ${variant}` : variant);
  }

  /** The same place, reading transformed bytes (decompressed content of the file itself). */
  transformed(label: string): InspectContext {
    return new InspectContext(this.root, this.report, this.limits, this.deadline, this.depth, this.entry, this.shared, label);
  }

  /** A context for a member of this container (same depth; zip members are not nesting). */
  member(name: string): InspectContext {
    return new InspectContext(this.root, this.report, this.limits, this.deadline, this.depth, this.join(name), this.shared);
  }

  /**
   * A context one nesting level deeper (pickle in pickle, zip in zip), or undefined when the depth
   * or the per-file count of nested scans is exhausted.
   */
  nested(label: string): InspectContext | undefined {
    if (this.depth + 1 > this.limits.nestingDepth || this.shared.nestedScans >= this.limits.nestedScans) return undefined;
    this.shared.nestedScans++;
    return new InspectContext(this.root, this.report, this.limits, this.deadline, this.depth + 1, this.join(label), this.shared);
  }

  private join(name: string): string {
    return this.entry === undefined ? name : `${this.entry} > ${name}`;
  }

  /** Throws BudgetExceeded when the deadline has passed. */
  checkTime(): void {
    if (Date.now() > this.deadline) throw new BudgetExceeded('time budget exceeded');
  }

  /** File offset of `position` in `source`, when `source` maps onto the file without decompression. */
  fileOffset(source: ByteSource, position: number): number | undefined {
    return offsetIn(this.root, source, position);
  }
}
