/**
 * The byte-level prefilter over many files: whether a text satisfies any of a list of word groups
 * (a group is satisfied when all of its words occur). One regular-expression pass finds which words
 * occur, instead of one full scan per word: with ~150 groups over ~70 words, scanning per word cost
 * more than parsing the files that pass.
 */
export class TriggerMatcher {
  private readonly pattern: RegExp;
  /** For each word, the other words it contains (they occur wherever it occurs). */
  private readonly implied = new Map<string, string[]>();

  constructor(private readonly groups: readonly (readonly string[])[]) {
    const words = [...new Set(groups.flat())].filter((w) => w.length > 0).sort((a, b) => b.length - a.length);
    for (const w of words) this.implied.set(w, words.filter((o) => o !== w && w.includes(o)));
    // Longest first, so at one position the longer word wins (the shorter is implied).
    this.pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || '(?!)', 'g');
  }

  /** `text` may be any decoding in which the (ASCII) words keep their bytes, e.g. latin1. */
  matches(text: string): boolean {
    const seen = new Set<string>();
    this.pattern.lastIndex = 0;
    for (let m = this.pattern.exec(text); m; m = this.pattern.exec(text)) {
      if (!seen.has(m[0])) {
        seen.add(m[0]);
        for (const o of this.implied.get(m[0]) ?? []) seen.add(o);
        if (this.groups.some((g) => g.every((w) => seen.has(w)))) return true;
      }
      // Overlapping occurrences at the next positions must be found too.
      this.pattern.lastIndex = m.index + 1;
    }
    return false;
  }
}
