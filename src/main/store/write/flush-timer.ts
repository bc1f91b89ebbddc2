/**
 * One unref'd timer that runs `fire` at the earliest time anyone asked for: a request due sooner
 * than the pending one pulls it forward, a later one waits for it. It never keeps the process alive.
 */
export class FlushTimer {
  private timer: NodeJS.Timeout | undefined;
  private due = 0;

  constructor(private readonly fire: () => void) {}

  /** Runs `fire` in `delayMs`, unless it is already due sooner. */
  schedule(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.timer !== undefined) {
      if (due >= this.due) return;
      clearTimeout(this.timer);
    }
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, delayMs);
    this.timer.unref();
  }

  clear(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
