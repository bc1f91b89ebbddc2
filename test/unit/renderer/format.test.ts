import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatMs,
  formatOffset,
  formatPercent,
  formatRate,
  formatTokens,
  formatUsd,
  tokensPerSecond,
} from '../../../src/renderer/src/lib/format';

describe('renderer formatting', () => {
  it('formats durations with a unit that fits a fixed-width cell', () => {
    expect(formatMs(null)).toBe('—');
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(659.81)).toBe('660 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(123_000)).toBe('2m 03s');
    expect(formatMs(3_840_000)).toBe('1h 04m');
    expect(formatMs(-5)).toBe('0 ms');
  });

  it('formats token counts compactly', () => {
    expect(formatTokens(null)).toBe('—');
    expect(formatTokens(987)).toBe('987');
    expect(formatTokens(1234)).toBe('1.23k');
    expect(formatTokens(12_345)).toBe('12.3k');
    expect(formatTokens(123_456)).toBe('123k');
    expect(formatTokens(1_234_567)).toBe('1.23M');
  });

  it('formats money, percentages, bytes, offsets and rates', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.00423)).toBe('$0.0042');
    expect(formatUsd(0.00001)).toBe('<$0.0001');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(12_345)).toBe('$12,345');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.034)).toBe('3.4%');
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64 MiB');
    expect(formatOffset(1234.4)).toBe('+1,234 ms');
    expect(formatRate(null)).toBe('—');
    expect(formatRate(48.25)).toBe('48.3/s');
    expect(formatRate(1500)).toBe('1.5k/s');
  });

  it('measures tokens per second over the streaming part only', () => {
    expect(tokensPerSecond(100, 2_000, 1_000)).toBe(100);
    expect(tokensPerSecond(null, 2_000, 1_000)).toBeNull();
    expect(tokensPerSecond(0, 2_000, 1_000)).toBeNull();
    // A non-streaming answer (first byte = end) falls back to the whole duration.
    expect(tokensPerSecond(50, 500, 500)).toBe(100);
  });
});
