import { describe, expect, it } from 'vitest';
import {
  buildTimeline,
  lanesFromEvents,
  timelineSpan,
} from '../../../src/renderer/src/features/inspector/timeline';
import type { RequestDetail } from '../../../src/shared/usage-query';
import { failoverEvents, rid, usageRow } from './live-fixtures';

describe('inspector timeline', () => {
  it('builds the attempts of an in-flight request from its live events', () => {
    const events = failoverEvents(rid(1), 1_000);
    const running = lanesFromEvents(events.slice(0, 5));
    expect(running.map((l) => [l.provider, l.state, l.startMs, l.endMs])).toEqual([
      ['p0', 'skipped', 1, 1],
      ['p1', 'failed', 2, 50],
      ['p2', 'running', 51, null],
    ]);
    expect(running[1]).toMatchObject({ reason: 'http_status 529', httpStatus: 529, bodyHead: 'overloaded' });
    const done = lanesFromEvents(events);
    expect(done[2]).toMatchObject({ state: 'committed', httpStatus: 200, endMs: 320 });
  });

  it('prefers the stored attempts once the request is recorded, keeping live smoothing marks', () => {
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const detail: RequestDetail = {
      request: usageRow(rid(1), start, { ttfbMs: 200, durationMs: 900 }),
      pricing: null,
      attempts: [
        {
          requestId: rid(1),
          attemptNo: 1,
          provider: 'a',
          startedAtMs: start + 5,
          phase: 'headers',
          outcome: 'failed',
          reason: 'http_status 500',
          httpStatus: 500,
          durationMs: 45,
          bodyHead: 'boom',
          translatedTo: null,
        },
        {
          requestId: rid(1),
          attemptNo: 2,
          provider: 'b',
          startedAtMs: start + 60,
          phase: 'relay',
          outcome: 'committed',
          reason: null,
          httpStatus: 200,
          durationMs: 840,
          bodyHead: null,
          translatedTo: 'openai-chat',
          keyFingerprint: '3f2a…9c01',
        },
      ],
      capture: {
        requestHeaders: null,
        frames: [{ offsetMs: 210, event: null, data: '{}' }],
        droppedFrames: 0,
        requestBody: null,
        requestBodyTruncatedBytes: 0,
        smoothing: [],
        droppedSmoothing: 0,
      },
    };
    const t = buildTimeline(
      detail,
      {
        requestId: rid(1),
        version: 1,
        events: [],
        frames: [],
        droppedFrames: 0,
        smoothed: [{ upstreamOffsetMs: 300, deliveredOffsetsMs: [300, 320, 340] }],
      },
      210,
    );
    expect(t.attempts.map((a) => [a.provider, a.state, a.startMs, a.endMs, a.reason])).toEqual([
      ['a', 'failed', 5, 50, 'http_status 500'],
      ['b', 'committed', 60, 900, null],
    ]);
    expect(t.attempts.map((a) => a.translatedTo)).toEqual([null, 'openai-chat']);
    // The key that served (a pool's, by fingerprint); a row written before schema 7 has none.
    expect(t.attempts.map((a) => a.keyFingerprint)).toEqual([null, '3f2a…9c01']);
    expect(t).toMatchObject({ ttfbMs: 200, firstContentMs: 210, endMs: 900, frameOffsetsMs: [210] });
    expect(t.smoothed).toHaveLength(1);
    expect(timelineSpan(t, null)).toBe(900);
  });

  it('marks a translated attempt from its live event', () => {
    const events = failoverEvents(rid(1), 0).map((e) =>
      e.type === 'attempt-started' && e.attempt === 2 ? { ...e, translatedTo: 'openai-chat' as const } : e,
    );
    expect(lanesFromEvents(events).map((l) => [l.provider, l.state, l.translatedTo])).toEqual([
      ['p0', 'skipped', null],
      ['p1', 'failed', null],
      ['p2', 'committed', 'openai-chat'],
    ]);
  });

  it("names an in-flight attempt's pool key from its live event", () => {
    const events = failoverEvents(rid(1), 0).map((e) =>
      e.type === 'attempt-started' && e.attempt === 2 ? { ...e, keyFingerprint: '3f2a…9c01' } : e,
    );
    expect(lanesFromEvents(events).map((l) => [l.provider, l.keyFingerprint ?? null])).toEqual([
      ['p0', null],
      ['p1', null],
      ['p2', '3f2a…9c01'],
    ]);
  });

  it('spans to now while a request runs', () => {
    const t = buildTimeline(
      null,
      {
        requestId: rid(1),
        version: 1,
        events: failoverEvents(rid(1), 0).slice(0, 3),
        frames: [],
        droppedFrames: 0,
        smoothed: [],
      },
      null,
    );
    expect(t.endMs).toBeNull();
    expect(timelineSpan(t, 1_500)).toBe(1_500);
  });

  describe('smoothing marks', () => {
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const stored = [
      { upstreamOffsetMs: 300, deliveredOffsetsMs: [300, 320, 340] },
      { upstreamOffsetMs: 400, deliveredOffsetsMs: [401, 420, 1_200] },
    ];
    const detailWith = (smoothing: typeof stored, droppedSmoothing = 0): RequestDetail => ({
      request: usageRow(rid(2), start, { ttfbMs: 200, durationMs: 900 }),
      pricing: null,
      attempts: [],
      capture: {
        requestHeaders: null,
        frames: [],
        droppedFrames: 0,
        requestBody: null,
        requestBodyTruncatedBytes: 0,
        smoothing,
        droppedSmoothing,
      },
    });
    const traceWith = (smoothed: typeof stored) => ({
      requestId: rid(2),
      version: 1,
      events: [],
      frames: [],
      droppedFrames: 0,
      smoothed,
    });

    it('come from the store for a request opened after it ended (nothing seen live)', () => {
      const t = buildTimeline(detailWith(stored, 7), undefined, null);
      expect(t.smoothed).toEqual(stored);
      expect(t.smoothedDropped).toBe(7);
      // A piece delivered after the recorded end still fits on the scale.
      expect(timelineSpan(t, null)).toBe(1_200);
    });

    it('are never counted twice when the page saw them live and the store has them too', () => {
      const t = buildTimeline(detailWith(stored), traceWith(stored.map((m) => ({ ...m }))), null);
      expect(t.smoothed).toBe(stored); // the stored list, on a tie
      expect(t.smoothed.flatMap((m) => m.deliveredOffsetsMs)).toHaveLength(6);
    });

    it('come from the live trace while the store has fewer (a running stream, written in chunks)', () => {
      const live = [...stored, { upstreamOffsetMs: 500, deliveredOffsetsMs: [500, 510] }];
      const running = buildTimeline(null, traceWith(live), null);
      expect(running.smoothed).toBe(live);
      const partlyStored = buildTimeline(detailWith(stored.slice(0, 1), 3), traceWith(live), null);
      expect(partlyStored.smoothed).toBe(live);
      expect(partlyStored.smoothedDropped).toBe(0);
    });
  });
});
