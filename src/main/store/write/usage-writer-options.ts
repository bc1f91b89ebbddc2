import type { CaptureLimits } from './capture-buffer';

/** The capture settings the writer obeys, read at every use. */
export interface CaptureSettings extends CaptureLimits {
  captureMaxTotalBytes: number;
}

export interface UsageWriterOptions {
  /** Wait after the first queued record before writing, in ms, so a burst shares one transaction. */
  flushDelayMs?: number;
  /** Most records held in memory; beyond it the oldest are dropped and counted. */
  maxQueued?: number;
  /** Most records per transaction. */
  maxBatch?: number;
  /** Longest a timer-driven transaction may run, in ms; the rest waits for the next tick, so the relay runs in between. */
  tickBudgetMs?: number;
  /** First retry after a failed write, in ms; doubles per consecutive failure up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Most captured bytes held in memory waiting for the database; beyond it frames are dropped and counted. */
  maxCaptureMemoryBytes?: number;
  /** Told once per distinct problem (per outage) and once when it is over; must not throw. Default: console.error. */
  onError?: (message: string) => void;
  /** Capture settings (default: the shipped defaults). */
  capture?: () => CaptureSettings;
  /** Credentials to redact from captures besides anything shaped like one (the providers' keys). */
  secrets?: () => readonly string[];
  /** Wall clock for capture timestamps (retention reads them), ms since the epoch. */
  now?: () => number;
}

export const USAGE_WRITER_DEFAULTS = {
  flushDelayMs: 25,
  maxQueued: 100_000,
  maxBatch: 5_000,
  tickBudgetMs: 8,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
  maxCaptureMemoryBytes: 64 * 1024 * 1024,
} as const;

export type ResolvedWriterOptions = Required<
  Omit<UsageWriterOptions, 'onError' | 'capture' | 'secrets' | 'now'>
>;

/** The numeric options with their defaults filled in. */
export function resolveWriterOptions(options: UsageWriterOptions): ResolvedWriterOptions {
  const d = USAGE_WRITER_DEFAULTS;
  return {
    flushDelayMs: options.flushDelayMs ?? d.flushDelayMs,
    maxQueued: Math.max(1, options.maxQueued ?? d.maxQueued),
    maxBatch: Math.max(1, options.maxBatch ?? d.maxBatch),
    tickBudgetMs: options.tickBudgetMs ?? d.tickBudgetMs,
    retryDelayMs: options.retryDelayMs ?? d.retryDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs ?? d.maxRetryDelayMs,
    maxCaptureMemoryBytes: options.maxCaptureMemoryBytes ?? d.maxCaptureMemoryBytes,
  };
}
