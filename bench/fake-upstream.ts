import http, { type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { drained } from './drained';
import { isModeMessage, isReleaseMessage, isSentTimesMessage, type StreamMode } from './sse-script';
import { fixedFrames, SCRIPTS, streamFrames, wireOfPath, type Wire } from './wire-scripts';

/** Shared by every stream of this process; `release` is per mode, so a new mode starts unreleased. */
interface Phase {
  mode: StreamMode;
  /** The whole stream per format, made on first use. */
  frames: Partial<Record<Wire, Buffer[]>>;
  released: boolean;
}

function framesOf(phase: Phase, wire: Wire): Buffer[] {
  return (phase.frames[wire] ??= streamFrames(wire, phase.mode.events, phase.mode.text));
}

/** Streams whose request carried a tag (`bench-tag-<n>`): when each frame was written, wall-clock ms. */
const sentLog = new Map<number, Float64Array>();
/** Beyond this many tagged streams not yet collected, more are not logged (a bound, not a limit in use). */
const MAX_LOGGED = 1024;

/** The wall clock, ms, with performance.now()'s resolution: comparable across processes of one machine. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The tag of a request body, or null. */
export function tagOf(body: string): number | null {
  const m = /bench-tag-(\d+)/.exec(body);
  return m === null ? null : Number(m[1]);
}

async function paceTo(start: number, i: number, intervalMs: number): Promise<void> {
  // Paced against the stream's start, so timer lateness does not add up over a long stream.
  const wait = start + i * intervalMs - performance.now();
  if (wait > 0) await sleep(wait);
}

/**
 * One response, one res.write per frame (one HTTP chunk each, as real upstreams send them).
 * Flat out (`intervalMs` 0) waits only for backpressure: yielding a turn per frame instead made this
 * process the bottleneck on 2 cores, and the proxies were never saturated.
 */
async function stream(res: ServerResponse, phase: Phase, wire: Wire, tag: number | null): Promise<void> {
  const { mode } = phase;
  const frames = framesOf(phase, wire);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const start = performance.now();
  const send = async (frame: Buffer): Promise<boolean> => {
    if (res.destroyed) return false;
    if (!res.write(frame)) await drained(res);
    return true;
  };
  if (mode.hold === true) {
    const script = SCRIPTS[wire];
    for (const f of script.head) if (!(await send(f))) return;
    const content = script.content();
    let sent = 0;
    for (;;) {
      if (!(await send(content))) return;
      if (++sent >= mode.events - fixedFrames(wire)) break;
      await paceTo(start, sent, mode.intervalMs);
      if (phase.released) break;
    }
    for (const f of script.tail(sent)) if (!(await send(f))) return;
  } else {
    const log = tag !== null && sentLog.size < MAX_LOGGED ? new Float64Array(frames.length) : null;
    if (log !== null) sentLog.set(tag!, log);
    for (let i = 0; i < frames.length; i++) {
      if (i > 0 && mode.intervalMs > 0) await paceTo(start, i, mode.intervalMs);
      if (log !== null) log[i] = wallMs();
      if (!(await send(frames[i]!))) return;
    }
  }
  res.end();
}

/** The fake upstream (its own process), OpenAI Chat and Anthropic Messages: streams the current mode, which the parent sets over IPC. */
export function runUpstream(): void {
  const initial: StreamMode = { events: 8, intervalMs: 1 };
  let phase: Phase = { mode: initial, frames: {}, released: false };
  process.on('message', (m: unknown) => {
    if (isReleaseMessage(m)) phase.released = true;
    if (isSentTimesMessage(m)) {
      const times: Record<string, number[]> = {};
      for (const tag of m.tags) {
        const log = sentLog.get(tag);
        if (log === undefined) continue;
        times[tag] = Array.from(log);
        sentLog.delete(tag);
      }
      process.send?.({ type: 'sent-times-ok', seq: m.seq, times });
    }
    if (!isModeMessage(m)) return;
    phase = { mode: m.mode, frames: {}, released: false };
    process.send?.({ type: 'mode-ok', seq: m.seq });
  });
  // The parent is the only reason to live: if it dies, so do we.
  process.on('disconnect', () => process.exit(0));

  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    const wire = wireOfPath(req.url);
    if (req.method !== 'POST' || wire === null) {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: `fake upstream: no ${req.method ?? ''} ${req.url ?? ''}` } }),
      );
      return;
    }
    // Bound to the phase when the request arrived, so a mode change never reshapes a running stream.
    const own = phase;
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      stream(res, own, wire, tagOf(Buffer.concat(body).toString('utf8'))).catch(() => res.destroy());
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('upstream: no port');
    process.send?.({ type: 'ready', port: address.port });
  });
}
