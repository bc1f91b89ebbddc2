import { splitGraphemes } from '../../../../shared/graphemes';
import type { SmoothingSettings } from '../../../../shared/settings';

/** A text delta with its time (ms from the stream's start). */
export interface TimedText {
  atMs: number;
  text: string;
}

/**
 * A bursty sample stream, like a model behind a busy network: a few large deltas at uneven gaps.
 * Deterministic, so the preview looks the same every time for the same settings.
 */
export const SAMPLE_STREAM: readonly TimedText[] = [
  { atMs: 120, text: 'Sluice re-paces bursty ' },
  { atMs: 180, text: 'streams into steady pieces, ' },
  { atMs: 640, text: 'so text reaches your tool at an even pace instead of in lumps. ' },
  { atMs: 700, text: 'Only pure text deltas are split; ' },
  { atMs: 1250, text: 'tool calls, usage and the end of the stream pass through untouched, ' },
  { atMs: 1300, text: 'byte for byte, ' },
  { atMs: 1900, text: 'and nothing waits longer than the max lag. ' },
];

/**
 * What the smoothing stage would deliver for `stream` (a model of src/main/proxy/stages/smooth.ts,
 * for the preview only): fixed mode spaces pieces `delayMs` apart; adaptive mode spreads a delta's
 * pieces over the expected gap to the next one (at most `maxLagMs`), flushing the rest at once when
 * the next delta arrives or the lag would pass `maxLagMs`.
 */
export function simulateSmoothing(s: SmoothingSettings, stream: readonly TimedText[]): TimedText[] {
  if (!s.enabled) return stream.map((c) => ({ ...c }));
  const out: TimedText[] = [];
  let clock = 0;
  let lastArrival: number | null = null;
  let gap: number | null = null;
  stream.forEach((chunk, i) => {
    if (lastArrival !== null) {
      const g = chunk.atMs - lastArrival;
      gap = gap === null ? g : 0.7 * gap + 0.3 * g;
    }
    lastArrival = chunk.atMs;
    const pieces = splitGraphemes(chunk.text, s.chunkChars);
    const next = stream[i + 1]?.atMs ?? Infinity;
    const budget = Math.min(s.maxLagMs, gap ?? s.maxLagMs);
    const interval = s.mode === 'fixed' ? s.delayMs : budget / pieces.length;
    let t = Math.max(clock, chunk.atMs);
    let flushing = false;
    pieces.forEach((text, k) => {
      if (k > 0 && !flushing) {
        const planned = t + interval;
        if (s.mode === 'adaptive' && (t - chunk.atMs >= s.maxLagMs || planned >= next)) {
          flushing = true;
          t = Math.max(t, Math.min(planned, next));
        } else t = planned;
      }
      out.push({ atMs: Math.round(t), text });
    });
    clock = t;
  });
  return out;
}

/** The text delivered by `atMs`. */
export function textAt(timeline: readonly TimedText[], atMs: number): string {
  let s = '';
  for (const c of timeline) {
    if (c.atMs > atMs) break;
    s += c.text;
  }
  return s;
}

/** When the last piece is delivered. */
export function endOf(timeline: readonly TimedText[]): number {
  return timeline.reduce((m, c) => Math.max(m, c.atMs), 0);
}
