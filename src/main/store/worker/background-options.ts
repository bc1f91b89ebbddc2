import {
  resolveWriterOptions,
  type ResolvedWriterOptions,
  type UsageWriterOptions,
} from '../write/usage-writer-options';
import type { StoreSettings } from './protocol';

export interface BackgroundWriterOptions extends Omit<UsageWriterOptions, 'now' | 'capture'> {
  /** Capture and retention settings, read at every use (default: the shipped defaults). */
  capture?: () => StoreSettings;
  /** Path to a better_sqlite3.node built for the running runtime (Electron's ABI), for the worker. */
  nativeBinding?: string;
  /** How long the worker's connection waits for another's lock, in ms; it blocks the worker only. */
  busyTimeoutMs?: number;
  /** Wait after the first call before the batch goes to the worker, in ms: one message per tick. */
  batchDelayMs?: number;
  /** A batch holding this many captured bytes goes at once, without waiting for `batchDelayMs`. */
  batchMaxBytes?: number;
  /** Longest `flush()` blocks its caller waiting for the worker, in ms. */
  flushTimeoutMs?: number;
  /** Longest `close()` waits for the worker to write what it holds, in ms; then it is stopped. */
  closeTimeoutMs?: number;
}

export const BACKGROUND_WRITER_DEFAULTS = {
  busyTimeoutMs: 250,
  batchDelayMs: 10,
  batchMaxBytes: 1024 * 1024,
  flushTimeoutMs: 5_000,
  closeTimeoutMs: 10_000,
} as const;

export interface ResolvedBackgroundOptions {
  nativeBinding: string | undefined;
  busyTimeoutMs: number;
  batchDelayMs: number;
  batchMaxBytes: number;
  flushTimeoutMs: number;
  closeTimeoutMs: number;
  maxQueued: number;
  maxCaptureMemoryBytes: number;
  /** Handed to the worker's UsageWriter as they are. */
  writer: ResolvedWriterOptions;
}

/** The options with their defaults filled in. */
export function resolveBackgroundOptions(options: BackgroundWriterOptions): ResolvedBackgroundOptions {
  const d = BACKGROUND_WRITER_DEFAULTS;
  const writer = resolveWriterOptions(options);
  return {
    nativeBinding: options.nativeBinding,
    busyTimeoutMs: options.busyTimeoutMs ?? d.busyTimeoutMs,
    batchDelayMs: options.batchDelayMs ?? d.batchDelayMs,
    batchMaxBytes: options.batchMaxBytes ?? d.batchMaxBytes,
    flushTimeoutMs: options.flushTimeoutMs ?? d.flushTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? d.closeTimeoutMs,
    maxQueued: writer.maxQueued,
    maxCaptureMemoryBytes: writer.maxCaptureMemoryBytes,
    writer,
  };
}
