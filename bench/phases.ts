import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  newAgent,
  runMany,
  runStream,
  type Expected,
  type PathName,
  type StreamHooks,
  type StreamResult,
  type Target,
} from './client';
import { cpuNs, rssKb } from './proc-stats';
import { median } from './stats';

/** Failed or incomplete streams of one phase, and the first reason, verbatim. */
export interface Tally {
  streams: number;
  failed: number;
  first: string | null;
}

/** Adds the results' failures to `into` (or a fresh tally). */
export function tally(results: readonly StreamResult[], into?: Tally): Tally {
  const t = into ?? { streams: 0, failed: 0, first: null };
  for (const r of results) {
    t.streams++;
    if (r.error === null) continue;
    t.failed++;
    t.first ??= r.error;
  }
  return t;
}

export interface TtfbFigures {
  /** Request sent → first content delta, ms, one per completed request. */
  samples: number[];
  /** Headers → first body byte, ms: > 0 when they travel in separate writes. */
  gaps: number[];
  /** Proxy CPU over the phase / requests it served, µs: the fixed cost of one short stream. NaN for direct. */
  cpuUsPerRequest: number;
  errors: Tally;
}

/**
 * Sequential single streams, the paths taken in turn (rotating who goes first) so a drift of the
 * machine over the phase lands on all paths alike.
 */
export async function ttfbPhase(
  targets: readonly Target[],
  pids: ReadonlyMap<PathName, readonly number[]>,
  requests: number,
  warmup: number,
  expected: Buffer,
): Promise<Map<PathName, TtfbFigures>> {
  const agents = new Map(targets.map((t) => [t.name, newAgent()]));
  const out = new Map<PathName, TtfbFigures>(
    targets.map((t) => [
      t.name,
      { samples: [], gaps: [], cpuUsPerRequest: NaN, errors: { streams: 0, failed: 0, first: null } },
    ]),
  );
  // A proxy idles while the others are measured, so its CPU over the phase is its own requests'.
  const cpu0 = new Map([...pids].map(([name, pid]) => [name, cpuNs(pid)]));
  for (let i = -warmup; i < requests; i++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + i + warmup) % targets.length]!;
      const r = await runStream(t, agents.get(t.name)!, expected, 10_000);
      if (i < 0) continue;
      const fig = out.get(t.name)!;
      tally([r], fig.errors);
      if (r.error !== null) continue;
      fig.samples.push(r.contentMs);
      fig.gaps.push(r.ttfbMs - r.headersMs);
    }
  }
  for (const a of agents.values()) a.destroy();
  await sleep(200);
  for (const [name, pid] of pids) {
    out.get(name)!.cpuUsPerRequest = (cpuNs(pid) - cpu0.get(name)!) / 1e3 / (requests + warmup);
  }
  return out;
}

export interface CpuRound {
  /** Proxy CPU over the round (all threads of all its processes) / frames relayed, µs; NaN for the direct path. */
  cpuUsPerEvent: number;
  /** Highest RSS of the proxy's processes (summed) sampled every 100 ms over the round, KiB. */
  peakRssKb: number;
  /**
   * Each frame's delivery delay (client's arrival − upstream's write, wall clock), less the least of
   * its stream, ms: one per frame. Empty unless the round was given `sentTimes`.
   */
  jitterMs: number[];
  /** Streams whose send times the upstream had not logged (the relay dropped the request's tag). */
  untagged: number;
  /** Frames delivered to the client per wall-clock second. */
  eventsPerS: number;
  /** Proxy CPU / wall time: how busy the proxy was (1 = one core flat out). */
  cores: number;
  errors: Tally;
}

/** When the upstream wrote each frame of the tagged streams, wall-clock ms, by tag (see `Children.sentTimes`). */
export type SentTimes = (tags: readonly number[]) => Promise<Record<string, number[]>>;

let nextTag = 1;

/**
 * Per stream: when each frame arrived (wall clock, as the upstream logs when it wrote it), and from
 * both each frame's delivery delay, less the least of its stream (clock offsets and the path's steady
 * latency cancel; what is left is jitter). The upstream's own lateness cancels too.
 */
function deliveryRecorder(streams: number, events: number) {
  const arrivals = Array.from({ length: streams }, () => new Float64Array(events));
  const counts = new Int32Array(streams);
  const tags = Array.from({ length: streams }, () => nextTag++);
  return {
    hooks: (i: number): StreamHooks => ({
      tag: tags[i]!,
      onEvents: (n: number, at: number) => {
        const a = arrivals[i]!;
        const wall = performance.timeOrigin + at;
        for (let k = 0; k < n && counts[i]! < events; k++) a[counts[i]!++] = wall;
      },
    }),
    async jitter(sentTimes: SentTimes): Promise<{ jitter: number[]; untagged: number }> {
      const sent = await sentTimes(tags);
      const out: number[] = [];
      let untagged = 0;
      arrivals.forEach((a, i) => {
        const s = sent[tags[i]!];
        if (s === undefined) {
          untagged++;
          return;
        }
        const n = Math.min(counts[i]!, s.length);
        let least = Infinity;
        for (let k = 0; k < n; k++) least = Math.min(least, a[k]! - s[k]!);
        for (let k = 0; k < n; k++) out.push(a[k]! - s[k]! - least);
      });
      return { jitter: out, untagged };
    },
  };
}

/**
 * `streams` concurrent streams of `events` frames through `target`, measuring the proxy's processes
 * `pids` (empty for the direct path); with `sentTimes`, also each frame's delivery jitter.
 */
export async function cpuRound(
  target: Target,
  pids: readonly number[],
  streams: number,
  events: number,
  expected: Buffer,
  sentTimes?: SentTimes,
): Promise<CpuRound> {
  const agent = newAgent();
  const measured = pids.length > 0;
  const late = sentTimes === undefined ? null : deliveryRecorder(streams, events);
  let peakRssKb = measured ? rssKb(pids) : NaN;
  const sampler = setInterval(() => {
    if (measured) peakRssKb = Math.max(peakRssKb, rssKb(pids));
  }, 100);
  const cpu0 = measured ? cpuNs(pids) : 0;
  const t0 = performance.now();
  const results = await runMany(target, agent, streams, expected, {
    timeoutMs: 90_000,
    ...(late === null ? {} : { hooks: late.hooks }),
  });
  const wallMs = performance.now() - t0;
  // Work a proxy defers past the last byte (usage writes, socket teardown) still belongs to the round.
  await sleep(200);
  clearInterval(sampler);
  const cpu1 = measured ? cpuNs(pids) : 0;
  agent.destroy();
  const frames = streams * events;
  const delivery = late === null || sentTimes === undefined ? null : await late.jitter(sentTimes);
  return {
    cpuUsPerEvent: measured ? (cpu1 - cpu0) / 1e3 / frames : NaN,
    peakRssKb,
    jitterMs: delivery?.jitter ?? [],
    untagged: delivery?.untagged ?? 0,
    eventsPerS: frames / (wallMs / 1e3),
    cores: measured ? (cpu1 - cpu0) / 1e6 / wallMs : NaN,
    errors: tally(results),
  };
}

export interface RssFigures {
  beforeKb: number;
  /** With the first half of the streams open. */
  halfKb: number;
  /** With all of them open. */
  duringKb: number;
  /** (during − before) / streams open, KiB. */
  perStreamKb: number;
  /** (during − half) / streams added: the cost of one more stream, without the fixed cost of being busy. */
  marginalKb: number;
  /** Most streams open at once (the phase asked for `streams`). */
  maxOpen: number;
  /** First stream sent → release, s. */
  openS: number;
  errors: Tally;
}

const PLATEAU_MS = 2_000;
const RAMP_TIMEOUT_MS = 60_000;
const STALL_MS = 5_000;

/**
 * Many slow streams the upstream holds open, opened in two halves; each level is held and sampled
 * for a while before the next, then the upstream is told to end them all (`release`). RSS with all
 * open against RSS before gives the per-stream figure; the step between the halves separates the
 * fixed cost of being busy (a grown young generation, buffers) from what each stream holds.
 */
export async function rssPhase(
  target: Target,
  pid: readonly number[],
  streams: number,
  expected: Expected,
  release: () => void,
  minOpenMs: number,
): Promise<RssFigures> {
  const before: number[] = [];
  for (let i = 0; i < 5; i++) {
    before.push(rssKb(pid));
    await sleep(100);
  }
  const half = Math.floor(streams / 2);
  let open = 0;
  let done = 0;
  const samples: { open: number; kb: number }[] = [];
  // Only until the first stream ends: from then on the count falls and the plateaus are over.
  const sampler = setInterval(() => {
    if (done === 0 && open > 0) samples.push({ open, kb: rssKb(pid) });
  }, 200);
  const agent = newAgent();
  const opts = {
    timeoutMs: RAMP_TIMEOUT_MS * 2 + minOpenMs + 60_000,
    // Starts spread a little, as real clients' are, so the accept queue is not what gets measured.
    staggerMs: 1,
    hooks: {
      onFirstByte: () => open++,
      onDone: (opened: boolean) => {
        done++;
        if (opened) open--;
      },
    },
  };
  // On a loaded machine opening 250 streams through a proxy can take seconds: wait for each level,
  // unless no stream has opened for STALL_MS (a proxy that queues them: it has as many open as it will).
  const level = async (n: number): Promise<void> => {
    const limit = performance.now() + RAMP_TIMEOUT_MS;
    let seen = open;
    let moved = performance.now();
    while (open < n && done === 0 && performance.now() < limit && performance.now() - moved < STALL_MS) {
      await sleep(50);
      if (open !== seen) [seen, moved] = [open, performance.now()];
    }
    await sleep(PLATEAU_MS);
  };
  const t0 = performance.now();
  const first = runMany(target, agent, half, expected, opts);
  await level(half);
  const second = runMany(target, agent, streams - half, expected, opts);
  await level(streams);
  const rest = minOpenMs - (performance.now() - t0);
  if (rest > 0) await sleep(rest);
  const openS = (performance.now() - t0) / 1e3;
  release();
  const results = [...(await first), ...(await second)];
  clearInterval(sampler);
  agent.destroy();
  const maxOpen = samples.reduce((m, s) => Math.max(m, s.open), 0);
  const at = (n: number): number => median(samples.filter((s) => s.open === n).map((s) => s.kb));
  const beforeKb = median(before);
  const halfKb = at(half);
  const duringKb = at(maxOpen);
  return {
    beforeKb,
    halfKb,
    duringKb,
    perStreamKb: maxOpen > 0 ? (duringKb - beforeKb) / maxOpen : NaN,
    marginalKb: maxOpen > half ? (duringKb - halfKb) / (maxOpen - half) : NaN,
    maxOpen,
    openS,
    errors: tally(results),
  };
}
