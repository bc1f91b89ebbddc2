import type { IncomingHttpHeaders } from 'node:http';
import type { Settings } from '../../shared/settings';
import type { LiveEvent } from '../../shared/live-events';
import type { AttemptRecord, RequestFinish, RequestStart } from '../../shared/usage';
import type { ProviderConfig, RouteConfig } from '../../shared/config';
import type { BodyMode } from '../../shared/usage-query';

/**
 * What the proxy core needs from the rest of the app. `app.ts` wires these to the store,
 * the control layer and the UI; tests wire them to arrays.
 */

/** Receives request lifecycle records. Must not block: implementations queue and write later. */
export interface UsageSink {
  requestStarted(start: RequestStart): void;
  /** The first byte went to the client: the row moves from pending to streaming. */
  requestStreaming(requestId: string): void;
  requestFinished(finish: RequestFinish): void;
  /** One upstream attempt or skipped candidate, once it is over. */
  attemptFinished(attempt: AttemptRecord): void;
}

/** Receives live events for the UI. Must not block; may drop under pressure. */
export interface LiveSink {
  publish(event: LiveEvent): void;
  /** False when nobody listens: the relay then skips building per-frame events at all. */
  active?(): boolean;
}

/** The current settings and providers; read at the start of each request, so changes apply to the next one. */
export interface SettingsSource {
  settings(): Settings;
  providers(): readonly ProviderConfig[];
  /** The routes in force (config `routes`); absent = none. */
  routes?(): readonly RouteConfig[];
}

/** Wall-clock and monotonic time, replaceable in tests. */
export interface Clock {
  /** ms since the epoch */
  now(): number;
  /** monotonic ms, fractional */
  mono(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  mono: () => performance.now(),
};

export const nullUsageSink: UsageSink = {
  requestStarted() {},
  requestStreaming() {},
  requestFinished() {},
  attemptFinished() {},
};
export const nullLiveSink: LiveSink = { publish() {}, active: () => false };

/**
 * Receives what the inspector shows of each request: its line and headers, raw response frames and,
 * when enabled, the inbound body. Must not block: the store bounds it (per request and in total),
 * redacts credentials and writes later; it may drop.
 */
export interface CaptureSink {
  /**
   * One chunk of an attempt's response body as it arrived (decompressed), `offsetMs` after the request
   * arrived, framed as `mode`; `frames` = the frames it completed (counted when a cap drops it). The
   * store keeps the bytes as they are and the inspector decodes them when it looks: no per-event work.
   * The chunk is the store's to keep: the caller never changes it after.
   */
  responseBytes(
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    bytes: Uint8Array,
    frames: number,
  ): void;
  /**
   * What a translated attempt's response became for the client: one chunk out of the translate stage,
   * framed as `mode`, as in `responseBytes` (bounded the same way, on its own allowance). Called only
   * for translated attempts.
   */
  clientBytes(
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    bytes: Uint8Array,
    frames: number,
  ): void;
  /**
   * The body a translated attempt sent its provider (the provider's format); kept, like `requestBody`,
   * only when `captureRequestBodies` is on.
   */
  upstreamRequestBody(requestId: string, attempt: number, body: Uint8Array): void;
  /** The inbound request body as received; kept only when `captureRequestBodies` is on. */
  requestBody(requestId: string, body: Uint8Array): void;
  /**
   * The inbound method, path+query (`req.url`) and headers as the client sent them, credentials
   * included: the store masks them before holding anything. Kept for every request.
   */
  requestHeaders(requestId: string, method: string, target: string, headers: IncomingHttpHeaders): void;
  /**
   * Smoothing split one upstream delta: it arrived `upstreamOffsetMs` after the request and its pieces
   * reached the client at `deliveredOffsetsMs` (ms, rounded, non-decreasing). Called only while smoothing
   * is on; the array is the store's to keep (the caller never changes it after).
   */
  smoothed(requestId: string, upstreamOffsetMs: number, deliveredOffsetsMs: readonly number[]): void;
}

export const nullCaptureSink: CaptureSink = {
  responseBytes() {},
  clientBytes() {},
  upstreamRequestBody() {},
  requestBody() {},
  requestHeaders() {},
  smoothed() {},
};
