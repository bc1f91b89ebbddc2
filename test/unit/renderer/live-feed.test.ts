import { describe, expect, it } from 'vitest';
import { LiveFeed, type FeedClock } from '../../../src/renderer/src/features/live/live-feed';
import { failoverEvents, rid } from './live-fixtures';

/** A manual clock: timers fire only when the test advances time. */
function fakeClock(): FeedClock & { advance(ms: number): void } {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; f: () => void }>();
  return {
    now: () => now,
    setTimeout: (f, ms) => {
      timers.set(++seq, { at: now + ms, f });
      return seq;
    },
    clearTimeout: (h) => timers.delete(h as number),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].f();
      }
      now = end;
    },
  };
}

describe('LiveFeed', () => {
  it('coalesces a flood of pushes into at most 20 renders a second', () => {
    const clock = fakeClock();
    const feed = new LiveFeed(clock);
    let renders = 0;
    feed.subscribe(() => renders++);
    // 1 000 batches over one second: 500 requests, each in two halves.
    for (let i = 0; i < 1_000; i++) {
      const events = failoverEvents(rid(Math.floor(i / 2)), 1_000 + i);
      feed.pushEvents(i % 2 === 0 ? events.slice(0, 5) : events.slice(5));
      clock.advance(1);
    }
    clock.advance(100);
    expect(renders).toBeGreaterThan(0);
    expect(renders).toBeLessThanOrEqual(21);
    const snap = feed.snapshot();
    expect(snap.rows).toHaveLength(500);
    expect(snap.rows.every((r) => r.status === 'done')).toBe(true);
  });

  it('keeps the snapshot stable between flushes and notifies for trace-only changes', () => {
    const clock = fakeClock();
    const feed = new LiveFeed(clock);
    let renders = 0;
    feed.subscribe(() => renders++);
    feed.pushEvents(failoverEvents(rid(1), 1_000).slice(0, 1));
    const before = feed.snapshot();
    expect(before.rows).toHaveLength(0);
    clock.advance(60);
    const after = feed.snapshot();
    expect(after.rows).toHaveLength(1);
    expect(feed.snapshot()).toBe(after);
    feed.pushEvents([
      { type: 'sse-event', requestId: rid(1), at: 2_000, offsetMs: 3, event: null, data: 'x' },
    ]);
    clock.advance(60);
    expect(renders).toBe(2);
    expect(feed.snapshot()).toBe(after);
    expect(feed.trace(rid(1))?.frames).toHaveLength(1);
  });
});
