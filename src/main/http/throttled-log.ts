/**
 * One operator log line per kind at most every `everyMs`, with the count of those left out since: a
 * bound hit by hundreds of connections says so once, not hundreds of times (a flood of log lines
 * would be its own denial of service).
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; skipped: number }>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 10_000,
  ) {}

  /** Logs `line` unless a line of `kind` went out less than `everyMs` ago (then it is counted). */
  line(kind: string, line: string): void {
    const now = this.now();
    const seen = this.last.get(kind);
    if (seen !== undefined && now - seen.at < this.everyMs) {
      seen.skipped++;
      return;
    }
    const more =
      seen !== undefined && seen.skipped > 0 ? ` (and ${seen.skipped} more like it since the last line)` : '';
    this.last.set(kind, { at: now, skipped: 0 });
    this.log(`${line}${more}`);
  }
}
