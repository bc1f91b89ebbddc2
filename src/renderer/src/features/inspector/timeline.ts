import type { ApiFormat } from '../../../../shared/api-format';
import type { LiveEvent } from '../../../../shared/live-events';
import type { RequestDetail } from '../../../../shared/usage-query';
import type { RequestTrace, TraceSmoothed } from '../live/request-trace';

export type AttemptState = 'committed' | 'failed' | 'skipped' | 'aborted' | 'running';

/** One lane of the waterfall: an attempt (or a skipped candidate), ms from the request start. */
export interface AttemptLane {
  no: number;
  provider: string;
  startMs: number;
  /** null while it runs. */
  endMs: number | null;
  state: AttemptState;
  reason: string | null;
  httpStatus: number | null;
  /** The first bytes of the answer that made it fail over (credentials redacted). */
  bodyHead: string | null;
  /** The provider's format when the request was translated for this attempt; null = relayed as is. */
  translatedTo: ApiFormat | null;
  /** Which of the provider's keys it was sent with (a fingerprint); null/absent = none of its own, or not known yet. */
  keyFingerprint?: string | null;
}

/** Everything the waterfall draws, in ms from the request start. */
export interface Timeline {
  attempts: AttemptLane[];
  /** Commit point: status and first bytes sent to the client. */
  ttfbMs: number | null;
  firstContentMs: number | null;
  endMs: number | null;
  /** Upstream frame arrivals. */
  frameOffsetsMs: number[];
  /** Smoothing: upstream arrival of each split delta, and when its pieces reached the client. */
  smoothed: readonly TraceSmoothed[];
  /** Split deltas the store did not keep (its per-request bound). */
  smoothedDropped: number;
}

/** The attempts as the store recorded them (a finished request). */
export function lanesFromDetail(d: RequestDetail): AttemptLane[] {
  const start = Date.parse(d.request.startedAt);
  return d.attempts.map((a) => {
    const startMs = Math.max(0, a.startedAtMs - start);
    const state: AttemptState = a.outcome;
    return {
      no: a.attemptNo,
      provider: a.provider,
      startMs,
      endMs: a.durationMs === null ? null : startMs + a.durationMs,
      state,
      reason: a.reason,
      httpStatus: a.httpStatus,
      bodyHead: a.bodyHead,
      translatedTo: a.translatedTo,
      keyFingerprint: a.keyFingerprint ?? null,
    };
  });
}

/** The attempts as the live events tell them (an in-flight request). */
export function lanesFromEvents(events: readonly LiveEvent[]): AttemptLane[] {
  const started = events.find((e) => e.type === 'request-started');
  const origin = started?.at ?? events[0]?.at ?? 0;
  const lanes: AttemptLane[] = [];
  let skippedNo = 1000;
  const open = (): AttemptLane | undefined => lanes.findLast((l) => l.state === 'running');
  for (const e of events) {
    const t = Math.max(0, e.at - origin);
    switch (e.type) {
      case 'attempt-started':
        lanes.push({
          no: e.attempt,
          provider: e.provider,
          startMs: t,
          endMs: null,
          state: 'running',
          reason: null,
          httpStatus: null,
          bodyHead: null,
          translatedTo: e.translatedTo ?? null,
          keyFingerprint: e.keyFingerprint ?? null,
        });
        break;
      case 'attempt-failed': {
        const l = lanes.findLast((x) => x.no === e.attempt && x.provider === e.provider) ?? open();
        if (l !== undefined)
          Object.assign(l, {
            endMs: t,
            state: 'failed',
            reason: e.reason,
            httpStatus: e.status,
            bodyHead: e.bodyHead,
          });
        break;
      }
      case 'attempt-skipped':
        lanes.push({
          no: skippedNo++,
          provider: e.provider,
          startMs: t,
          endMs: t,
          state: 'skipped',
          reason: e.reason,
          httpStatus: null,
          bodyHead: null,
          translatedTo: null,
        });
        break;
      case 'committed': {
        const l = lanes.findLast((x) => x.provider === e.provider && x.state === 'running');
        if (l !== undefined) Object.assign(l, { state: 'committed', httpStatus: e.status });
        break;
      }
      case 'request-finished':
        for (const l of lanes) {
          if (l.state === 'running')
            Object.assign(l, { state: e.outcome === 'aborted' ? 'aborted' : 'failed' });
          if (l.endMs === null) l.endMs = e.durationMs;
        }
        break;
      default:
        break;
    }
  }
  return lanes;
}

/** Puts the waterfall together from whatever is known: the stored detail, the live trace, or both. */
export function buildTimeline(
  detail: RequestDetail | null,
  trace: RequestTrace | undefined,
  firstContentMs: number | null,
): Timeline {
  const events = trace?.events ?? [];
  const finished = events.find((e) => e.type === 'request-finished');
  const committed = events.find((e) => e.type === 'committed');
  const fromStore = detail !== null && detail.attempts.length > 0;
  const frames =
    detail !== null && detail.capture.frames.length > 0 ? detail.capture.frames : (trace?.frames ?? []);
  const endMs =
    detail?.request.durationMs ?? (finished?.type === 'request-finished' ? finished.durationMs : null);
  return {
    attempts: fromStore ? lanesFromDetail(detail) : lanesFromEvents(events),
    ttfbMs: detail?.request.ttfbMs ?? (committed?.type === 'committed' ? committed.ttfbMs : null),
    firstContentMs,
    endMs,
    frameOffsetsMs: frames.map((f) => f.offsetMs),
    ...smoothingMarks(detail, trace),
  };
}

/**
 * The smoothing marks from one source, never both added up: the stored ones and the live ones are
 * the same marks, each maybe missing some (the store writes a running stream in chunks; a page that
 * came late saw only the end live), so the longer list wins, and the stored one on a tie.
 */
function smoothingMarks(
  detail: RequestDetail | null,
  trace: RequestTrace | undefined,
): Pick<Timeline, 'smoothed' | 'smoothedDropped'> {
  const live = trace?.smoothed ?? [];
  if (detail === null || detail.capture.smoothing.length < live.length)
    return { smoothed: live, smoothedDropped: 0 };
  return { smoothed: detail.capture.smoothing, smoothedDropped: detail.capture.droppedSmoothing };
}

/** The time the waterfall's scale spans: the end, or the latest thing seen (or `nowMs` while running). */
export function timelineSpan(t: Timeline, nowMs: number | null): number {
  let max = t.endMs ?? nowMs ?? 0;
  for (const a of t.attempts) max = Math.max(max, a.endMs ?? a.startMs);
  for (const f of t.frameOffsetsMs) max = Math.max(max, f);
  for (const s of t.smoothed) for (const d of s.deliveredOffsetsMs) max = Math.max(max, d);
  if (t.ttfbMs !== null) max = Math.max(max, t.ttfbMs);
  return Math.max(1, max);
}
