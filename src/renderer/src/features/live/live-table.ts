import type { LiveEvent } from '../../../../shared/live-events';
import type { UsageRow } from '../../../../shared/usage';
import { isFinal, rowFromUsage, statusRank, withUsage, type LiveRow } from './live-row';
import { TraceBook, type RequestTrace } from './request-trace';

/** What the Live screen renders: rows newest first, and a counter that changes with every flush. */
export interface LiveSnapshot {
  readonly rows: readonly LiveRow[];
  readonly version: number;
  /** Requests not yet finished among `rows`. */
  readonly inFlight: number;
}

/** The most rows the list holds; older ones fall off the end. */
export const MAX_LIVE_ROWS = 10_000;

/**
 * The Live list's state, built from `requests.page` rows and `live` pushes. Pure and DOM-free: the
 * store feeds it batches and asks for a snapshot at most ~20 times a second.
 */
export class LiveTable {
  private readonly byId = new Map<string, LiveRow>();
  /** Ids, newest start first. New rows wait in `added` until the next snapshot merges them in. */
  private order: string[] = [];
  private added: LiveRow[] = [];
  private changed = false;
  private version = 0;
  private last: LiveSnapshot = { rows: [], version: 0, inFlight: 0 };
  readonly traces = new TraceBook();

  constructor(private readonly maxRows = MAX_LIVE_ROWS) {}

  /** Applies live events in arrival order. */
  applyEvents(events: readonly LiveEvent[]): void {
    for (const e of events) this.applyEvent(e);
  }

  /** Merges stored rows (a page, or a `request-row` push); never moves a row back in its lifecycle. */
  applyRows(rows: readonly UsageRow[]): void {
    for (const r of rows) {
      const prev = this.byId.get(r.requestId);
      const next = rowFromUsage(r, prev);
      if (prev !== undefined && statusRank(next.status) < statusRank(prev.status)) continue;
      this.put(next, prev === undefined);
    }
  }

  row(id: string): LiveRow | undefined {
    return this.byId.get(id);
  }

  trace(id: string): RequestTrace | undefined {
    return this.traces.snapshot(id);
  }

  /** The oldest row held (for paging further back), or undefined when empty. */
  oldest(): LiveRow | undefined {
    this.merge();
    const id = this.order.at(-1);
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** The current state; a new object only when something changed since the last call. */
  snapshot(): LiveSnapshot {
    this.traces.commit();
    if (!this.changed && this.added.length === 0) return this.last;
    this.merge();
    const rows: LiveRow[] = new Array<LiveRow>(this.order.length);
    let inFlight = 0;
    for (let i = 0; i < this.order.length; i++) {
      const r = this.byId.get(this.order[i] ?? '')!;
      rows[i] = r;
      if (!isFinal(r.status)) inFlight++;
    }
    this.changed = false;
    this.last = { rows, version: ++this.version, inFlight };
    return this.last;
  }

  private put(row: LiveRow, isNew: boolean): void {
    this.byId.set(row.id, row);
    if (isNew) this.added.push(row);
    this.changed = true;
  }

  private update(id: string, f: (r: LiveRow) => LiveRow): void {
    const r = this.byId.get(id);
    if (r !== undefined) this.put(f(r), false);
  }

  private applyEvent(e: LiveEvent): void {
    this.traces.add(e);
    switch (e.type) {
      case 'request-started':
        if (this.byId.has(e.requestId)) return;
        this.put(
          {
            id: e.requestId,
            startedAt: e.at,
            client: e.client,
            format: e.format,
            stream: e.stream,
            model: e.model,
            upstreamModel: null,
            provider: null,
            translatedTo: null,
            status: 'waiting',
            interrupted: false,
            httpStatus: null,
            ttfbMs: null,
            durationMs: null,
            inputTokens: null,
            outputTokens: null,
            cacheReadTokens: null,
            cacheWriteTokens: null,
            costUsd: null,
            hops: 0,
            skipped: 0,
            error: null,
          },
          true,
        );
        return;
      case 'attempt-started':
        // The latest attempt's; the committed one is the last started, so it stays after the commit.
        return this.update(e.requestId, (r) => ({
          ...r,
          provider: e.provider,
          translatedTo: e.translatedTo ?? null,
          connectionWait: null,
        }));
      case 'attempt-waiting':
        return this.update(e.requestId, (r) =>
          isFinal(r.status) ? r : { ...r, provider: e.provider, connectionWait: e.provider },
        );
      case 'attempt-failed':
        return this.update(e.requestId, (r) => ({ ...r, hops: (r.hops ?? 0) + 1, connectionWait: null }));
      case 'attempt-skipped':
        return this.update(e.requestId, (r) => ({ ...r, skipped: r.skipped + 1 }));
      case 'request-routed':
        return this.update(e.requestId, (r) => ({ ...r, routing: e.choice }));
      case 'committed':
        return this.update(e.requestId, (r) =>
          isFinal(r.status)
            ? r
            : {
                ...r,
                status: 'streaming',
                provider: e.provider,
                httpStatus: e.status,
                ttfbMs: e.ttfbMs,
                connectionWait: null,
              },
        );
      case 'usage':
        return this.update(e.requestId, (r) => withUsage(r, e.usage));
      case 'request-finished':
        return this.update(e.requestId, (r) => ({
          ...withUsage(r, e.usage),
          status: e.outcome === 'completed' ? 'done' : e.outcome,
          httpStatus: e.httpStatus ?? r.httpStatus,
          durationMs: e.durationMs,
          connectionWait: null,
          error: e.error,
        }));
      case 'sse-event':
      case 'smoothed':
      case 'frames-dropped':
        return;
    }
  }

  /** Merges `added` into `order` (both newest first) and drops the oldest beyond the cap. */
  private merge(): void {
    if (this.added.length === 0) return;
    const fresh = this.added.sort((a, b) => b.startedAt - a.startedAt);
    this.added = [];
    const out: string[] = [];
    let i = 0;
    let j = 0;
    while (i < this.order.length || j < fresh.length) {
      const a = i < this.order.length ? this.byId.get(this.order[i]!) : undefined;
      const b = fresh[j];
      if (b !== undefined && (a === undefined || b.startedAt > a.startedAt)) {
        out.push(b.id);
        j++;
      } else {
        out.push(this.order[i]!);
        i++;
      }
    }
    for (const id of out.splice(this.maxRows)) {
      this.byId.delete(id);
      this.traces.forget(id);
    }
    this.order = out;
    this.changed = true;
  }
}
