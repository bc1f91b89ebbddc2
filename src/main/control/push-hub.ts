import type { LiveEvent } from '../../shared/live-events';
import type { PushName, Pushes, StatusView } from '../../shared/ipc-contract';
import { errorMessage } from '../../shared/errors';
import type { ControlDeps } from './deps';

/** One push as it travels: its name and its payload, typed together. */
export type PushMessage = { [P in PushName]: { name: P; payload: Pushes[P] } }[PushName];
export type PushListener = (message: PushMessage) => void;

/** Status is re-checked this often even without live events (a change made elsewhere). */
const STATUS_POLL_MS = 1_000;
/** Rows looked up per live batch; a burst beyond it is left to the list's own refresh. */
const MAX_ROWS_PER_BATCH = 100;

const ROW_EVENTS = new Set<LiveEvent['type']>(['request-started', 'committed', 'request-finished']);

/**
 * Fans the pushes of the contract out to every transport: `live` batches as the LiveHub coalesces them
 * (≤ 20 a second), `status` whenever it changes, `request-row` for each request that started, committed
 * or finished. It listens upstream only while someone listens to it.
 */
export class PushHub {
  private readonly listeners = new Set<PushListener>();
  private stopUpstream: (() => void) | null = null;
  private lastStatus = '';
  private rowErrorShown = false;

  constructor(
    private readonly deps: ControlDeps,
    private readonly status: () => StatusView,
  ) {}

  /** Subscribes; the listener gets the current status at once. Returns the unsubscribe function. */
  subscribe(listener: PushListener): () => void {
    if (this.stopUpstream === null) this.start();
    // Those already listening catch up first, so recording the status below never hides a change from them.
    this.statusChanged();
    this.listeners.add(listener);
    const status = this.status();
    this.lastStatus = JSON.stringify(status);
    this.deliver(listener, { name: 'status', payload: status });
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Pushes the status if it differs from the last one pushed. */
  statusChanged(): void {
    if (this.listeners.size === 0) return;
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.emit({ name: 'status', payload: status });
  }

  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private start(): void {
    const offLive = this.deps.live.subscribe((events) => this.onLive(events));
    const offConfig = this.deps.config.onChange(() => this.statusChanged());
    const timer = setInterval(() => this.statusChanged(), STATUS_POLL_MS);
    timer.unref();
    this.stopUpstream = () => {
      offLive();
      offConfig();
      clearInterval(timer);
    };
  }

  private stop(): void {
    this.stopUpstream?.();
    this.stopUpstream = null;
    this.lastStatus = '';
  }

  private onLive(events: readonly LiveEvent[]): void {
    this.emit({ name: 'live', payload: [...events] });
    const ids = new Set<string>();
    for (const e of events) {
      if (ROW_EVENTS.has(e.type) && ids.size < MAX_ROWS_PER_BATCH) ids.add(e.requestId);
    }
    for (const id of ids) {
      try {
        const row = this.deps.usage.row(id);
        if (row !== null) this.emit({ name: 'request-row', payload: row });
      } catch (err) {
        // The store reports its own outages; say it here once, not once per batch.
        if (!this.rowErrorShown) this.deps.log(`Sluice: request rows for the UI: ${errorMessage(err)}`);
        this.rowErrorShown = true;
      }
    }
    this.statusChanged();
  }

  private emit(message: PushMessage): void {
    for (const l of this.listeners) this.deliver(l, message);
  }

  private deliver(listener: PushListener, message: PushMessage): void {
    try {
      listener(message);
    } catch (err) {
      // One broken transport must not starve the others.
      this.deps.log(`Sluice: a push listener failed: ${errorMessage(err)}`);
    }
  }
}
