import type { ApiFormat } from '../../../../shared/api-format';
import type { ClientApp, NormalizedUsage, RequestStatus, UsageRow } from '../../../../shared/usage';
import type { RouteChoice } from '../../../../shared/route-choice';

/** What the Live list shows for a request's state. */
export type LiveStatus = 'waiting' | 'streaming' | 'done' | 'failed' | 'aborted';

/** One line of the Live list. Immutable: a change makes a new object, so unchanged rows skip rendering. */
export interface LiveRow {
  readonly id: string;
  /** ms since the epoch */
  readonly startedAt: number;
  readonly client: ClientApp;
  readonly format: ApiFormat;
  readonly stream: boolean;
  readonly model: string | null;
  readonly upstreamModel: string | null;
  /** The provider that served it (or the one being tried). */
  readonly provider: string | null;
  /**
   * The provider's format when that attempt was translated (the client's is `format`); null = relayed
   * as is, or not known (rows from the store only: the attempts hold it, the request row does not).
   */
  readonly translatedTo: ApiFormat | null;
  readonly status: LiveStatus;
  /** `interrupted` rows (Sluice stopped mid-request) show as failed with this set. */
  readonly interrupted: boolean;
  readonly httpStatus: number | null;
  readonly ttfbMs: number | null;
  readonly durationMs: number | null;
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly cacheReadTokens: number | null;
  readonly cacheWriteTokens: number | null;
  readonly costUsd: number | null;
  /** Failed attempts before the answer (seen live); null when the row came from the store only. */
  readonly hops: number | null;
  /** Candidates skipped (circuit open, rate limit…), seen live. */
  readonly skipped: number;
  /**
   * While the attempt being tried waits for a socket to this provider (every one `upstreamConnections`
   * allows is busy), seen live; null or absent otherwise.
   */
  readonly connectionWait?: string | null;
  /** How its chain was chosen (route, affinity, weighted turn); null or absent when not known. */
  readonly routing?: RouteChoice | null;
  readonly error: string | null;
}

/** Maps a stored status to what the list shows. */
export function liveStatusOf(s: RequestStatus): LiveStatus {
  switch (s) {
    case 'pending':
      return 'waiting';
    case 'streaming':
      return 'streaming';
    case 'completed':
      return 'done';
    case 'aborted':
      return 'aborted';
    case 'failed':
    case 'interrupted':
      return 'failed';
  }
}

/** Whether a request has ended (its numbers no longer change). */
export function isFinal(s: LiveStatus): boolean {
  return s === 'done' || s === 'failed' || s === 'aborted';
}

/** Lifecycle order, so a late or stale update never moves a row backwards. */
export function statusRank(s: LiveStatus): number {
  return s === 'waiting' ? 0 : s === 'streaming' ? 1 : 2;
}

/** A row built from (or refreshed by) the store's record; `prev` keeps what only live events know. */
export function rowFromUsage(r: UsageRow, prev?: LiveRow): LiveRow {
  return {
    id: r.requestId,
    startedAt: Date.parse(r.startedAt),
    client: r.client,
    format: r.format,
    stream: r.stream,
    model: r.model,
    upstreamModel: r.upstreamModel,
    provider: r.provider ?? prev?.provider ?? null,
    translatedTo: r.translatedTo ?? prev?.translatedTo ?? null,
    status: liveStatusOf(r.status),
    interrupted: r.status === 'interrupted',
    httpStatus: r.httpStatus,
    ttfbMs: r.ttfbMs ?? prev?.ttfbMs ?? null,
    durationMs: r.durationMs,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cacheReadTokens: r.cacheReadTokens,
    cacheWriteTokens: r.cacheWriteTokens,
    costUsd: r.costUsd,
    hops: prev?.hops ?? null,
    skipped: prev?.skipped ?? 0,
    connectionWait: r.status === 'pending' ? (prev?.connectionWait ?? null) : null,
    routing: r.route ?? prev?.routing ?? null,
    error: r.error,
  };
}

/** Copies the token numbers a usage observation carries (null = not reported, keep what we had). */
export function withUsage(row: LiveRow, u: NormalizedUsage): LiveRow {
  return {
    ...row,
    inputTokens: u.inputTokens ?? row.inputTokens,
    outputTokens: u.outputTokens ?? row.outputTokens,
    cacheReadTokens: u.cacheReadTokens ?? row.cacheReadTokens,
    cacheWriteTokens: u.cacheWriteTokens ?? row.cacheWriteTokens,
  };
}
