import type { SmoothingSettings } from '../../../shared/settings';
import type { TextSplitter } from '../../../formats';
import type { Frame, FrameSplitter } from '../sse-frames';
import { parseFrame } from '../sse-frames';

/** What the smoother needs from the relay around it. */
export interface SmoothIo {
  /** Writes to the client, resolving when it can take more (backpressure). */
  write(bytes: Buffer | string): Promise<void>;
  /** Resolves as soon as the next upstream chunk (or the end) is available, without taking it. */
  upstreamReady(): Promise<void>;
  /** Aborted when the client leaves: a pending delay ends at once. */
  signal: AbortSignal;
  /** Monotonic ms. */
  now(): number;
  /** One smoothed upstream event: when it arrived and when each piece went out (monotonic ms). */
  onSmoothed(arrivedAt: number, deliveredAt: number[]): void;
}

export interface Smoother {
  push(chunk: Buffer): Promise<void>;
  /** `clean`: send an unfinished last frame as it came; else drop it (see ClientOutput.end). */
  end(clean: boolean): Promise<void>;
}

/** Waits `ms`, or less if `interrupt` settles or the signal aborts; true when it waited the whole time. */
function pause(ms: number, signal: AbortSignal, interrupt: Promise<void> | null): Promise<boolean> {
  if (ms <= 0 || signal.aborted) return Promise.resolve(ms <= 0);
  return new Promise((resolve) => {
    let done = false;
    const finish = (full: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(full);
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
    void interrupt?.then(() => finish(false));
  });
}

/**
 * Re-paces pure text deltas into pieces of at most `chunkChars` graphemes; every other event passes
 * through byte-identical and in order. `fixed` sleeps `delayMs` between pieces whatever the upstream
 * does (the old behaviour). `adaptive` sends a burst's first piece at once and spreads the rest over the
 * gap it expects before the next upstream event — flushing the moment that event arrives, when it
 * falls `maxLagMs` behind, or at the end. Holds at most one upstream chunk's frames.
 */
export function createSmoother(
  s: SmoothingSettings,
  splitter: TextSplitter,
  frames: FrameSplitter,
  io: SmoothIo,
): Smoother {
  let lastArrival: number | null = null;
  let gapEstimate: number | null = null; // EWMA of upstream inter-arrival gaps, ms
  let rewrote = false; // the last frame went out as the splitter's frames, with their own line ends

  const smoothFrame = async (raw: Buffer, arrivedAt: number): Promise<void> => {
    const text = raw.toString('utf8');
    const { event, data } = parseFrame(text);
    const split = data === null ? null : splitter.split(event, data, s.chunkChars, text);
    rewrote = split !== null;
    if (split === null) return io.write(raw);
    if (split.pieces < 2) return io.write(split.frames.join(''));
    const delivered: number[] = [];
    const budget = Math.min(s.maxLagMs, gapEstimate ?? s.maxLagMs);
    const interval = s.mode === 'fixed' ? s.delayMs : budget / split.pieces;
    let flushing = false;
    for (const [i, piece] of split.frames.entries()) {
      if (i > 0 && !flushing && !io.signal.aborted) {
        if (s.mode === 'fixed') await pause(interval, io.signal, null);
        else {
          // Never wait past the lag bound: what is left of it caps each pause.
          const lagLeft = s.maxLagMs - (io.now() - arrivedAt);
          flushing =
            lagLeft <= 0 || !(await pause(Math.min(interval, lagLeft), io.signal, io.upstreamReady()));
        }
      }
      if (io.signal.aborted) return;
      await io.write(piece);
      delivered.push(io.now());
    }
    io.onSmoothed(arrivedAt, delivered);
  };

  /**
   * A whole frame is smoothed; a fragment of an oversized one passes as it is, and so does the LF that
   * completed the CRLF of the frame before, unless that frame was rewritten (its pieces end themselves).
   */
  const frame = async (f: Frame, arrivedAt: number): Promise<void> => {
    if (f.lf === true && rewrote) return;
    rewrote = false;
    if (!f.whole) return io.write(f.bytes);
    await smoothFrame(f.bytes, arrivedAt);
  };

  return {
    async push(chunk) {
      const arrivedAt = io.now();
      if (lastArrival !== null) {
        const gap = arrivedAt - lastArrival;
        gapEstimate = gapEstimate === null ? gap : 0.7 * gapEstimate + 0.3 * gap;
      }
      lastArrival = arrivedAt;
      for (const f of frames.push(chunk)) {
        await frame(f, arrivedAt);
        if (io.signal.aborted) return;
      }
    },
    async end(clean) {
      const rest = frames.end();
      if (clean && rest !== null && !io.signal.aborted) await frame(rest, io.now());
    },
  };
}
