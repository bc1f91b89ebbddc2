import type { PathName } from './client';
import type { CpuRound, RssFigures, Tally, TtfbFigures } from './phases';
import { median, percentile } from './stats';

/** Everything one bench run measured, by path. */
export interface Results {
  ttfb: Map<PathName, TtfbFigures>;
  /** 32 streams flat out: rounds per proxy. */
  saturated: Map<PathName, CpuRound[]>;
  /** 32 streams × one frame per 2 ms: rounds per proxy. */
  fixed: Map<PathName, CpuRound[]>;
  rss: Map<PathName, RssFigures>;
  labels: { saturated: string; fixed: string; rss: string; ttfb: string };
}

/** Goals the figures are held to. */
export const GOALS = { addedTtfbP50Ms: 1, cpuRatio: 1.3, kbPerStream: 64 };
/** Issue #16 §6: what translation (Anthropic client → Chat provider) may add to the relay (Chat → Chat). */
export const TRANSLATION_GOALS = { addedTtfbP50Ms: 0.3, cpuRatio: 2 };

const XLATE: PathName = 'anthropic→chat';
const PATHS: readonly PathName[] = ['direct', 'bare', 'naive', 'sluice', XLATE];
/** The paths the latency phase takes (the naive relay is measured for CPU only). */
const LATENCY_PATHS: readonly PathName[] = ['direct', 'bare', 'sluice', XLATE];

const dash = '—';
const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : dash);
const signed = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : dash);
const us = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} µs` : dash);
const ratio = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : dash);
const kb = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} KB` : dash);
const mark = (ok: boolean): string => (ok ? '✓' : '✗');

function medianOf(rounds: readonly CpuRound[] | undefined, pick: (r: CpuRound) => number): number {
  return rounds === undefined ? NaN : median(rounds.map(pick));
}

function failed(t: Tally | undefined): string {
  return t === undefined ? dash : String(t.failed);
}

function sumTallies(rounds: readonly CpuRound[] | undefined): Tally | undefined {
  if (rounds === undefined) return undefined;
  const t: Tally = { streams: 0, failed: 0, first: null };
  for (const r of rounds) {
    t.streams += r.errors.streams;
    t.failed += r.errors.failed;
    t.first ??= r.errors.first;
  }
  return t;
}

/** The markdown report: one table, the verdict against the goals, then the raw rounds. */
export function renderReport(r: Results): string {
  const p50 = (p: PathName): number => percentile(r.ttfb.get(p)?.samples ?? [], 50);
  const p99 = (p: PathName): number => percentile(r.ttfb.get(p)?.samples ?? [], 99);
  const sat = (p: PathName): number => medianOf(r.saturated.get(p), (x) => x.cpuUsPerEvent);
  const fix = (p: PathName): number => medianOf(r.fixed.get(p), (x) => x.cpuUsPerEvent);
  const tallies = (p: PathName): (Tally | undefined)[] => [
    r.ttfb.get(p)?.errors,
    sumTallies(r.saturated.get(p)),
    sumTallies(r.fixed.get(p)),
    r.rss.get(p)?.errors,
  ];

  const lines = [
    `| path | TTFB p50 / p99 ms | added p50 / p99 ms | CPU/event flat-out | × bare | CPU/event fixed load | × bare | RSS per open stream | errors ttfb·flat·fixed·rss |`,
    `|---|---|---|---|---|---|---|---|---|`,
  ];
  for (const p of PATHS) {
    const added =
      p === 'direct' ? dash : `${signed(p50(p) - p50('direct'))} / ${signed(p99(p) - p99('direct'))}`;
    lines.push(
      `| ${p} | ${ms(p50(p))} / ${ms(p99(p))} | ${added} | ${us(sat(p))} | ${ratio(sat(p) / sat('bare'))} | ` +
        `${us(fix(p))} | ${ratio(fix(p) / fix('bare'))} | ` +
        `${kb(r.rss.get(p)?.perStreamKb ?? NaN)} | ${tallies(p).map(failed).join('·')} |`,
    );
  }
  lines.push(
    `| goal | | ≤ ${GOALS.addedTtfbP50Ms} ms p50 | | ≤ ${GOALS.cpuRatio}× | | ≤ ${GOALS.cpuRatio}× | ≤ ${GOALS.kbPerStream} KB | 0 |`,
  );

  const addedP50 = p50('sluice') - p50('direct');
  const satRatio = sat('sluice') / sat('bare');
  const fixRatio = fix('sluice') / fix('bare');
  const kbStream = r.rss.get('sluice')?.perStreamKb ?? NaN;
  const sluiceErrors = tallies('sluice').reduce((n, t) => n + (t?.failed ?? 0), 0);
  lines.push(
    '',
    `Sluice vs goals: added TTFB p50 ${ms(addedP50)} ms ${mark(addedP50 <= GOALS.addedTtfbP50Ms)} · ` +
      `CPU flat-out ${ratio(satRatio)} bare ${mark(satRatio <= GOALS.cpuRatio)} · ` +
      `CPU fixed ${ratio(fixRatio)} bare ${mark(fixRatio <= GOALS.cpuRatio)} · ` +
      `${kb(kbStream)}/stream ${mark(kbStream <= GOALS.kbPerStream)} · ` +
      `${sluiceErrors} errors ${mark(sluiceErrors === 0)}`,
    translationVerdict(r),
    '',
    `Phases: TTFB ${r.labels.ttfb}; flat-out ${r.labels.saturated}; fixed ${r.labels.fixed}; RSS ${r.labels.rss}.`,
    `CPU = all threads of the proxy process (/proc/<pid>/task/*/schedstat) over the round + 200 ms, / frames relayed; medians of the rounds.`,
  );
  const rounds = (m: Map<PathName, CpuRound[]>, p: PathName): string => {
    const rs = m.get(p) ?? [];
    const cores = median(rs.map((x) => x.cores));
    const rate = median(rs.map((x) => x.eventsPerS)) / 1e3;
    return `${rs.map((x) => x.cpuUsPerEvent.toFixed(1)).join(', ')} (${cores.toFixed(2)} cores busy, ${rate.toFixed(0)}k events/s)`;
  };
  lines.push(
    `Rounds, µs/event — flat-out: bare ${rounds(r.saturated, 'bare')}; naive ${rounds(r.saturated, 'naive')}; ` +
      `sluice ${rounds(r.saturated, 'sluice')}. Fixed: bare ${rounds(r.fixed, 'bare')}; ` +
      `naive ${rounds(r.fixed, 'naive')}; sluice ${rounds(r.fixed, 'sluice')}; ` +
      `anthropic→chat ${rounds(r.fixed, XLATE)}. Flat-out anthropic→chat: ${rounds(r.saturated, XLATE)}.`,
    `anthropic→chat = an Anthropic Messages client (POST /v1/messages) through a second Sluice process whose ` +
      `one provider speaks Chat (models {"*": "m"}): the request is translated to Chat, the upstream's Chat ` +
      `stream re-encoded as Anthropic SSE (checked byte for byte against the codecs run in the bench); ` +
      `CPU/event is per upstream frame. Not in the RSS phase.`,
    `naive = the bare proxy plus the naive observer the issue prices at about 1.8× bare: every chunk through ` +
      `TextDecoder, every event through eventsource-parser and a whole JSON.parse.`,
  );
  const gaps = LATENCY_PATHS.map((p) => `${p} ${ms(percentile(r.ttfb.get(p)?.gaps ?? [], 50))}`).join(', ');
  const perRequest = (['bare', 'sluice', XLATE] as const)
    .map((p) => `${p} ${us(r.ttfb.get(p)?.cpuUsPerRequest ?? NaN)}`)
    .join(', ');
  lines.push(
    `TTFB phase: response headers → first body byte, p50 ms: ${gaps}. Proxy CPU per request: ${perRequest}.`,
  );
  const mb = (k: number): string => (k / 1024).toFixed(1);
  for (const p of ['bare', 'sluice'] as const) {
    const x = r.rss.get(p);
    if (x === undefined) continue;
    lines.push(
      `RSS ${p}: ${mb(x.beforeKb)} MB before → ${mb(x.halfKb)} MB (half open) → ${mb(x.duringKb)} MB ` +
        `(${x.maxOpen} open); marginal ${kb(x.marginalKb)} per stream between the halves; open ${x.openS.toFixed(1)} s.`,
    );
  }
  for (const p of PATHS) {
    const first = tallies(p).find((t) => t?.first != null)?.first;
    if (first != null) lines.push(`First error on ${p}: ${first}`);
  }
  return lines.join('\n');
}

/** Translation against the relay of the same run and the same format family (Chat client → Chat provider). */
function translationVerdict(r: Results): string {
  const p50 = (p: PathName): number => percentile(r.ttfb.get(p)?.samples ?? [], 50);
  const sat = (p: PathName): number => medianOf(r.saturated.get(p), (x) => x.cpuUsPerEvent);
  const fix = (p: PathName): number => medianOf(r.fixed.get(p), (x) => x.cpuUsPerEvent);
  const perRequest = (p: PathName): number => r.ttfb.get(p)?.cpuUsPerRequest ?? NaN;
  const added = p50(XLATE) - p50('sluice');
  const satRatio = sat(XLATE) / sat('sluice');
  const fixRatio = fix(XLATE) / fix('sluice');
  const g = TRANSLATION_GOALS;
  // A phase that did not run leaves NaN: no mark rather than a ✗.
  const verdict = (v: number, ok: boolean): string => (Number.isFinite(v) ? ` ${mark(ok)}` : '');
  return (
    `Translation (anthropic→chat vs sluice): added TTFB p50 ${signed(added)} ms` +
    `${verdict(added, added <= g.addedTtfbP50Ms)} (goal ≤ ${g.addedTtfbP50Ms}) · ` +
    `CPU/event flat-out ${ratio(satRatio)}${verdict(satRatio, satRatio <= g.cpuRatio)} · ` +
    `fixed ${ratio(fixRatio)}${verdict(fixRatio, fixRatio <= g.cpuRatio)} (goal ≤ ${g.cpuRatio}×) · ` +
    `CPU per short request ${us(perRequest(XLATE))} vs ${us(perRequest('sluice'))}`
  );
}
