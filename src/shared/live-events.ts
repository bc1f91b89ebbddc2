import type { ApiFormat } from './api-format';
import type { FailureCode } from './failure';
import type { RouteChoice } from './route-choice';
import type { ClientApp, NormalizedUsage, RequestOutcome } from './usage';

interface Base {
  requestId: string;
  /** ms since the epoch */
  at: number;
}

/** Everything the UI can watch, one variant per `type`. */
export type LiveEvent =
  | (Base & {
      type: 'request-started';
      format: ApiFormat;
      model: string | null;
      client: ClientApp;
      stream: boolean;
    })
  | (Base & {
      type: 'attempt-started';
      attempt: number;
      provider: string;
      url: string;
      /** The provider's format when the request was translated to it (`anthropic` → `openai-chat`); else null. */
      translatedTo?: ApiFormat | null;
      /** Which of the provider's keys it is sent with, by fingerprint; null = none of its own. */
      keyFingerprint?: string | null;
    })
  | (Base & {
      type: 'attempt-failed';
      attempt: number;
      provider: string;
      code: FailureCode;
      /** `failureText` of the failure: the code, the status, the detail. */
      reason: string;
      status: number | null;
      bodyHead: string | null;
    })
  /**
   * The attempt waits for a socket to its provider: all `connections` the pool may open
   * (`upstreamConnections`) are busy. It lasts until the attempt commits or fails.
   */
  | (Base & { type: 'attempt-waiting'; attempt: number; provider: string; connections: number })
  | (Base & { type: 'attempt-skipped'; provider: string; code: FailureCode; reason: string })
  /** How its chain was chosen: the route that matched, and who was put first (affinity, a weighted turn). */
  | (Base & { type: 'request-routed'; choice: RouteChoice })
  | (Base & { type: 'committed'; provider: string; status: number; ttfbMs: number })
  | (Base & { type: 'sse-event'; offsetMs: number; event: string | null; data: string })
  | (Base & { type: 'frames-dropped'; count: number })
  /** A text delta smoothing split: when it arrived from upstream and when each piece reached the client (ms from request start). */
  | (Base & { type: 'smoothed'; upstreamOffsetMs: number; deliveredOffsetsMs: number[] })
  | (Base & { type: 'usage'; usage: NormalizedUsage })
  | (Base & {
      type: 'request-finished';
      outcome: RequestOutcome;
      httpStatus: number | null;
      durationMs: number;
      usage: NormalizedUsage;
      /** Why it did not complete (null when it did). */
      code: FailureCode | null;
      error: string | null;
    });

export type LiveEventType = LiveEvent['type'];
