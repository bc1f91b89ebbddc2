import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { newAgent, runMany, type Expected, type Target } from './client';
import { tally, type Tally } from './phases';
import { percentile } from './stats';

/** `streams` streams opened in one tick: how long the last of them waits for its first byte. */
export interface BurstFigures {
  /** Request sent → first body byte, ms, one per stream that got one. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Streams without a first byte when the wait ran out (queued behind held streams). */
  waiting: number;
  errors: Tally;
}

/**
 * Opens `streams` held streams at once (no stagger) and waits until every one has its first byte, or
 * `waitMs` has passed; then the upstream ends them all. A stream a proxy queued behind the others gets
 * its first byte only after the release, and its figure says so.
 */
export async function burstPhase(
  target: Target,
  streams: number,
  expected: Expected,
  release: () => void,
  waitMs: number,
): Promise<BurstFigures> {
  const agent = newAgent();
  let opened = 0;
  /** Ended without a byte (failed): nothing more to wait for. */
  let dead = 0;
  const run = runMany(target, agent, streams, expected, {
    timeoutMs: waitMs + 60_000,
    hooks: {
      onFirstByte: () => opened++,
      onDone: (gotByte: boolean) => {
        if (!gotByte) dead++;
      },
    },
  });
  const limit = performance.now() + waitMs;
  while (opened + dead < streams && performance.now() < limit) await sleep(20);
  const waiting = streams - opened - dead;
  release();
  const results = await run;
  agent.destroy();
  const ttfb = results.filter((r) => r.error === null).map((r) => r.ttfbMs);
  return {
    p50Ms: percentile(ttfb, 50),
    p99Ms: percentile(ttfb, 99),
    maxMs: percentile(ttfb, 100),
    waiting,
    errors: tally(results),
  };
}
