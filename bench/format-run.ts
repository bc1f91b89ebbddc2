import type { Children, Server } from './children';
import { burstPhase, type BurstFigures } from './burst-phase';
import { newAgent, runMany, runStream, type PathName, type Target } from './client';
import type { FormatResults } from './figures';
import { cpuRound, rssPhase, ttfbPhase, type CpuRound, type RssFigures, type TtfbFigures } from './phases';
import type { StreamMode } from './sse-script';
import { fixedFrames, streamFrames, type Wire } from './wire-scripts';

/** One relay (or the direct path) as the phases see it: where to send, which processes to read. */
export interface Path {
  target: Target;
  /** The proxy's processes; null for the direct path. */
  server: Server | null;
}

/** What every phase of a format run shares. */
export interface Bench {
  children: Children;
  upstream: Server;
  phases: ReadonlySet<string>;
  progress: (line: string) => void;
}

export const TTFB = { requests: 200, warmup: 20, mode: { events: 8, intervalMs: 1 } };
/** BENCH_FLAT_EVENTS=500 (or 8000) splits the figure: per-request costs weigh 4× more (or less). */
export const FLAT = {
  streams: 32,
  rounds: 5,
  mode: { events: Number(process.env.BENCH_FLAT_EVENTS ?? 2000), intervalMs: 0 },
};
/** 32 streams × a frame per 2 ms = 16 k events/s. */
export const FIXED = { streams: 32, rounds: 5, mode: { events: 1500, intervalMs: 2 } };
/** A frame per 500 ms, held open until both halves have been sampled and ≥ 10 s have passed. */
export const RSS = { streams: 500, minOpenMs: 10_000, mode: { events: 600, intervalMs: 500, hold: true } };
/** 500 held streams opened in one tick; the upstream ends them when all have a first byte, or after `waitMs`. */
export const BURST = { streams: 500, waitMs: 15_000, mode: { events: 600, intervalMs: 500, hold: true } };

export function collectGarbage(): void {
  // Run with --expose-gc: the load generator's own GC then falls between phases, not inside them.
  (globalThis as { gc?: () => void }).gc?.();
}

/** Sets the upstream's mode; the whole stream a client of `wire` must then receive. */
export async function useMode(b: Bench, mode: StreamMode, wire: Wire): Promise<Buffer> {
  await b.children.setMode(b.upstream, mode);
  collectGarbage();
  return Buffer.concat(streamFrames(wire, mode.events, mode.text));
}

function alive(b: Bench): void {
  const death = b.children.deaths();
  if (death !== null) throw new Error(death);
}

/** One unmeasured round per path (JIT, pools), then `count` rounds taking the paths in turn, so drift of a shared machine hits all alike. */
export async function cpuRounds(
  b: Bench,
  wire: Wire,
  mode: StreamMode,
  streams: number,
  count: number,
  paths: readonly Path[],
): Promise<Map<PathName, CpuRound[]>> {
  const out = new Map<PathName, CpuRound[]>();
  if (count === 0) return out;
  const expected = await useMode(b, mode, wire);
  for (let i = -1; i < count; i++) {
    for (const p of paths) {
      const pids = p.server?.pids ?? [];
      // Paced rounds also time each frame from the upstream's write to the client; not through
      // translation, whose events are not the upstream's frames one for one.
      const timed = mode.intervalMs > 0 && p.target.anthropic !== true;
      const sent = timed ? (tags: readonly number[]) => b.children.sentTimes(b.upstream, tags) : undefined;
      const round = await cpuRound(p.target, pids, streams, mode.events, expected, sent);
      if (i >= 0) out.set(p.target.name, [...(out.get(p.target.name) ?? []), round]);
      collectGarbage();
      alive(b);
    }
  }
  return out;
}

/** Every phase of issue #17's table for one format; `paths` starts with the direct one. */
export async function runFormat(b: Bench, wire: Wire, paths: readonly Path[]): Promise<FormatResults> {
  const { children, upstream, phases, progress } = b;
  const proxies = paths.filter((p) => p.server !== null);
  // Memory and the burst are the relays' figures: the translated and naive paths are measured for CPU and TTFB.
  const relays = proxies.filter((p) => ['nginx', 'passthrough', 'sluice'].includes(p.target.name));

  // Smoke + warm-up: a stream per path must arrive intact before any figure means anything.
  let expected = await useMode(b, TTFB.mode, wire);
  for (const { target } of paths) {
    const agent = newAgent();
    const r = await runStream(target, agent, expected, 10_000);
    if (r.error !== null) throw new Error(`smoke test through ${target.name} (${wire}) failed: ${r.error}`);
    for (let i = 0; i < 3; i++) await runMany(target, agent, FLAT.streams, expected, { timeoutMs: 10_000 });
    agent.destroy();
  }
  const release = (): void => children.release(upstream);

  // Memory first, while the proxies' heaps still hold only the warm-up.
  const rss = new Map<PathName, RssFigures>();
  for (const p of phases.has('rss') ? relays : []) {
    progress(`${wire} RSS: ${RSS.streams} slow streams through ${p.target.name}`);
    // A fresh mode per proxy: the previous release must not end these streams at once.
    await useMode(b, RSS.mode, wire);
    const held = { maxContent: RSS.mode.events - fixedFrames(wire) };
    rss.set(
      p.target.name,
      await rssPhase(p.target, p.server!.pids, RSS.streams, held, release, RSS.minOpenMs),
    );
    alive(b);
  }

  const burst = new Map<PathName, BurstFigures>();
  for (const p of phases.has('burst') ? relays : []) {
    progress(`${wire} burst: ${BURST.streams} streams at once through ${p.target.name}`);
    await useMode(b, BURST.mode, wire);
    const held = { maxContent: BURST.mode.events - fixedFrames(wire) };
    burst.set(p.target.name, await burstPhase(p.target, BURST.streams, held, release, BURST.waitMs));
    alive(b);
  }

  let ttfb = new Map<PathName, TtfbFigures>();
  if (phases.has('ttfb')) {
    progress(`${wire} TTFB: ${TTFB.requests} sequential streams per path`);
    expected = await useMode(b, TTFB.mode, wire);
    const pids = new Map(proxies.map((p) => [p.target.name, p.server!.pids]));
    ttfb = await ttfbPhase(
      paths.map((p) => p.target),
      pids,
      TTFB.requests,
      TTFB.warmup,
      expected,
    );
    alive(b);
  }

  const flat = phases.has('flat') ? FLAT.rounds : 0;
  if (flat > 0)
    progress(`${wire} flat out: ${flat} rounds × ${FLAT.streams} streams × ${FLAT.mode.events} frames`);
  const saturated = await cpuRounds(b, wire, FLAT.mode, FLAT.streams, flat, proxies);
  const fix = phases.has('fixed') ? FIXED.rounds : 0;
  if (fix > 0)
    progress(
      `${wire} fixed load: ${fix} rounds × ${FIXED.streams} streams × 1 frame / ${FIXED.mode.intervalMs} ms`,
    );
  // The direct path too: its frames' jitter is the floor the relays' is added to.
  const fixed = await cpuRounds(b, wire, FIXED.mode, FIXED.streams, fix, paths);
  return { wire, ttfb, saturated, fixed, rss, burst };
}

/** How the phases were shaped, for the report's footnote. */
export function phaseLabels(): string {
  return [
    `TTFB: ${TTFB.requests} sequential streams per path, taken in turn (${TTFB.mode.events} frames: the first at once, then 1 per ${TTFB.mode.intervalMs} ms); request sent → first content delta complete (Anthropic: after message_start and content_block_start; the translated path: first byte); "added" = less the direct path's.`,
    `Flat out: ${FLAT.streams} streams × ${FLAT.mode.events} frames, one write per frame, only backpressure slows the upstream; median of ${FLAT.rounds} rounds after a warm-up round; peak RSS sampled every 100 ms over all rounds.`,
    `Fixed: ${FIXED.streams} streams × ${FIXED.mode.events} frames at 1 per ${FIXED.mode.intervalMs} ms (${(FIXED.streams * 1000) / FIXED.mode.intervalMs / 1e3} k events/s for ${(FIXED.mode.events * FIXED.mode.intervalMs) / 1e3} s); median of ${FIXED.rounds} rounds. Jitter: each frame's delivery delay (client's arrival − the upstream's write, one wall clock), less its stream's least; p99 over all frames, less the direct path's.`,
    `Memory per stream: ${RSS.streams} streams × 1 frame per ${RSS.mode.intervalMs} ms, opened in 2 halves (each level held ≥ 2 s), ended together after ≥ ${RSS.minOpenMs / 1e3} s; (RSS all open − RSS idle) / streams open.`,
    `Burst: ${BURST.streams} held streams opened in one tick; the upstream ends them once all have a first byte (or after ${BURST.waitMs / 1e3} s); TTFB p99.`,
    `CPU = all threads of all of the relay's processes (nginx: master + workers; /proc/<pid>/task/*/schedstat) over the round + 200 ms, / frames relayed. RSS = VmRSS summed over the same processes.`,
  ].join('\n');
}
