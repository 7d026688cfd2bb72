/**
 * Per-key debounced callbacks: scheduling a key again restarts its timer.
 *
 * With `leading`, a key scheduled after a quiet period (no scheduling for `delayMs`) runs at once
 * (on the next turn of the event loop, so that the changes of one tick are taken together) and
 * only the changes that follow within `delayMs` are coalesced: an isolated edit is analyzed
 * without waiting, a burst of keystrokes or a paste is not analyzed once per keystroke.
 */
export class Debouncer {
  private readonly timers = new Map<string, { handle: NodeJS.Timeout | NodeJS.Immediate; immediate: boolean }>();
  private readonly lastScheduled = new Map<string, number>();

  schedule(key: string, delayMs: number, run: () => void, leading = false): void {
    const now = performance.now();
    const quiet = now - (this.lastScheduled.get(key) ?? -Infinity) >= delayMs;
    this.lastScheduled.set(key, now);
    const pending = this.timers.get(key);
    if (pending?.immediate) return; // runs this tick with the latest state anyway
    if (pending) clearTimeout(pending.handle as NodeJS.Timeout);
    if (leading && quiet && !pending) {
      this.timers.set(key, {
        immediate: true,
        handle: setImmediate(() => {
          this.timers.delete(key);
          run();
        }),
      });
      return;
    }
    this.timers.set(key, {
      immediate: false,
      handle: setTimeout(() => {
        this.timers.delete(key);
        run();
      }, delayMs),
    });
  }

  /** Drops a pending run (the key's quiet period still counts from its last scheduling). */
  cancel(key: string): void {
    this.clear(key);
  }

  /** Forgets a key entirely (e.g. a closed document). */
  forget(key: string): void {
    this.clear(key);
    this.lastScheduled.delete(key);
  }

  cancelAll(): void {
    for (const key of [...this.timers.keys()]) this.clear(key);
    this.lastScheduled.clear();
  }

  private clear(key: string): void {
    const t = this.timers.get(key);
    if (t?.immediate) clearImmediate(t.handle as NodeJS.Immediate);
    else if (t) clearTimeout(t.handle as NodeJS.Timeout);
    this.timers.delete(key);
  }
}
