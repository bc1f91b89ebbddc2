import { describe, expect, it } from 'vitest';
import { filterRows, parseQuery } from '../../../src/renderer/src/features/live/live-filter';
import { rowFromUsage } from '../../../src/renderer/src/features/live/live-row';
import { LiveTable } from '../../../src/renderer/src/features/live/live-table';
import { TRACE_LIMITS } from '../../../src/renderer/src/features/live/request-trace';
import { translationLabel } from '../../../src/renderer/src/lib/labels';
import { failoverEvents, rid, usageRow } from './live-fixtures';

describe('LiveTable', () => {
  it('follows a request through its live events, counting failover hops', () => {
    const t = new LiveTable();
    const events = failoverEvents(rid(1), 1_000);
    t.applyEvents(events.slice(0, 1));
    expect(t.snapshot().rows[0]).toMatchObject({
      status: 'waiting',
      ttfbMs: null,
      hops: 0,
      inputTokens: null,
    });
    expect(t.snapshot().inFlight).toBe(1);
    t.applyEvents(events.slice(1, 6));
    expect(t.snapshot().rows[0]).toMatchObject({
      status: 'streaming',
      provider: 'p2',
      ttfbMs: 120,
      hops: 1,
      skipped: 1,
    });
    t.applyEvents(events.slice(6));
    const done = t.snapshot();
    expect(done.rows[0]).toMatchObject({
      status: 'done',
      durationMs: 320,
      inputTokens: 10,
      outputTokens: 20,
      cacheReadTokens: 5,
    });
    expect(done.inFlight).toBe(0);
  });

  it('marks a row whose latest attempt was translated, and keeps it through the commit and the stored row', () => {
    const t = new LiveTable();
    const id = rid(1);
    const events = failoverEvents(id, 1_000).map((e) =>
      e.type === 'attempt-started' && e.attempt === 2 ? { ...e, translatedTo: 'openai-chat' as const } : e,
    );
    t.applyEvents(events.slice(0, 3)); // attempt 1 started, relayed as is
    expect(t.snapshot().rows[0]).toMatchObject({ provider: 'p1', translatedTo: null });
    t.applyEvents(events.slice(3, 6)); // it failed; attempt 2 went out translated and committed
    expect(t.snapshot().rows[0]).toMatchObject({
      status: 'streaming',
      provider: 'p2',
      translatedTo: 'openai-chat',
    });
    t.applyEvents(events.slice(6));
    t.applyRows([usageRow(id, 1_000, { format: 'anthropic', status: 'completed' })]);
    const row = t.snapshot().rows[0]!;
    expect(row.translatedTo).toBe('openai-chat');
    expect(translationLabel(row.format, row.translatedTo!)).toBe('messages → chat');
    // A later attempt relayed as is clears it: the mark is the latest attempt's.
    const other = new LiveTable();
    other.applyEvents([
      ...failoverEvents(rid(3), 0).slice(0, 2),
      {
        type: 'attempt-started',
        requestId: rid(3),
        at: 2,
        attempt: 1,
        provider: 'a',
        url: 'u',
        translatedTo: 'gemini',
      },
      {
        type: 'attempt-started',
        requestId: rid(3),
        at: 3,
        attempt: 2,
        provider: 'b',
        url: 'u',
        translatedTo: null,
      },
    ]);
    expect(other.snapshot().rows[0]).toMatchObject({ provider: 'b', translatedTo: null });
  });

  it('marks a translated request rebuilt from its stored row alone (after a reload)', () => {
    const id = rid(1);
    const stored = usageRow(id, 1_000, { format: 'anthropic', translatedTo: 'openai-chat' });
    const row = rowFromUsage(stored);
    expect(row.translatedTo).toBe('openai-chat');
    expect(translationLabel(row.format, row.translatedTo!)).toBe('messages → chat');
    // The stored row wins over what live events said; a row without one keeps the live mark.
    expect(rowFromUsage(stored, { ...row, translatedTo: 'gemini' }).translatedTo).toBe('openai-chat');
    expect(rowFromUsage(usageRow(id, 1_000), { ...row, translatedTo: 'gemini' }).translatedTo).toBe('gemini');
    expect(rowFromUsage(usageRow(id, 1_000)).translatedTo).toBeNull();
    const t = new LiveTable();
    t.applyRows([stored]);
    expect(t.snapshot().rows[0]).toMatchObject({ id, translatedTo: 'openai-chat' });
  });

  it('names translations in short names', () => {
    expect(translationLabel('anthropic', 'openai-chat')).toBe('messages → chat');
    expect(translationLabel('openai-responses', 'anthropic')).toBe('responses → messages');
    expect(translationLabel('gemini', 'openai-responses')).toBe('gemini → responses');
  });

  it('keeps rows newest first, wherever they came from', () => {
    const t = new LiveTable();
    t.applyRows([usageRow(rid(2), 2_000), usageRow(rid(1), 1_000)]);
    t.applyEvents(failoverEvents(rid(3), 3_000).slice(0, 1));
    t.applyRows([usageRow(rid(0), 500)]);
    expect(t.snapshot().rows.map((r) => r.id)).toEqual([rid(3), rid(2), rid(1), rid(0)]);
  });

  it('never moves a row back: a stale page row does not undo a finish seen live', () => {
    const t = new LiveTable();
    t.applyEvents(failoverEvents(rid(1), 1_000));
    t.applyRows([usageRow(rid(1), 1_000, { status: 'pending', durationMs: null })]);
    expect(t.snapshot().rows[0]).toMatchObject({ status: 'done', hops: 1 });
    // The final stored row refreshes it and keeps the hops only live events know.
    t.applyRows([usageRow(rid(1), 1_000, { status: 'completed', costUsd: 0.5 })]);
    expect(t.snapshot().rows[0]).toMatchObject({ status: 'done', hops: 1, costUsd: 0.5 });
  });

  it('maps stored statuses, interrupted as failed', () => {
    const t = new LiveTable();
    t.applyRows([usageRow(rid(1), 1, { status: 'interrupted' }), usageRow(rid(2), 2, { status: 'aborted' })]);
    expect(t.snapshot().rows.map((r) => [r.status, r.interrupted, r.hops])).toEqual([
      ['aborted', false, null],
      ['failed', true, null],
    ]);
  });

  it('holds at most maxRows, dropping the oldest and their traces', () => {
    const t = new LiveTable(100);
    for (let i = 0; i < 250; i++) t.applyEvents(failoverEvents(rid(i), 10_000 + i));
    const snap = t.snapshot();
    expect(snap.rows).toHaveLength(100);
    expect(snap.rows[0]?.id).toBe(rid(249));
    expect(snap.rows.at(-1)?.id).toBe(rid(150));
    expect(t.trace(rid(10))).toBeUndefined();
    expect(t.trace(rid(200))?.events.length).toBeGreaterThan(0);
  });

  it('gives the same snapshot when nothing changed, and keeps unchanged rows identical', () => {
    const t = new LiveTable();
    t.applyEvents(failoverEvents(rid(1), 1_000));
    t.applyEvents(failoverEvents(rid(2), 2_000).slice(0, 1));
    const a = t.snapshot();
    expect(t.snapshot()).toBe(a);
    t.applyEvents(failoverEvents(rid(2), 2_000).slice(1, 3));
    const b = t.snapshot();
    expect(b).not.toBe(a);
    expect(b.rows[1]).toBe(a.rows[1]);
    expect(b.rows[0]).not.toBe(a.rows[0]);
  });

  it('keeps a bounded trace per request: events, frames, smoothing', () => {
    const t = new LiveTable();
    const id = rid(7);
    t.applyEvents(failoverEvents(id, 1_000));
    for (let i = 0; i < TRACE_LIMITS.framesPerTrace + 10; i++)
      t.applyEvents([{ type: 'sse-event', requestId: id, at: 2_000, offsetMs: i, event: null, data: 'x' }]);
    t.applyEvents([
      { type: 'smoothed', requestId: id, at: 2_000, upstreamOffsetMs: 5, deliveredOffsetsMs: [5, 9] },
    ]);
    t.applyEvents([{ type: 'frames-dropped', requestId: id, at: 2_000, count: 3 }]);
    const tr = t.trace(id)!;
    expect(tr.frames).toHaveLength(TRACE_LIMITS.framesPerTrace);
    // 1 + 5 010 frames pushed, 5 000 kept, 11 dropped here, 3 dropped by the gateway.
    expect(tr.droppedFrames).toBe(14);
    expect(tr.smoothed).toEqual([{ upstreamOffsetMs: 5, deliveredOffsetsMs: [5, 9] }]);
    expect(tr.events.map((e) => e.type)).not.toContain('sse-event');
  });

  it('lets only the most recent requests keep their frames', () => {
    const t = new LiveTable();
    const n = TRACE_LIMITS.tracesWithFrames + 5;
    for (let i = 0; i < n; i++)
      t.applyEvents([{ type: 'sse-event', requestId: rid(i), at: i, offsetMs: 1, event: null, data: 'x' }]);
    expect(t.trace(rid(0))?.frames).toHaveLength(0);
    expect(t.trace(rid(0))?.droppedFrames).toBe(1);
    expect(t.trace(rid(n - 1))?.frames).toHaveLength(1);
  });
});

describe('live filter', () => {
  const t = new LiveTable();
  t.applyEvents(failoverEvents(rid(1), 1_000));
  t.applyRows([
    usageRow(rid(2), 2_000),
    usageRow(rid(3), 3_000, {
      status: 'failed',
      error: 'upstream timeout',
      model: 'gpt-5',
      provider: 'azure',
    }),
    usageRow(rid(4), 4_000, {
      status: 'streaming',
      client: 'claude-code',
      format: 'anthropic',
      model: 'claude-sonnet',
    }),
  ]);
  const rows = t.snapshot().rows;
  const ids = (q: string, view: 'all' | 'active' | 'errors' | 'failover' = 'all'): string[] =>
    filterRows(rows, q, view).map((r) => r.id.slice(-1));

  it('parses fields, negation and plain text', () => {
    expect(parseQuery('status:failed -Codex  sonnet')).toEqual([
      { field: 'status', text: 'failed', negate: false },
      { field: null, text: 'codex', negate: true },
      { field: null, text: 'sonnet', negate: false },
    ]);
    expect(parseQuery('foo:bar')).toEqual([{ field: null, text: 'foo:bar', negate: false }]);
  });

  it('filters by text, field, negation and view', () => {
    expect(filterRows(rows, '', 'all')).toBe(rows);
    expect(ids('')).toEqual(['4', '3', '2', '1']);
    expect(ids('status:failed')).toEqual(['3']);
    expect(ids('timeout')).toEqual(['3']);
    expect(ids('-codex')).toEqual(['4', '1']);
    expect(ids('client:claude model:sonnet')).toEqual(['4']);
    expect(ids('', 'active')).toEqual(['4']);
    expect(ids('', 'errors')).toEqual(['3']);
    expect(ids('', 'failover')).toEqual(['1']);
    expect(ids('provider:p2')).toEqual(['1']);
  });
});
