/** A batch posted and not yet acknowledged: what it holds against the bounds. */
interface InFlight {
  seq: number;
  cost: number;
  records: number;
}

/**
 * What waits for the store worker — in the batch being collected and in batches posted but not yet
 * acknowledged — against its two bounds: records, and captured bytes (with a small estimate for
 * headers and smoothing marks). Past either the newest are refused and counted; the first refusal of
 * an episode is told, and so is its end (once the backlog is back under half of both bounds).
 */
export class Backlog {
  private batchCost = 0;
  private batchRecords = 0;
  private readonly inFlight: InFlight[] = [];
  private inFlightCost = 0;
  private inFlightRecords = 0;
  private droppedRecords = 0;
  private droppedBytes = 0;
  /** Set while refusing: the counts when it began, for the line that ends it. */
  private lagFrom: { records: number; bytes: number } | null = null;

  constructor(
    private readonly maxRecords: number,
    private readonly maxBytes: number,
    private readonly sink: (message: string) => void,
  ) {}

  /** Records waiting, here and in flight. */
  get records(): number {
    return this.batchRecords + this.inFlightRecords;
  }

  /** Records and captured bytes refused since construction. */
  get dropped(): { records: number; bytes: number } {
    return { records: this.droppedRecords, bytes: this.droppedBytes };
  }

  /** One more record fits (and is counted in the batch), or it is refused and counted. */
  admitRecord(): boolean {
    if (this.records < this.maxRecords) {
      this.batchRecords++;
      return true;
    }
    this.lagging();
    this.droppedRecords++;
    return false;
  }

  /** `cost` more captured bytes fit (and are counted in the batch), or they are refused and counted. */
  admitBytes(cost: number): boolean {
    if (this.batchCost + this.inFlightCost + cost <= this.maxBytes) {
      this.batchCost += cost;
      return true;
    }
    this.lagging();
    this.droppedBytes += cost;
    return false;
  }

  /** The batch went to the worker as `seq`. */
  posted(seq: number): void {
    this.inFlight.push({ seq, cost: this.batchCost, records: this.batchRecords });
    this.inFlightCost += this.batchCost;
    this.inFlightRecords += this.batchRecords;
    this.batchCost = this.batchRecords = 0;
  }

  /** The worker holds every batch up to `seq`: they no longer count. */
  acked(seq: number): void {
    while (this.inFlight.length > 0 && this.inFlight[0]!.seq <= seq) {
      const done = this.inFlight.shift()!;
      this.inFlightCost -= done.cost;
      this.inFlightRecords -= done.records;
    }
    const from = this.lagFrom;
    const calm =
      this.records * 2 < this.maxRecords && (this.batchCost + this.inFlightCost) * 2 < this.maxBytes;
    if (from === null || !calm) return;
    this.lagFrom = null;
    this.sink(
      `the usage store caught up; ${this.droppedRecords - from.records} records and ${this.droppedBytes - from.bytes} captured bytes were dropped meanwhile`,
    );
  }

  /** The worker died: what was in flight is gone. Returns what that was. */
  lost(): { records: number; bytes: number } {
    const lost = { records: this.inFlightRecords, bytes: this.inFlightCost };
    this.inFlight.length = 0;
    this.inFlightCost = this.inFlightRecords = 0;
    return lost;
  }

  private lagging(): void {
    if (this.lagFrom !== null) return;
    // Taken before the refusal that starts the episode is counted, so the closing line counts it.
    this.lagFrom = { records: this.droppedRecords, bytes: this.droppedBytes };
    this.sink(
      `the usage store is behind (${this.records} records, ${Math.round((this.batchCost + this.inFlightCost) / 1024)} KiB of captures waiting); dropping what does not fit until it catches up`,
    );
  }
}
