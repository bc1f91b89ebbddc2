import { z } from 'zod';
import { ClaudeCodeSlotsSchema } from './claude-code-slots';

/** The fields of smoothing, without defaults (an override names only what it changes). */
const smoothingFields = {
  enabled: z.boolean(),
  /** `fixed`: every piece `delayMs` after the last. `adaptive`: spread over the upstream's own pace, never more than `maxLagMs` behind. */
  mode: z.enum(['fixed', 'adaptive']),
  /** Largest piece, in grapheme clusters. */
  chunkChars: z.number().int().min(1).max(10_000),
  /** Pause between pieces in fixed mode. */
  delayMs: z.number().int().min(0).max(10_000),
  /** Adaptive mode never holds text back longer than this behind the upstream. */
  maxLagMs: z.number().int().min(0).max(60_000),
};

/** Smoothing: re-pace bursty text deltas into steady small pieces (only pure text deltas are split). */
export const SmoothingSchema = z
  .object({
    enabled: smoothingFields.enabled.default(false),
    mode: smoothingFields.mode.default('adaptive'),
    chunkChars: smoothingFields.chunkChars.default(20),
    delayMs: smoothingFields.delayMs.default(8),
    maxLagMs: smoothingFields.maxLagMs.default(250),
  })
  .strict();

/** A per-provider or per-client override: only the fields it names, no defaults filled in. */
export const SmoothingOverrideSchema = z
  .object({
    enabled: smoothingFields.enabled.optional(),
    mode: smoothingFields.mode.optional(),
    chunkChars: smoothingFields.chunkChars.optional(),
    delayMs: smoothingFields.delayMs.optional(),
    maxLagMs: smoothingFields.maxLagMs.optional(),
  })
  .strict();

/**
 * Every tunable of the gateway, with its default and unit in its name.
 * Bounds are documented here, where the setting is declared.
 */
export type SmoothingSettings = z.infer<typeof SmoothingSchema>;

export const SettingsSchema = z
  .object({
    /** Largest inbound request body accepted; larger → 413 in the caller's format. */
    maxRequestBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(32 * 1024 * 1024),
    /**
     * A request body must arrive whole within this long after its headers; a slower one gets a 408 and
     * its connection is closed (a body that never completes would hold its connection forever).
     */
    requestBodyTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
    /**
     * Request bodies held in memory at once, all requests together (each counts until its request
     * ends); a request that would pass it waits up to `bodiesInFlightWaitMs` for room, then gets a 503.
     * A body larger than the whole allowance waits until it is alone.
     */
    maxBodiesInFlightBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(64 * 1024 * 1024 * 1024)
      .default(512 * 1024 * 1024),
    /** How long a request waits for room under `maxBodiesInFlightBytes` before its 503. */
    bodiesInFlightWaitMs: z.number().int().min(0).max(600_000).default(5_000),
    /** Open client connections at once (idle keep-alive ones included); past it new ones get a 503 and are closed. */
    maxClientConnections: z.number().int().min(1).max(1_000_000).default(1024),
    /** Connecting to an upstream (TCP + TLS) may take this long. */
    connectTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    /** No upstream body byte within this long after sending the request → the attempt fails. */
    firstByteTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** A 2xx stream is held until its first content or terminal event, at most this many bytes… */
    prefetchMaxBytes: z
      .number()
      .int()
      .min(0)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
    /** …or this long; then it is committed to the client whatever it holds. */
    prefetchMaxMs: z.number().int().min(0).max(600_000).default(10_000),
    /**
     * A non-streaming generation sends its headers only when the whole answer is ready, so it gets this
     * long (from sending the request to its last byte) instead of `firstByteTimeoutMs`. Slow is not a
     * failure: it is never failed over and never held against the provider's health; past the bound the
     * client gets a 504. (Token counts and model lists keep `firstByteTimeoutMs`.)
     */
    nonStreamTimeoutMs: z.number().int().min(100).max(3_600_000).default(600_000),
    /**
     * Longest silence between upstream chunks once a stream flows. Any byte resets it, so keep-alive
     * events (Anthropic `ping`) count as activity, though never as content.
     */
    idleTimeoutMs: z.number().int().min(100).max(3_600_000).default(300_000),
    /**
     * Largest non-streaming upstream body, streamed event or JSON-array element Sluice reads whole to observe
     * it (it is relayed regardless); past it, it is read from its two ends only and the usage is marked partial.
     */
    maxObservedBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(16 * 1024 * 1024),
    /** Live `sse-event`s sent per request before the rest are counted but not sent. */
    liveFramesPerRequest: z.number().int().min(0).max(1_000_000).default(5_000),
    /** Live frame payload bytes per request before the rest are counted but not sent. */
    liveFrameBytesPerRequest: z
      .number()
      .int()
      .min(0)
      .max(1024 * 1024 * 1024)
      .default(1024 * 1024),
    /** Attempts per request in total, across providers and retries of the same one. */
    maxAttempts: z.number().int().min(1).max(20).default(4),
    /** First backoff before retrying a provider already tried; doubles per round, plus up to 50 % jitter. */
    retryBaseDelayMs: z.number().int().min(0).max(60_000).default(250),
    /** Longest single backoff. */
    retryMaxDelayMs: z.number().int().min(0).max(600_000).default(4_000),
    /** Longest cooldown a Retry-After header can impose on a provider. */
    maxCooldownMs: z.number().int().min(0).max(86_400_000).default(300_000),
    /** Key pools (`apiKeys`): how long a key refused (401/403) or out of quota sits out before it is tried again. */
    keyBenchMs: z.number().int().min(1000).max(86_400_000).default(600_000),
    /** Key pools: how long a key rate-limited (429) without a Retry-After cools; with one, its wait (≤ maxCooldownMs). */
    keyCooldownMs: z.number().int().min(0).max(86_400_000).default(30_000),
    /** Circuit breaker: outcomes kept per provider… */
    circuitWindowSize: z.number().int().min(1).max(1000).default(20),
    /** …no older than this. */
    circuitWindowMs: z.number().int().min(1000).max(86_400_000).default(300_000),
    /** Opens at this many samples with at least `circuitFailureRatio` failures… */
    circuitMinSamples: z.number().int().min(1).max(1000).default(5),
    circuitFailureRatio: z.number().min(0.01).max(1).default(0.5),
    /** …or after this many failures in a row. */
    circuitConsecutiveFailures: z.number().int().min(1).max(1000).default(5),
    /** First wait before a half-open probe; doubles per failed probe up to `circuitMaxRecoveryMs`. */
    circuitRecoveryMs: z.number().int().min(100).max(86_400_000).default(30_000),
    circuitMaxRecoveryMs: z.number().int().min(100).max(86_400_000).default(300_000),
    /** When every candidate is rate-limited, wait at most this long for one (0 = answer 429 at once). */
    rateLimitMaxWaitMs: z.number().int().min(0).max(600_000).default(0),
    /** When the limiter cannot decide (state unavailable or corrupt): `open` lets the request through, `closed` refuses it. */
    rateLimitFailMode: z.enum(['open', 'closed']).default('open'),
    /**
     * A conversation's requests go first to the provider that served its previous turn (its prompt
     * cache is there) until it has been quiet this long; 0 turns affinity off.
     */
    affinityTtlMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400_000)
      .default(3_600_000),
    smoothing: SmoothingSchema.prefault({}),
    /** Smoothing overrides per client app (`claude-code`, `codex`, …), laid over `smoothing`. */
    smoothingByClient: z.record(z.string(), SmoothingOverrideSchema).default({}),
    /**
     * The gateway's port (0 = any free one), saved when it is changed while running (`gateway.setPort`,
     * which moves the listener; `settings.update` refuses it). Used at start when none is given
     * (SLUICE_PORT, `--port`); absent → 8787.
     */
    port: z.number().int().min(0).max(65535).optional(),
    /** API clients must present the local token as their API key (Sluice swaps in the provider's key). */
    requireLocalToken: z.boolean().default(false),
    /** Browser origins (e.g. `https://my-tool.example`) allowed to call the API, CORS included. */
    allowedOrigins: z.array(z.url()).max(100).default([]),
    /**
     * Most sockets open at once to one provider origin (a socket carries one request at a time). The
     * default is far above any real use, so no request waits silently behind long streams: a
     * provider's `maxConcurrentStreams` is the one visible way to queue. A request that does wait for a
     * socket says so (a log line and a live-view state); lower it only to cap a fragile upstream.
     */
    upstreamConnections: z.number().int().min(1).max(1_048_576).default(65_536),
    /** Keep each response's raw frames (SSE events) with their arrival offsets, for the inspector. */
    captureFrames: z.boolean().default(true),
    /** Keep inbound request bodies too (they hold your prompts and code). */
    captureRequestBodies: z.boolean().default(false),
    /** Frame bytes kept per request (the request body has the same allowance); later frames are counted, not kept. */
    captureMaxBytesPerRequest: z
      .number()
      .int()
      .min(0)
      .max(256 * 1024 * 1024)
      .default(1024 * 1024),
    /** All captures together, as stored (compressed); beyond it the oldest requests' captures are dropped first. */
    captureMaxTotalBytes: z
      .number()
      .int()
      .min(0)
      .max(1024 * 1024 * 1024 * 1024)
      .default(512 * 1024 * 1024),
    /** Request rows (with their attempts and hourly totals) older than this many days are deleted. */
    retentionDays: z.number().int().min(1).max(36_500).default(90),
    /** Captures older than this many days are deleted (earlier than the rows they belong to). */
    captureRetentionDays: z.number().int().min(1).max(36_500).default(14),
    /**
     * The models Claude Code's slots ask for (`haiku: { model: "deepseek-chat" }`); `sluice setup
     * claude-code` and the Setup screen's Apply write them into Claude Code's settings. Set in the
     * Routes section (which offers a route for each) or with `--haiku MODEL` and the like.
     */
    claudeCodeSlots: ClaudeCodeSlotsSchema.default({}),
  })
  .strict();

export type Settings = z.infer<typeof SettingsSchema>;

/** The defaults, as one frozen object. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(SettingsSchema.parse({}));
