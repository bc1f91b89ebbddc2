import type { LiveEvent } from '../../shared/live-events';

/** A subscriber's view: events are handed over in batches; a slow one loses the oldest, never blocks the relay. */
export type LiveListener = (events: readonly LiveEvent[]) => void;

interface Subscriber {
  listener: LiveListener;
  queue: LiveEvent[];
  dropped: number;
}

/**
 * Fans live events out to the UI. Publishing only appends to bounded per-subscriber queues; delivery
 * happens on a timer, coalesced (`intervalMs`), so the relay never waits for a listener.
 */
export class LiveHub {
  private readonly subs = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxQueued = 10_000,
    private readonly intervalMs = 50,
  ) {}

  publish(event: LiveEvent): void {
    if (this.subs.size === 0) return;
    for (const s of this.subs) {
      if (s.queue.length >= this.maxQueued) {
        s.queue.shift();
        s.dropped++;
      }
      s.queue.push(event);
    }
    this.timer ??= setTimeout(() => this.deliver(), this.intervalMs);
  }

  active(): boolean {
    return this.subs.size > 0;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: LiveListener): () => void {
    const sub: Subscriber = { listener, queue: [], dropped: 0 };
    this.subs.add(sub);
    return () => this.subs.delete(sub);
  }

  private deliver(): void {
    this.timer = undefined;
    for (const s of this.subs) {
      if (s.queue.length === 0) continue;
      const batch = s.queue;
      s.queue = [];
      try {
        s.listener(batch);
      } catch {
        // a broken listener must not take the others down
      }
    }
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.subs.clear();
  }
}
