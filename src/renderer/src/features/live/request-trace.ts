import type { LiveEvent } from '../../../../shared/live-events';
import type { SmoothingMark } from '../../../../shared/usage-query';

/** One raw frame as it reached Sluice, ms after the request arrived. */
export interface TraceFrame {
  offsetMs: number;
  event: string | null;
  data: string;
}

/** One smoothed upstream delta: when it arrived and when each piece reached the client (ms from start). */
export type TraceSmoothed = SmoothingMark;

/**
 * What the live pushes told us about one request, for the inspector of an in-flight request.
 * The arrays are append-only and shared between versions; `version` changes when they grow.
 */
export interface RequestTrace {
  readonly requestId: string;
  readonly version: number;
  /** Lifecycle events (everything but frames and smoothing), in arrival order. */
  readonly events: readonly LiveEvent[];
  readonly frames: readonly TraceFrame[];
  /** Frames the gateway or this page did not keep (per-request budgets). */
  readonly droppedFrames: number;
  readonly smoothed: readonly TraceSmoothed[];
}

/** Bounds: every buffer here has one, so a flood of events cannot grow the page without limit. */
export const TRACE_LIMITS = {
  /** Requests whose lifecycle events are kept. */
  traces: 2_000,
  /** Of those, the most recent ones that also keep frames and smoothing marks. */
  tracesWithFrames: 20,
  eventsPerTrace: 200,
  framesPerTrace: 5_000,
  smoothedPerTrace: 5_000,
} as const;

interface MutableTrace {
  requestId: string;
  version: number;
  events: LiveEvent[];
  frames: TraceFrame[];
  droppedFrames: number;
  smoothed: TraceSmoothed[];
}

/** Keeps bounded per-request traces; `touched()` hands out fresh snapshots of the ones that changed. */
export class TraceBook {
  private readonly traces = new Map<string, MutableTrace>();
  private readonly withFrames: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly snapshots = new Map<string, RequestTrace>();

  add(e: LiveEvent): void {
    const t = this.get(e.requestId);
    switch (e.type) {
      case 'sse-event':
        this.holdFrames(t);
        if (t.frames.length < TRACE_LIMITS.framesPerTrace)
          t.frames.push({ offsetMs: e.offsetMs, event: e.event, data: e.data });
        else t.droppedFrames++;
        break;
      case 'frames-dropped':
        t.droppedFrames += e.count;
        break;
      case 'smoothed':
        this.holdFrames(t);
        if (t.smoothed.length < TRACE_LIMITS.smoothedPerTrace)
          t.smoothed.push({ upstreamOffsetMs: e.upstreamOffsetMs, deliveredOffsetsMs: e.deliveredOffsetsMs });
        break;
      default:
        if (t.events.length < TRACE_LIMITS.eventsPerTrace) t.events.push(e);
    }
    this.dirty.add(e.requestId);
  }

  /** The current snapshot of a request's trace, or undefined when nothing was seen live. */
  snapshot(requestId: string): RequestTrace | undefined {
    if (this.dirty.has(requestId)) this.refresh(requestId);
    return this.snapshots.get(requestId);
  }

  /** Refreshes the snapshots of every trace changed since the last call. */
  commit(): void {
    for (const id of this.dirty) this.refresh(id);
    this.dirty.clear();
  }

  forget(requestId: string): void {
    this.traces.delete(requestId);
    this.snapshots.delete(requestId);
    this.dirty.delete(requestId);
    const i = this.withFrames.indexOf(requestId);
    if (i >= 0) this.withFrames.splice(i, 1);
  }

  private refresh(id: string): void {
    const t = this.traces.get(id);
    if (t === undefined) return;
    t.version++;
    this.snapshots.set(id, {
      requestId: t.requestId,
      version: t.version,
      events: t.events,
      frames: t.frames,
      droppedFrames: t.droppedFrames,
      smoothed: t.smoothed,
    });
  }

  private get(id: string): MutableTrace {
    let t = this.traces.get(id);
    if (t !== undefined) return t;
    t = { requestId: id, version: 0, events: [], frames: [], droppedFrames: 0, smoothed: [] };
    this.traces.set(id, t);
    if (this.traces.size > TRACE_LIMITS.traces) {
      const oldest = this.traces.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
    return t;
  }

  /** Frames are the heavy part: only the most recent requests keep them. */
  private holdFrames(t: MutableTrace): void {
    if (this.withFrames.at(-1) === t.requestId || this.withFrames.includes(t.requestId)) return;
    this.withFrames.push(t.requestId);
    if (this.withFrames.length <= TRACE_LIMITS.tracesWithFrames) return;
    const evicted = this.traces.get(this.withFrames.shift() ?? '');
    if (evicted === undefined) return;
    evicted.droppedFrames += evicted.frames.length;
    evicted.frames = [];
    evicted.smoothed = [];
    this.dirty.add(evicted.requestId);
  }
}
