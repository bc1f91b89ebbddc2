import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { openWriterConnection } from '../schema/db';
import { UsageWriter, type CaptureSettings } from '../write/usage-writer';
import type { FromWorker, StoreBatch, StoreOp, StoreWorkerData, ToWorker } from './protocol';

/*
 * The store worker: its own connection to the database and the UsageWriter that used to run on the
 * main thread — the record queue, the capture buffer, compression, the secret screen over captured
 * bytes and every transaction. The main thread (background-writer.ts) only batches calls and posts
 * them here. Built as its own entry (store-worker.js beside the bundle); run from sources in tests.
 */

const data = workerData as StoreWorkerData;
const port = parentPort!;
const barrier = new Int32Array(data.barrier);
const send = (m: FromWorker): void => port.postMessage(m);

let settings: CaptureSettings = DEFAULT_SETTINGS;
let secrets: readonly string[] = [];

const db = openWriterConnection(data.file, {
  busyTimeoutMs: data.busyTimeoutMs,
  ...(data.nativeBinding === null ? {} : { nativeBinding: data.nativeBinding }),
});
const writer = new UsageWriter(db, {
  ...data.writer,
  // Reporter lines never hold a key: they name the problem and count records.
  onError: (message) => send({ type: 'log', message }),
  capture: () => settings,
  secrets: () => secrets,
});

function replay(op: StoreOp, bytes: Buffer): void {
  switch (op.op) {
    case 'start':
      return writer.requestStarted(op.start);
    case 'streaming':
      return writer.requestStreaming(op.requestId);
    case 'finish':
      return writer.requestFinished(op.finish);
    case 'attempt':
      return writer.attemptFinished(op.attempt);
    case 'response':
    case 'client': {
      if (op.at < 0) return writer.lostBytes(op.requestId, op.op, op.frames);
      const chunk = bytes.subarray(op.at, op.at + op.length);
      const args = [op.requestId, op.attempt, op.mode, op.offsetMs, chunk, op.frames] as const;
      return op.op === 'response' ? writer.responseBytes(...args) : writer.clientBytes(...args);
    }
    case 'upstream-request':
      return writer.upstreamRequestBody(op.requestId, op.attempt, bytes.subarray(op.at, op.at + op.length));
    case 'request-body':
      return writer.requestBody(op.requestId, bytes.subarray(op.at, op.at + op.length));
    case 'headers':
      return writer.recordedHeaders(op.requestId, op.record);
    case 'smoothed':
      return writer.smoothed(op.requestId, op.upstreamOffsetMs, op.deliveredOffsetsMs);
  }
}

function apply(batch: StoreBatch): void {
  if (batch.settings !== undefined) settings = batch.settings;
  if (batch.secrets !== undefined) secrets = batch.secrets;
  // The chunks stay views of this one buffer until written: it is the batch's, nobody else's.
  const bytes = Buffer.from(batch.bytes);
  for (const op of batch.ops) replay(op, bytes);
  send({ type: 'ack', seq: batch.seq });
}

function raise(seq: number): void {
  Atomics.store(barrier, 0, seq);
  Atomics.notify(barrier, 0);
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'batch':
      return apply(m);
    case 'flush':
      writer.flush();
      return raise(m.seq);
    case 'pragma':
      try {
        db.pragma(m.text);
      } finally {
        raise(m.seq);
      }
      return;
    case 'close':
      writer.close();
      db.close();
      port.close();
      return;
  }
});
