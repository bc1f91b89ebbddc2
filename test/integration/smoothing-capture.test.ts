import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/shared/live-events';
import type { RequestDetail, SmoothingMark } from '../../src/shared/usage-query';
import { anthropicFrames } from '../e2e/support/anthropic-stream';
import { FakeUpstream } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/*
 * Smoothing's marks — when each split upstream delta arrived and when its pieces reached the client —
 * are stored with the request's captures, so the inspector shows them for a request opened after it
 * ended (or after a reload), not only from the live events of one that is watched as it runs.
 */

const CHUNK_CHARS = 3;
/** Deltas longer than CHUNK_CHARS graphemes are split; `Hi` is not (it passes as it came). */
const DELTAS = ['Hello there, ', 'Hi', 'how is the weather ', 'over there today? ', 'Sunny 🌞 here.'];
const SPLIT = DELTAS.filter((d) => [...new Intl.Segmenter().segment(d)].length > CHUNK_CHARS);

let upstream: FakeUpstream;
let sluice: TestSluice | undefined;

beforeAll(async () => {
  upstream = await new FakeUpstream(() => ({ chunks: anthropicFrames(DELTAS), delayMs: 15 })).start();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await sluice?.close();
  sluice = undefined;
});

function start(settings: Record<string, unknown>): Promise<TestSluice> {
  return startSluice({
    providers: [{ id: 'claude', kind: 'anthropic', baseUrl: upstream.url, apiKey: 'sk-ant-p' }],
    settings: {
      smoothing: { enabled: true, mode: 'fixed', chunkChars: CHUNK_CHARS, delayMs: 2 },
      ...settings,
    },
  });
}

/** The text of each text delta the client received, in order. */
function clientDeltas(body: string): string[] {
  const out: string[] = [];
  for (const frame of body.split('\n\n')) {
    const data = /^data: (.*)$/m.exec(frame)?.[1];
    if (data === undefined) continue;
    const json = JSON.parse(data) as { type?: string; delta?: { type?: string; text?: string } };
    if (json.type === 'content_block_delta' && json.delta?.type === 'text_delta')
      out.push(json.delta.text ?? '');
  }
  return out;
}

/** Sends one streaming request; its id and the text deltas the client got. */
async function ask(s: TestSluice): Promise<{ id: string; deltas: string[] }> {
  const res = await fetch(`${s.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'client-key' },
    body: JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'weather?' }],
    }),
  });
  expect(res.status).toBe(200);
  const body = await res.text();
  return { id: res.headers.get('x-sluice-request-id')!, deltas: clientDeltas(body) };
}

/** The request's detail as the inspector reads it: through the control API, once its row is final. */
async function detailOf(s: TestSluice, id: string): Promise<RequestDetail> {
  await s.row((r) => r.requestId === id);
  const r = await s.app.control.api.call('requests.get', { requestId: id });
  if (!r.ok || r.value === null) throw new Error('no detail');
  return r.value;
}

describe('smoothing marks are stored with the request', () => {
  it('keeps each split delta’s arrival and deliveries, matching what the client received and the live events', async () => {
    sluice = await start({});
    const live: LiveEvent[] = [];
    const unsubscribe = sluice.app.live.subscribe((batch) => live.push(...batch));
    const { id, deltas } = await ask(sluice);
    const detail = await detailOf(sluice, id);
    // Live events go out in coalesced batches: wait for the last one.
    await expect.poll(() => live.some((e) => e.type === 'request-finished' && e.requestId === id)).toBe(true);
    unsubscribe();
    expect(deltas.join('')).toBe(DELTAS.join(''));

    const marks = detail.capture.smoothing;
    expect(detail.capture.droppedSmoothing).toBe(0);
    expect(marks).toHaveLength(SPLIT.length);
    for (const m of marks) {
      expect(m.deliveredOffsetsMs.length).toBeGreaterThanOrEqual(2);
      expect(m.upstreamOffsetMs).toBeLessThanOrEqual(m.deliveredOffsetsMs[0]!);
      expect(m.deliveredOffsetsMs).toEqual([...m.deliveredOffsetsMs].sort((a, b) => a - b));
      expect(m.deliveredOffsetsMs.at(-1)!).toBeLessThanOrEqual(detail.request.durationMs!);
    }
    const upstreamOffsets = marks.map((m) => m.upstreamOffsetMs);
    expect(upstreamOffsets).toEqual([...upstreamOffsets].sort((a, b) => a - b));
    // Every piece the client got is a delivery, besides the one delta too short to split.
    const pieces = marks.reduce((n, m) => n + m.deliveredOffsetsMs.length, 0);
    expect(pieces + (DELTAS.length - SPLIT.length)).toBe(deltas.length);
    // Stored exactly as the live events told them.
    const published: SmoothingMark[] = live.flatMap((e) =>
      e.type === 'smoothed' && e.requestId === id
        ? [{ upstreamOffsetMs: e.upstreamOffsetMs, deliveredOffsetsMs: e.deliveredOffsetsMs }]
        : [],
    );
    expect(marks).toEqual(published);
  });

  it('keeps none when captureFrames is off, though the client still gets the pieces', async () => {
    sluice = await start({ captureFrames: false });
    const { id, deltas } = await ask(sluice);
    const detail = await detailOf(sluice, id);
    expect(deltas.length).toBeGreaterThan(DELTAS.length);
    expect(detail.capture.smoothing).toEqual([]);
    expect(detail.capture.droppedSmoothing).toBe(0);
  });

  it('keeps none without smoothing', async () => {
    sluice = await start({ smoothing: { enabled: false } });
    const { id, deltas } = await ask(sluice);
    const detail = await detailOf(sluice, id);
    expect(deltas).toEqual(DELTAS);
    expect(detail.capture.smoothing).toEqual([]);
    expect(detail.capture.frames.length).toBeGreaterThan(0);
  });
});
