import type { LiveEvent } from '../../../../shared/live-events';
import type { UsageRow } from '../../../../shared/usage';
import { LiveTable, type LiveSnapshot } from './live-table';
import type { RequestTrace } from './request-trace';

type Input = { kind: 'events'; events: readonly LiveEvent[] } | { kind: 'rows'; rows: readonly UsageRow[] };

/** Timer functions, injectable so tests can drive time. */
export interface FeedClock {
  now(): number;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: FeedClock = {
  now: () => Date.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** At most this many flushes (and so renders) per second. */
export const MAX_FLUSHES_PER_SECOND = 20;

/**
 * Coalesces pushes into the LiveTable: inputs queue up and are applied together at most every
 * 50 ms, then listeners hear once. Renders therefore never outpace 20/s however fast events pour in.
 * DOM-free; the store wires it to the API and React.
 */
export class LiveFeed {
  readonly table: LiveTable;
  private queue: Input[] = [];
  private timer: unknown = null;
  private lastFlush = -Infinity;
  private readonly listeners = new Set<() => void>();
  private readonly intervalMs = 1000 / MAX_FLUSHES_PER_SECOND;

  constructor(
    private readonly clock: FeedClock = realClock,
    maxRows?: number,
  ) {
    this.table = new LiveTable(maxRows);
  }

  pushEvents(events: readonly LiveEvent[]): void {
    if (events.length === 0) return;
    this.queue.push({ kind: 'events', events });
    this.schedule();
  }

  pushRows(rows: readonly UsageRow[]): void {
    if (rows.length === 0) return;
    this.queue.push({ kind: 'rows', rows });
    this.schedule();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The state as of the last flush (stable between flushes, as useSyncExternalStore needs). */
  snapshot(): LiveSnapshot {
    return this.current;
  }

  /** A request's live trace as of the last flush (also stable between flushes). */
  trace(id: string): RequestTrace | undefined {
    return this.table.trace(id);
  }

  private current: LiveSnapshot = { rows: [], version: 0, inFlight: 0 };

  /** Applies everything queued now and notifies (tests; the timer calls it otherwise). */
  flush(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.lastFlush = this.clock.now();
    const queue = this.queue;
    this.queue = [];
    for (const input of queue) {
      if (input.kind === 'events') this.table.applyEvents(input.events);
      else this.table.applyRows(input.rows);
    }
    const next = this.table.snapshot();
    if (next === this.current && queue.length === 0) return;
    this.current = next;
    for (const l of this.listeners) l();
  }

  dispose(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.flush(), wait);
  }
}
