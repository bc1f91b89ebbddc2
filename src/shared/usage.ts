import type { ApiFormat } from './api-format';
import type { RouteChoice } from './route-choice';

/** How a request ended. `aborted` = the client went away (recorded with HTTP 499). */
export type RequestOutcome = 'completed' | 'failed' | 'aborted';

/** A request row's lifecycle status: `pending` until the first byte, `streaming` after it, then its outcome. */
export type RequestStatus = 'pending' | 'streaming' | RequestOutcome | 'interrupted';

/** Where token numbers came from. */
export type UsageProvenance = 'reported' | 'partial' | 'estimated' | 'none';

/** Known client apps, recognised from User-Agent. */
export type ClientApp =
  'claude-code' | 'codex' | 'gemini-cli' | 'openai-sdk' | 'anthropic-sdk' | 'google-sdk' | 'curl' | 'other';

/** Tokens normalised across formats: `inputTokens` never includes cached tokens. */
export interface NormalizedUsage {
  inputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  cacheWrite5mTokens: number | null;
  cacheWrite1hTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
}

/** One recorded request, as `sluice usage --json` prints it. Times are ms since the epoch / ms. */
export interface UsageRow extends NormalizedUsage {
  requestId: string;
  startedAt: string; // ISO 8601
  client: ClientApp;
  userAgent: string | null;
  format: ApiFormat;
  model: string | null;
  upstreamModel: string | null;
  provider: string | null;
  stream: boolean;
  status: RequestStatus;
  httpStatus: number | null;
  /** Request start → first byte written to the client. */
  ttfbMs: number | null;
  /** Upstream request sent → first upstream body byte. */
  upstreamTtfbMs: number | null;
  durationMs: number | null;
  usageProvenance: UsageProvenance;
  /** The provider's usage object as it appeared, JSON. */
  rawUsage: string | null;
  error: string | null;
  /** USD at the prices in force when the request was recorded; null when unpriced or without usage. */
  costUsd: number | null;
  /** The provider's format when the serving attempt was translated to it; null = relayed as is, or not served. */
  translatedTo: ApiFormat | null;
  /** How its chain was chosen (route, affinity, weighted turn); null in rows written before schema 8. */
  route?: RouteChoice | null;
}

/** What the recorder receives when a request starts. */
export interface RequestStart {
  requestId: string;
  startedAtMs: number;
  client: ClientApp;
  userAgent: string | null;
  format: ApiFormat;
  model: string | null;
  stream: boolean;
}

/** What the recorder receives when a request ends (exactly once per request). */
export interface RequestFinish extends NormalizedUsage {
  requestId: string;
  status: RequestOutcome;
  upstreamModel: string | null;
  provider: string | null;
  httpStatus: number | null;
  ttfbMs: number | null;
  upstreamTtfbMs: number | null;
  durationMs: number;
  usageProvenance: UsageProvenance;
  rawUsage: string | null;
  error: string | null;
  /** The provider's format when the serving attempt was translated to it; null = relayed as is, or not served. */
  translatedTo: ApiFormat | null;
  /** How its chain was chosen (route, affinity, weighted turn); absent/null = not recorded. */
  route?: RouteChoice | null;
}

/** How far an upstream attempt got; `skipped` = never sent (circuit open, cooldown, rate limit, model not allowed). */
export type AttemptPhase = 'skipped' | 'connect' | 'headers' | 'prefetch' | 'relay';

export type AttemptOutcome = 'committed' | 'failed' | 'skipped' | 'aborted';

/** One upstream attempt of a request (or one skipped candidate), for the inspector's waterfall. */
export interface AttemptRecord {
  requestId: string;
  attemptNo: number;
  provider: string;
  startedAtMs: number;
  phase: AttemptPhase;
  outcome: AttemptOutcome;
  /** `failureText` of why it failed or was skipped (`http_status 503`, `upstream_connect: ECONNREFUSED`, `circuit_open`). */
  reason: string | null;
  httpStatus: number | null;
  durationMs: number | null;
  /** First bytes of a failing body, credentials redacted, ≤ 2 KiB. */
  bodyHead: string | null;
  /** The provider's format when the request was translated to it for this attempt; null = relayed as is. */
  translatedTo: ApiFormat | null;
  /** Which of the provider's keys it was sent with (keyFingerprint, never the key); null = none of its own. */
  keyFingerprint?: string | null;
}

/** Which requests to list: every given filter must hold. Times are ms since the epoch. */
export interface RequestFilter {
  /** Inclusive. */
  sinceMs?: number;
  /** Exclusive. */
  untilMs?: number;
  client?: ClientApp;
  provider?: string;
  /** The billed model: the upstream model when known, else the one asked for. */
  model?: string;
  status?: RequestStatus | readonly RequestStatus[];
}

export interface UsageQuery extends RequestFilter {
  limit?: number;
}

export const EMPTY_USAGE: Readonly<NormalizedUsage> = Object.freeze({
  inputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  cacheWrite5mTokens: null,
  cacheWrite1hTokens: null,
  outputTokens: null,
  reasoningTokens: null,
});
