import type { ApiFormat } from '../../shared/api-format';
import type { ProviderConfig } from '../../shared/config';
import type { Failure } from '../../shared/failure';
import type { AttemptRecord, RequestOutcome } from '../../shared/usage';
import type { BodyMode } from '../../shared/usage-query';
import type { StreamFacts } from '../../formats/types';
import type { HealthBook } from './health';
import type { CaptureSink, Clock, LiveSink, UsageSink } from './ports';

/* The shapes the ledger (ledger.ts) takes and hands out: what it writes to, and what it is told. */

/** What the ledger writes to. */
export interface LedgerDeps {
  usage: UsageSink;
  live: LiveSink;
  clock: Clock;
  health: HealthBook;
  capture?: CaptureSink;
}

/** How a request ended, as the pipeline's last step hands it over. */
export interface Ending {
  outcome: RequestOutcome;
  httpStatus: number | null;
  /** Request start → first byte to the client, ms; null when nothing was sent. */
  ttfbMs: number | null;
  /** Why it did not complete; null when it did. */
  failure: Failure | null;
  facts: StreamFacts | null;
  provider: string | null;
  upstreamModel: string | null;
  upstreamTtfbMs: number | null;
  /** The provider's format when the serving attempt was translated to it; null = relayed as is, or not served. */
  translatedTo: ApiFormat | null;
  /** Sluice answered a token count itself: the input it estimated (recorded as estimated usage). */
  estimatedInputTokens?: number;
}

/** An attempt that failed before the commit, as the ledger records it. */
export interface AttemptFailure {
  provider: ProviderConfig;
  attemptNo: number;
  startedAtMs: number;
  durationMs: number;
  phase: AttemptRecord['phase'];
  failure: Failure;
  status: number | null;
  retryAfterMs: number | null;
  bodyHead: string | null;
  /** Only the attempt's key is to blame (a pool benched or cooled it, another key goes next): no health verdict. */
  keyOnly?: boolean;
}

/**
 * What the observation side of the relay records, per attempt: each raw chunk for the inspector, each
 * decoded frame for the live view. The observer and the smoother call these; the ledger stamps the time.
 */
export interface BodyLog {
  /** False when nobody watches the live view: the observer then builds no per-frame events at all. */
  watching(): boolean;
  /** One decoded frame (its `event:` name, null when none, and its data). */
  frame(event: string | null, data: string): void;
  /** `count` frames were not published (the per-request budget was spent). */
  framesDropped(count: number): void;
  /** One raw chunk of attempt `attempt`'s body (the store keeps the bytes; never changed after). */
  responseBytes(attempt: number, mode: BodyMode, chunk: Uint8Array, frames: number): void;
  /**
   * One chunk of a translated answer as re-encoded for the client (the translate stage's output), for
   * the inspector's client side. Called only for translated attempts.
   */
  clientBytes(attempt: number, mode: BodyMode, chunk: Uint8Array): void;
  /** Smoothing split one upstream delta: its arrival and its pieces' deliveries, monotonic ms. */
  smoothed(arrivedAt: number, deliveredAt: readonly number[]): void;
}
