import type { BurstFigures } from './burst-phase';
import type { PathName } from './client';
import {
  evaluate,
  FIGURES,
  RELAYS,
  type Evaluated,
  type FigureId,
  type FigureValues,
  type Relay,
} from './goals';
import type { CpuRound, RssFigures, Tally, TtfbFigures } from './phases';
import { median, percentile } from './stats';
import type { Wire } from './wire-scripts';

/** Everything one format's part of a run measured, by path. */
export interface FormatResults {
  wire: Wire;
  ttfb: Map<PathName, TtfbFigures>;
  /** 32 streams flat out: rounds per path. */
  saturated: Map<PathName, CpuRound[]>;
  /** 32 streams × one frame per 2 ms: rounds per path (the direct path too, for jitter). */
  fixed: Map<PathName, CpuRound[]>;
  rss: Map<PathName, RssFigures>;
  burst: Map<PathName, BurstFigures>;
}

function medianOf(rounds: readonly CpuRound[] | undefined, pick: (r: CpuRound) => number): number {
  return rounds === undefined || rounds.length === 0 ? NaN : median(rounds.map(pick));
}

/** p99 of every frame's delivery jitter over all rounds of a path, ms. */
export function jitterP99(rounds: readonly CpuRound[] | undefined): number {
  return percentile(rounds?.flatMap((r) => r.jitterMs) ?? [], 99);
}

/** One figure of one path, in the figure's unit; NaN when that phase did not take the path. */
export function figureOf(r: FormatResults, id: FigureId, p: PathName): number {
  const ttfbP50 = (q: PathName): number => percentile(r.ttfb.get(q)?.samples ?? [], 50);
  switch (id) {
    case 'addedTtfbP50':
      return ttfbP50(p) - ttfbP50('direct');
    case 'cpuFlat':
      return medianOf(r.saturated.get(p), (x) => x.cpuUsPerEvent);
    case 'peakRssFlat': {
      const rounds = r.saturated.get(p) ?? [];
      return rounds.length === 0 ? NaN : Math.max(...rounds.map((x) => x.peakRssKb)) / 1024;
    }
    case 'cpuFixed':
      return medianOf(r.fixed.get(p), (x) => x.cpuUsPerEvent);
    case 'addedJitterP99':
      return jitterP99(r.fixed.get(p)) - jitterP99(r.fixed.get('direct'));
    case 'kbPerStream':
      return r.rss.get(p)?.perStreamKb ?? NaN;
    case 'burstTtfbP99':
      return r.burst.get(p)?.p99Ms ?? NaN;
  }
}

/** Every figure of the table for one format, evaluated against its goal. */
export function evaluateFormat(r: FormatResults): Evaluated[] {
  return FIGURES.map((spec) => {
    const values = Object.fromEntries(RELAYS.map((x) => [x, figureOf(r, spec.id, x)])) as FigureValues;
    return evaluate(spec, values);
  });
}

/** Failed streams of a path over every phase, and the first reason. */
export function errorsOf(r: FormatResults, p: PathName): Tally {
  const all: (Tally | undefined)[] = [
    r.ttfb.get(p)?.errors,
    ...(r.saturated.get(p) ?? []).map((x) => x.errors),
    ...(r.fixed.get(p) ?? []).map((x) => x.errors),
    r.rss.get(p)?.errors,
    r.burst.get(p)?.errors,
  ];
  const t: Tally = { streams: 0, failed: 0, first: null };
  for (const x of all) {
    if (x === undefined) continue;
    t.streams += x.streams;
    t.failed += x.failed;
    t.first ??= x.first;
  }
  return t;
}

export type { Relay };
