import { describe, expect, it } from 'vitest';
import { countEventEnds } from '../../../bench/client';
import { evaluateFormat, type FormatResults } from '../../../bench/figures';
import { evaluate, FIGURES, goalText, type FigureId } from '../../../bench/goals';
import type { CpuRound } from '../../../bench/phases';
import { parseProcStat, stealPercent } from '../../../bench/proc-stats';
import { renderTable } from '../../../bench/report';
import { fixedFrames, streamFrames } from '../../../bench/wire-scripts';

const spec = (id: FigureId) => FIGURES.find((f) => f.id === id)!;

describe('bench goals', () => {
  it('holds a ratio goal against the yardstick of the same run', () => {
    const cpu = spec('cpuFlat');
    const met = evaluate(cpu, { nginx: 0.5, passthrough: 1.5, sluice: 1.2 });
    expect(met.verdict).toBe('met');
    expect(met.limit).toBeCloseTo(1.25);
    expect(met.vsNginx).toBeCloseTo(2.4);
    expect(met.vsPassthrough).toBeCloseTo(0.8);
    expect(met.passthroughVsNginx).toBeCloseTo(3);
    expect(evaluate(cpu, { nginx: 0.5, passthrough: 1.5, sluice: 1.3 }).verdict).toBe('not met');
    // Against the passthrough, not nginx, where the goal says so.
    const rss = spec('peakRssFlat');
    expect(evaluate(rss, { nginx: 15, passthrough: 100, sluice: 149 }).verdict).toBe('met');
    expect(evaluate(rss, { nginx: 15, passthrough: 100, sluice: 151 }).verdict).toBe('not met');
  });

  it('compares added times by difference and holds them to an absolute bound', () => {
    const ttfb = spec('addedTtfbP50');
    const e = evaluate(ttfb, { nginx: 0.02, passthrough: 0.7, sluice: 0.45 });
    expect(e.verdict).toBe('met');
    expect(e.vsNginx).toBeCloseTo(0.43);
    expect(e.vsPassthrough).toBeCloseTo(-0.25);
    expect(evaluate(ttfb, { nginx: 0.02, passthrough: 0.7, sluice: 0.51 }).verdict).toBe('not met');
    expect(goalText(ttfb)).toBe('≤ +0.5 ms');
    expect(goalText(spec('burstTtfbP99'))).toBe('≤ 2× nginx');
  });

  it('claims nothing, not even an absolute goal, without nginx and the passthrough in the run', () => {
    const noNginx = evaluate(spec('kbPerStream'), { nginx: NaN, passthrough: 70, sluice: 20 });
    expect(noNginx.verdict).toBe('unclaimed');
    expect(noNginx.why).toContain('nginx');
    expect(evaluate(spec('cpuFixed'), { nginx: 5, passthrough: NaN, sluice: 6 }).verdict).toBe('unclaimed');
    expect(evaluate(spec('cpuFixed'), { nginx: 5, passthrough: 9, sluice: NaN }).verdict).toBe(
      'not measured',
    );
  });

  it('takes jitter as the p99 lateness beyond the direct path, and peak RSS as the highest round', () => {
    const round = (lateness: number[], peakRssKb = NaN): CpuRound => ({
      cpuUsPerEvent: 1,
      peakRssKb,
      jitterMs: lateness,
      untagged: 0,
      eventsPerS: 1,
      cores: 1,
      errors: { streams: 1, failed: 0, first: null },
    });
    // 90 frames on time, 10 late by `top`: the p99 is `top`.
    const ramp = (top: number) => Array.from({ length: 100 }, (_v, i) => (i < 90 ? 0.1 : top));
    const r: FormatResults = {
      wire: 'chat',
      ttfb: new Map(),
      saturated: new Map([
        ['nginx', [round([], 10 * 1024), round([], 12 * 1024)]],
        ['passthrough', [round([], 100 * 1024)]],
        ['sluice', [round([], 140 * 1024), round([], 160 * 1024)]],
      ]),
      fixed: new Map([
        ['direct', [round(ramp(0.98))]],
        ['nginx', [round(ramp(2))]],
        ['passthrough', [round(ramp(1.2))]],
        ['sluice', [round(ramp(3))]],
      ]),
      rss: new Map(),
      burst: new Map(),
    };
    const byId = new Map(evaluateFormat(r).map((e) => [e.spec.id, e]));
    expect(byId.get('addedJitterP99')!.values).toEqual({
      nginx: 2 - 0.98,
      passthrough: 1.2 - 0.98,
      sluice: 3 - 0.98,
    });
    expect(byId.get('addedJitterP99')!.verdict).toBe('not met');
    const rss = byId.get('peakRssFlat')!;
    expect(rss.values).toEqual({ nginx: 12, passthrough: 100, sluice: 160 });
    expect(rss.verdict).toBe('not met');
    const table = renderTable(evaluateFormat(r));
    expect(table).toContain(
      '| peak RSS, 32 streams flat out | 12.0 MB | 100.0 MB (8.33× nginx) | 160.0 MB (13.33× nginx, 1.60× passthrough) | ≤ 1.5× the Node passthrough | ✗ not met (limit 150.0 MB) |',
    );
    expect(table).toContain(
      '| CPU per event, 16 k events/s fixed | 1.00 µs | 1.00 µs (1.00× nginx) | 1.00 µs (1.00× nginx, 1.00× passthrough) | ≤ 1.8× nginx | ✓ met (≤ 1.80 µs) |',
    );
  });
});

describe('bench helpers', () => {
  it('reads load-independent steal from /proc/stat', () => {
    const a = parseProcStat('cpu  100 0 50 800 10 0 0 40 0 0\ncpu0 1 2 3\n');
    expect(a).toEqual({ total: 1000, steal: 40 });
    const b = parseProcStat('cpu  200 0 100 1600 20 0 0 80 0 0\n');
    expect(stealPercent({ total: 0, steal: 0 }, a)).toBeCloseTo(4);
    expect(stealPercent(a, b)).toBeCloseTo(4);
  });

  it('counts event ends across chunk boundaries', () => {
    expect(countEventEnds(Buffer.from('data: a\n\ndata: b\n\n'), 0)).toBe(2);
    expect(countEventEnds(Buffer.from('\ndata: b\n'), 0x0a)).toBe(1);
    expect(countEventEnds(Buffer.from('data: b'), 0x0a)).toBe(0);
  });

  it('makes whole streams of either format, deltas between a fixed head and tail', () => {
    const chat = streamFrames('chat', 8);
    expect(chat).toHaveLength(8);
    expect(chat.at(-1)!.toString()).toBe('data: [DONE]\n\n');
    const anthropic = streamFrames('anthropic', 8);
    expect(anthropic).toHaveLength(8);
    expect(fixedFrames('anthropic')).toBe(5);
    const events = anthropic.map((f) => /^event: (\S+)/.exec(f.toString())![1]);
    expect(events).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(anthropic[6]!.toString()).toContain('"output_tokens":3');
    for (const f of anthropic) JSON.parse(f.toString().split('\ndata: ')[1]!);
  });
});
