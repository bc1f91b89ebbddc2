import type { SmoothingSettings } from '../../shared/settings';
import type { Committed } from './attempt';
import type { BodyLog } from './ledger';
import type { Clock } from './ports';
import type { RequestContext } from './request-context';
import { drained } from '../http/respond';
import { createFrameAligner, createFrameSplitter } from './sse-frames';
import { createSmoother } from './stages/smooth';
import { createUsageStripper } from './stages/strip-injected-usage';
import { injectsUsage } from './upstream';
import type { ErrorCode } from '../../shared/errors';
import { clientFraming, translateStageFor } from './translated-output';
import { observeLater } from './observe-later';

/**
 * The byte path after the commit (DESIGN.md §3): an ordered list of byte stages, then a writer.
 *
 * A byte stage is a push transform — bytes in, bytes out (possibly none), synchronous, holding at most
 * one unfinished frame — because the relay's hot path is "write this chunk now", and a synchronous
 * call costs nothing where an async generator per chunk would cost a promise per stage. The writer
 * at the end owns backpressure: it is the only step that awaits (the client's socket, or smoothing's
 * pacing). Chained, the path pulls from upstream only as fast as the client takes bytes.
 */
export interface ByteStage {
  /** The bytes to pass on for one chunk (possibly empty). */
  push(chunk: Buffer): Buffer;
  /** At the upstream's end: what it still holds, when the stream ended `clean`ly; else nothing. */
  end(clean: boolean): Buffer;
}

/** Where bytes go: a writer, or stages chained in front of one. */
export interface ByteSink {
  // Properties, not methods: a chain's own functions are handed on as they are, with no wrapper per chunk.
  readonly push: (chunk: Buffer) => Promise<void>;
  /**
   * At the upstream's end. `clean` = the stream ended normally: an unfinished last frame is sent as it
   * came. Otherwise it is dropped (a parser discards it at the end anyway), so the error event Sluice
   * appends next stands as a frame of its own.
   */
  readonly end: (clean: boolean) => Promise<void>;
}

/** Where committed bytes go on their way to the client: the stages chained in front of the writer. */
export interface ClientOutput extends ByteSink {
  /**
   * The upstream broke after the commit: the stream ends with an error in the client's own grammar
   * (an error event for SSE; through the encoder on a translated stream, which closes what it opened).
   */
  fail(code: ErrorCode, message: string): Promise<void>;
}

/** What decides which stages a response goes through. */
export interface OutputPlan {
  /** The client reads an SSE stream. */
  sse: boolean;
  /** The provider spoke another format: its answer is re-encoded in the client's (first of all). */
  translate: ByteStage | null;
  /** Sluice asked a Chat upstream for usage the client did not ask for, and must take it out. */
  stripUsage: boolean;
  /** The smoothing in force for this response, or null. */
  smoothing: SmoothingSettings | null;
}

interface StageEntry {
  readonly name: string;
  applies(plan: OutputPlan): boolean;
  create(plan: OutputPlan): ByteStage;
}

/** The byte stages, in the order bytes go through them. Translation's re-encode joins this list. */
export const OUTPUT_STAGES: readonly StageEntry[] = [
  {
    // The provider's events, decoded by its format's codec and re-encoded in the client's: whole frames.
    name: 'translate',
    applies: (p) => p.translate !== null,
    create: (p) => p.translate!,
  },
  {
    // Chat: the usage-only chunk and the `"usage":null` fields Sluice's own request added.
    name: 'strip-injected-usage',
    applies: (p) => p.stripUsage,
    create: () => {
      const stripper = createUsageStripper(createFrameSplitter());
      return { push: (chunk) => stripper.push(chunk), end: (clean) => (clean ? stripper.end() : EMPTY) };
    },
  },
  {
    // Whole frames only, so an error event appended after a cut stands on its own. Stages before it
    // and smoothing after it already frame the stream.
    name: 'align',
    applies: (p) => p.sse && p.translate === null && !p.stripUsage && p.smoothing === null,
    create: () => {
      const aligner = createFrameAligner();
      return { push: (chunk) => aligner.push(chunk), end: (clean) => (clean ? aligner.tail() : EMPTY) };
    },
  },
];

const EMPTY = Buffer.alloc(0);

/** A stage whose output is also handed to `keep` (the inspector's client side of a translated answer). */
function capturedStage(stage: ByteStage, keep: (bytes: Buffer) => void): ByteStage {
  return {
    push(chunk) {
      const out = stage.push(chunk);
      if (out.length > 0) keep(out);
      return out;
    },
    end(clean) {
      const out = stage.end(clean);
      if (out.length > 0) keep(out);
      return out;
    },
  };
}

/** The names of the stages (and the writer) a plan's response goes through, in order. */
export function outputPath(plan: OutputPlan): string[] {
  const names = OUTPUT_STAGES.filter((s) => s.applies(plan)).map((s) => s.name);
  names.push(plan.smoothing === null ? 'write' : 'smooth');
  return names;
}

/** The smoothing that applies to this request: global, then the provider's, then the client app's overrides. */
export function effectiveSmoothing(
  ctx: RequestContext,
  c: Committed,
  clientSse = c.isSse,
): SmoothingSettings | null {
  // The client's own override wins: smoothing exists for how that client renders.
  const s: SmoothingSettings = {
    ...ctx.settings.smoothing,
    ...c.provider.smoothing,
    ...ctx.settings.smoothingByClient[ctx.client],
  };
  return s.enabled && clientSse && c.status < 300 ? s : null;
}

/** Chains `stages` in front of `writer`; no stage → the writer itself (the non-SSE fast path). */
export function chainStages(stages: readonly ByteStage[], writer: ByteSink): ByteSink {
  if (stages.length === 0) return writer;
  if (stages.length === 1) {
    const [only] = stages as [ByteStage];
    return { push: (chunk) => writer.push(only.push(chunk)), end: chainEnd(stages, writer) };
  }
  return {
    push: (chunk) => {
      let bytes = chunk;
      for (const s of stages) bytes = s.push(bytes);
      return writer.push(bytes);
    },
    end: chainEnd(stages, writer),
  };
}

/** At the end each stage's remainder goes through the stages after it, then the writer ends. */
function chainEnd(stages: readonly ByteStage[], writer: ByteSink): (clean: boolean) => Promise<void> {
  return async (clean) => {
    for (let i = 0; i < stages.length; i++) {
      let bytes = stages[i]!.end(clean);
      for (let j = i + 1; j < stages.length && bytes.length > 0; j++) bytes = stages[j]!.push(bytes);
      if (bytes.length > 0) await writer.push(bytes);
    }
    await writer.end(clean);
  };
}

/**
 * Whether the client has gone: `now` is read per write; `signal`, for the smoother's waits, is made only
 * when asked (an AbortSignal per request showed in the relay's profile; only smoothing needs one).
 */
export interface ClientGone {
  now(): boolean;
  signal(): AbortSignal;
}

/**
 * The output path of one committed response: the stages its plan calls for, then the writer — plain
 * (each chunk written as it comes, awaiting only backpressure) or smoothing's paced one. With
 * smoothing, `log` keeps each split delta's arrival and deliveries for the inspector and live view.
 */
export function createClientOutput(
  ctx: RequestContext,
  c: Committed,
  log: BodyLog,
  clock: Clock,
  gone: ClientGone,
): ClientOutput {
  const { res } = ctx;
  const write = async (bytes: Buffer | string): Promise<void> => {
    if (bytes.length > 0 && !gone.now() && !res.write(bytes)) await drained(res);
  };
  const translator = translateStageFor(ctx, c);
  const framing = clientFraming(ctx, c);
  const sse = framing === 'sse';
  // What the client received of a translated answer is kept for the inspector beside the relay, once
  // per turn like the observer (observe-later.ts), and all of it before the output ends.
  const kept =
    translator === null
      ? null
      : observeLater({ push: (b) => log.clientBytes(c.attemptNo, framing, b), end: () => {} });
  const plan: OutputPlan = {
    sse,
    translate: kept === null || translator === null ? null : capturedStage(translator, (b) => kept.push(b)),
    stripUsage: translator === null && injectsUsage(ctx, c.provider) && c.isSse,
    smoothing: effectiveSmoothing(ctx, c, sse),
  };
  const stages = OUTPUT_STAGES.filter((s) => s.applies(plan)).map((s) => s.create(plan));
  const writer: ByteSink =
    plan.smoothing === null
      ? { push: write, end: () => Promise.resolve() }
      : createSmoother(plan.smoothing, ctx.adapter.createTextSplitter(), createFrameSplitter(), {
          write,
          upstreamReady: () => c.reader?.arrived() ?? Promise.resolve(),
          signal: gone.signal(),
          now: () => clock.mono(),
          onSmoothed: (arrivedAt, deliveredAt) => log.smoothed(arrivedAt, deliveredAt),
        });
  const path = chainStages(stages, writer);
  return {
    push: path.push,
    end:
      kept === null
        ? path.end
        : async (clean) => {
            try {
              await path.end(clean);
            } finally {
              kept.flush();
            }
          },
    async fail(code, message) {
      await path.end(false);
      kept?.flush();
      if (translator !== null) {
        const tail = translator.fail(502, code, message);
        log.clientBytes(c.attemptNo, framing, Buffer.from(tail));
        await write(tail);
      } else if (sse) await write(ctx.adapter.errorEvent(502, code, message));
    },
  };
}
