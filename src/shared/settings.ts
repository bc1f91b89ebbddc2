import { z } from 'zod';

/**
 * Every tunable of the gateway, with its default and unit in its name.
 * Bounds are documented here, where the setting is declared.
 */
export const SettingsSchema = z
  .object({
    /** Largest inbound request body accepted; larger → 413 in the caller's format. */
    maxRequestBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(32 * 1024 * 1024),
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
    /** Longest silence between upstream chunks once a stream flows. */
    idleTimeoutMs: z.number().int().min(100).max(3_600_000).default(120_000),
    /** Largest non-streaming upstream body Sluice parses to observe usage (it is relayed regardless). */
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
    /** Keep-alive sockets per provider origin. */
    upstreamConnections: z.number().int().min(1).max(4096).default(256),
  })
  .strict();

export type Settings = z.infer<typeof SettingsSchema>;

/** The defaults, as one frozen object. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(SettingsSchema.parse({}));
