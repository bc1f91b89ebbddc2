import type { AttemptRecord, RequestFinish, RequestStart } from '../../../shared/usage';
import type { RecordedRequestHeaders } from '../../../shared/usage-query';
import type { RetentionSettings } from '../write/retention';
import type { CaptureSettings } from '../write/usage-writer-options';

/** The settings the worker obeys: what it captures, and how long rows and captures are kept. */
export type StoreSettings = CaptureSettings & RetentionSettings;

/*
 * What crosses between the main thread and the store worker. The main thread sends one batch per
 * tick: every record and capture call since the previous one, in order, with all their bytes packed
 * into one transferred ArrayBuffer (an op names its bytes by offset and length). The worker answers
 * each batch with an ack once it holds it, and a flush or a pragma through the shared barrier.
 */

/** A call other than a response chunk, replayed in the worker in the same order as the chunks. */
export type ObjectOp =
  | { op: 'start'; start: RequestStart }
  | { op: 'streaming'; requestId: string }
  | { op: 'finish'; finish: RequestFinish }
  | { op: 'attempt'; attempt: AttemptRecord }
  | { op: 'upstream-request'; requestId: string; attempt: number; at: number; length: number }
  | { op: 'request-body'; requestId: string; at: number; length: number }
  | { op: 'headers'; requestId: string; record: RecordedRequestHeaders }
  | { op: 'smoothed'; requestId: string; upstreamOffsetMs: number; deliveredOffsetsMs: readonly number[] };

/*
 * The calls in order, as numbers: a response chunk (the bulk: one per frame) is CHUNK_FIELDS numbers —
 * its code, request id and framing mode as indexes into `strings`, attempt, offset, frames, and where
 * its bytes are in `bytes` (at -1: the main thread's bound dropped them) — so a batch costs no object
 * per chunk to build, clone or collect; every other call is CODE_OBJECT, the next of `objects`.
 */
export const CODE_OBJECT = 0;
export const CODE_RESPONSE = 1;
export const CODE_CLIENT = 2;
export const CHUNK_FIELDS = 8;

export interface StoreBatch {
  type: 'batch';
  seq: number;
  /** Float64 codes (see above); transferred. */
  codes: ArrayBuffer;
  strings: string[];
  objects: ObjectOp[];
  /** Every chunk's and body's bytes, back to back; transferred, not copied. */
  bytes: ArrayBuffer;
  /** Present when they changed since the previous batch (and in the first one). */
  settings?: StoreSettings;
  secrets?: string[];
}

export type ToWorker =
  | StoreBatch
  /** Write everything held now, then raise the barrier to `seq`. */
  | { type: 'flush'; seq: number }
  /** Tests only: run a PRAGMA on the writer's connection (a size cap makes a full disk), then raise the barrier. */
  | { type: 'pragma'; seq: number; text: string }
  /** Start retention: a run now and one a day (write/retention.ts), on the worker's connection. */
  | { type: 'retention'; settings: StoreSettings }
  /** Stop retention, write what can be written, report what cannot, close the connection and end. */
  | { type: 'close' };

export type FromWorker =
  | { type: 'ack'; seq: number }
  /** An operator line from the writer's outage reporting. */
  | { type: 'log'; message: string };

/** What the worker is started with. */
export interface StoreWorkerData {
  file: string;
  nativeBinding: string | null;
  busyTimeoutMs: number;
  /** The writer's numeric options (see UsageWriterOptions). */
  writer: {
    flushDelayMs?: number;
    maxQueued?: number;
    maxBatch?: number;
    tickBudgetMs?: number;
    retryDelayMs?: number;
    maxRetryDelayMs?: number;
    maxCaptureMemoryBytes?: number;
  };
  /** Int32 [0]: the last flush or pragma `seq` the worker finished (Atomics.notify'd). */
  barrier: SharedArrayBuffer;
}
