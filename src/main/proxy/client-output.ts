import type { SmoothingSettings } from '../../shared/settings';
import type { Committed } from './attempt';
import { nullCaptureSink, type CaptureSink, type Clock, type LiveSink } from './ports';
import type { RequestContext } from './request-context';
import { drained } from '../http/respond';
import { createFrameAligner, createFrameSplitter } from './sse-frames';
import { createSmoother } from './stages/smooth';
import { createUsageStripper, stripInjectedUsage } from './stages/strip-injected-usage';

/** Where committed bytes go on their way to the client. */
export interface ClientOutput {
  push(chunk: Buffer): Promise<void>;
  /**
   * At the upstream's end. `clean` = the stream ended normally: an unfinished last frame is sent as it
   * came. Otherwise it is dropped (a parser discards it at the end anyway), so the error event Sluice
   * appends next stands as a frame of its own.
   */
  end(clean: boolean): Promise<void>;
}

/** The smoothing that applies to this request: global, then the provider's, then the client app's overrides. */
export function effectiveSmoothing(ctx: RequestContext, c: Committed): SmoothingSettings | null {
  // The client's own override wins: smoothing exists for how that client renders.
  const s: SmoothingSettings = {
    ...ctx.settings.smoothing,
    ...c.provider.smoothing,
    ...ctx.settings.smoothingByClient[ctx.client],
  };
  return s.enabled && c.isSse && c.status < 300 ? s : null;
}

/**
 * Builds the output path: plain passthrough (the fast path: each upstream chunk written as it is),
 * Chat's injected-usage stripping, and/or smoothing. Every path keeps backpressure. With smoothing,
 * `capture` keeps each split delta's arrival and deliveries for the inspector (the store bounds them).
 */
export function createClientOutput(
  ctx: RequestContext,
  c: Committed,
  live: LiveSink,
  clock: Clock,
  gone: AbortSignal,
  capture: CaptureSink = nullCaptureSink,
): ClientOutput {
  const { res } = ctx;
  const write = async (bytes: Buffer | string): Promise<void> => {
    if (bytes.length > 0 && !gone.aborted && !res.write(bytes)) await drained(res);
  };
  const strip = ctx.injectedUsage && c.isSse;
  const smoothing = effectiveSmoothing(ctx, c);

  if (smoothing !== null) {
    let published = 0;
    const smoother = createSmoother(smoothing, ctx.adapter.createTextSplitter(), createFrameSplitter(), {
      write,
      upstreamReady: () => c.reader?.arrived() ?? Promise.resolve(),
      signal: gone,
      now: () => clock.mono(),
      onSmoothed: (arrivedAt, deliveredAt) => {
        // One array of offsets, shared by the store and the live event: neither changes it.
        const upstreamOffsetMs = Math.round(arrivedAt - ctx.startMono);
        const deliveredOffsetsMs = deliveredAt.map((t) => Math.round(t - ctx.startMono));
        capture.smoothed(ctx.id, upstreamOffsetMs, deliveredOffsetsMs);
        if (published++ >= ctx.settings.liveFramesPerRequest) return;
        live.publish({
          type: 'smoothed',
          requestId: ctx.id,
          at: clock.now(),
          upstreamOffsetMs,
          deliveredOffsetsMs,
        });
      },
      ...(strip ? { transformFrame: stripInjectedUsage } : {}),
    });
    return smoother;
  }
  if (strip) {
    const stripper = createUsageStripper(createFrameSplitter());
    return {
      push: (chunk) => write(stripper.push(chunk)),
      end: (clean) => write(clean ? stripper.end() : Buffer.alloc(0)),
    };
  }
  if (!c.isSse) return { push: write, end: () => Promise.resolve() };
  const aligner = createFrameAligner();
  return {
    push: (chunk) => write(aligner.push(chunk)),
    end: async (clean) => {
      const tail = aligner.tail();
      if (clean) await write(tail);
    },
  };
}
