import type { Position, Range } from '../engine/types';

/**
 * Offsets and positions in a document, and texts cut out of it that keep a map back to it.
 *
 * Front-ends often parse a piece of a document on its own: a Dockerfile RUN body given to the bash
 * grammar, the script of `bash -c "…"`, a YAML block scalar, a JSON string with escapes. A
 * `MappedText` is such a piece: its text plus the document offset of each of its characters, so
 * every position found in the piece maps back to an exact document range.
 */

/** 0-based line / UTF-16 character positions of a document, from string offsets and back. */
export class LineIndex {
  private readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offset(p: Position): number {
    if (p.line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, p.line)];
    const end = p.line + 1 < this.starts.length ? this.starts[p.line + 1] - 1 : this.text.length;
    return Math.min(start + Math.max(0, p.character), end);
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** The text of line `line` without its line break. */
  lineText(line: number): string {
    if (line < 0 || line >= this.starts.length) return '';
    const end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return this.text.slice(this.starts[line], end).replace(/\r$/, '');
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }
}

/** A text taken from a document, with the document offset of each character. */
export class MappedText {
  private constructor(
    readonly text: string,
    readonly doc: LineIndex,
    /** Document offset of character i; `base + i` when `offsets` is undefined. */
    private readonly offsets: Int32Array | undefined,
    private readonly base: number,
  ) {}

  /** The document slice [start, end) itself. */
  static slice(doc: LineIndex, start: number, end: number): MappedText {
    return new MappedText(doc.text.slice(start, end), doc, undefined, start);
  }

  /** A text whose characters come from the given document offsets (one per character). */
  static fromOffsets(text: string, doc: LineIndex, offsets: ArrayLike<number>): MappedText {
    const arr = offsets instanceof Int32Array ? offsets : Int32Array.from(offsets);
    return new MappedText(text, doc, arr, 0);
  }

  /** Document offset of character `i` (`i === text.length` maps just past the last character). */
  docOffset(i: number): number {
    if (!this.offsets) return this.base + Math.max(0, Math.min(i, this.text.length));
    if (this.text.length === 0) return this.offsets.length > 0 ? this.offsets[0] : 0;
    if (i >= this.text.length) return this.offsets[this.text.length - 1] + 1;
    return this.offsets[Math.max(0, i)];
  }

  position(i: number): Position {
    return this.doc.position(this.docOffset(i));
  }

  /** Document range of the characters [start, end): ends right after the last character, never across a gap. */
  range(start: number, end: number): Range {
    if (end <= start) {
      const p = this.position(start);
      return { start: p, end: p };
    }
    return { start: this.position(start), end: this.doc.position(this.docOffset(end - 1) + 1) };
  }

  /** Whether the characters [start, end) are contiguous in the document (so the document text there is the same). */
  contiguous(start: number, end: number): boolean {
    if (!this.offsets) return true;
    for (let i = start + 1; i < end; i++) if (this.offsets[i] !== this.offsets[i - 1] + 1) return false;
    return true;
  }

  sub(start: number, end: number): MappedText {
    if (!this.offsets) return new MappedText(this.text.slice(start, end), this.doc, undefined, this.base + start);
    return new MappedText(this.text.slice(start, end), this.doc, this.offsets.subarray(start, end), 0);
  }
}

/** Builds a MappedText piece by piece. */
export class MappedTextBuilder {
  private readonly parts: string[] = [];
  private offsets: number[] = [];
  private length = 0;

  constructor(private readonly doc: LineIndex) {}

  /** Characters that are in the document at `docOffset` onwards, one for one. */
  addVerbatim(text: string, docOffset: number): void {
    this.parts.push(text);
    for (let i = 0; i < text.length; i++) this.offsets.push(docOffset + i);
    this.length += text.length;
  }

  /** Characters that all map to one document offset (an escape sequence, a substituted variable). */
  addAt(text: string, docOffset: number): void {
    this.parts.push(text);
    for (let i = 0; i < text.length; i++) this.offsets.push(docOffset);
    this.length += text.length;
  }

  /**
   * Characters that replace the document text [docStart, docEnd) (a substituted variable): the
   * first maps to its start, the last to its end, so their range covers the whole reference.
   */
  addSpanning(text: string, docStart: number, docEnd: number): void {
    this.parts.push(text);
    for (let i = 0; i < text.length; i++) this.offsets.push(i === text.length - 1 && text.length > 1 ? Math.max(docStart, docEnd - 1) : docStart);
    this.length += text.length;
  }

  /** Characters from another mapped text. */
  addMapped(src: MappedText, start: number, end: number): void {
    this.parts.push(src.text.slice(start, end));
    for (let i = start; i < end; i++) this.offsets.push(src.docOffset(i));
    this.length += end - start;
  }

  get size(): number {
    return this.length;
  }

  build(): MappedText {
    return MappedText.fromOffsets(this.parts.join(''), this.doc, this.offsets);
  }
}

/**
 * Map a decoded value (a YAML scalar, a JSON or Python string) onto its source text: each value
 * character is matched with the next equal source character, skipping what decoding removed
 * (quotes, backslashes, indentation, folded line breaks). Undefined when the value cannot be
 * aligned (escapes that change characters, like `\n` or `\u00e9`, beyond a few).
 */
export function alignValue(value: string, doc: LineIndex, sourceStart: number, sourceEnd: number): MappedText | undefined {
  const src = doc.text;
  const offsets = new Int32Array(value.length);
  let j = sourceStart;
  let skipped = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    let found = false;
    while (j < sourceEnd) {
      if (src[j] === c) {
        found = true;
        break;
      }
      // A folded line break or an escape decoded to another character: map it to where it stands.
      if ((c === ' ' && src[j] === '\n') || (c === '\n' && src[j] === '\\' && src[j + 1] === 'n') || (c === '\t' && src[j] === '\\' && src[j + 1] === 't')) {
        found = true;
        break;
      }
      j++;
      if (++skipped > 4096) return undefined;
    }
    if (!found) {
      // A final line break a block scalar adds at the end of the file.
      if (/^\s*$/.test(value.slice(i))) {
        for (let k = i; k < value.length; k++) offsets[k] = Math.max(sourceStart, Math.min(j, src.length) - 1);
        break;
      }
      return undefined;
    }
    offsets[i] = j;
    if (src[j] === '\\' && (c === '\n' || c === '\t')) j += 2;
    else j++;
  }
  return MappedText.fromOffsets(value, doc, offsets);
}
