import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import {
  endOf,
  SAMPLE_STREAM,
  simulateSmoothing,
  textAt,
} from '../../../src/renderer/src/features/settings/smoothing-sim';

const all = SAMPLE_STREAM.map((c) => c.text).join('');

describe('smoothing preview model', () => {
  it('passes the stream through unchanged when off', () => {
    const out = simulateSmoothing({ ...DEFAULT_SETTINGS.smoothing, enabled: false }, SAMPLE_STREAM);
    expect(out).toEqual(SAMPLE_STREAM);
  });

  it('fixed mode: pieces of at most chunkChars, delayMs apart, never before they arrive', () => {
    const s = {
      ...DEFAULT_SETTINGS.smoothing,
      enabled: true,
      mode: 'fixed' as const,
      chunkChars: 5,
      delayMs: 10,
    };
    const out = simulateSmoothing(s, SAMPLE_STREAM);
    expect(out.map((p) => p.text).join('')).toBe(all);
    // The sample is ASCII, so characters are graphemes here.
    expect(out.every((p) => p.text.length <= 5)).toBe(true);
    expect(out[1]!.atMs - out[0]!.atMs).toBe(10);
    for (let i = 1; i < out.length; i++) expect(out[i]!.atMs).toBeGreaterThanOrEqual(out[i - 1]!.atMs);
    expect(out[0]!.atMs).toBe(SAMPLE_STREAM[0]!.atMs);
  });

  it('adaptive mode never lags more than maxLagMs behind the upstream', () => {
    const s = {
      ...DEFAULT_SETTINGS.smoothing,
      enabled: true,
      mode: 'adaptive' as const,
      chunkChars: 3,
      maxLagMs: 200,
    };
    const out = simulateSmoothing(s, SAMPLE_STREAM);
    expect(out.map((p) => p.text).join('')).toBe(all);
    expect(endOf(out) - endOf(SAMPLE_STREAM)).toBeLessThanOrEqual(200);
    expect(textAt(out, endOf(out))).toBe(all);
    expect(textAt(out, 0)).toBe('');
  });
});
