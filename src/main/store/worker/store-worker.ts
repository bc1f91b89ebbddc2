import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { openWriterConnection } from '../schema/db';
import { RetentionJob } from '../write/retention';
import { UsageWriter } from '../write/usage-writer';
import type { BodyMode } from '../../../shared/usage-query';
import {
  CHUNK_FIELDS,
  CODE_OBJECT,
  CODE_RESPONSE,
  type FromWorker,
  type ObjectOp,
  type StoreBatch,
  type StoreSettings,
  type StoreWorkerData,
  type ToWorker,
} from './protocol';

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

let settings: StoreSettings = DEFAULT_SETTINGS;
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

function replay(op: ObjectOp, bytes: Buffer): void {
  switch (op.op) {
    case 'start':
      return writer.requestStarted(op.start);
    case 'streaming':
      return writer.requestStreaming(op.requestId);
    case 'finish':
      return writer.requestFinished(op.finish);
    case 'attempt':
      return writer.attemptFinished(op.attempt);
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
  // The chunks are views of this one buffer until the capture buffer keeps (copies) them.
  const bytes = Buffer.from(batch.bytes);
  const codes = new Float64Array(batch.codes);
  const { strings, objects } = batch;
  let next = 0;
  for (let i = 0; i < codes.length;) {
    const code = codes[i]!;
    if (code === CODE_OBJECT) {
      replay(objects[next++]!, bytes);
      i++;
      continue;
    }
    const side = code === CODE_RESPONSE ? 'response' : 'client';
    const requestId = strings[codes[i + 1]!]!;
    const [attempt, mode, offsetMs, frames] = [
      codes[i + 2]!,
      strings[codes[i + 3]!] as BodyMode,
      codes[i + 4]!,
      codes[i + 5]!,
    ];
    const at = codes[i + 6]!;
    i += CHUNK_FIELDS;
    if (at < 0) {
      writer.lostBytes(requestId, side, frames);
      continue;
    }
    const chunk = bytes.subarray(at, at + codes[i - 1]!);
    if (side === 'response') writer.responseBytes(requestId, attempt, mode, offsetMs, chunk, frames);
    else writer.clientBytes(requestId, attempt, mode, offsetMs, chunk, frames);
  }
  send({ type: 'ack', seq: batch.seq });
}

// Deletes in batches with a macrotask between them, so batches from the main thread run in between.
const retention = new RetentionJob(
  db,
  () => settings,
  (line) => send({ type: 'log', message: line }),
);

async function close(): Promise<void> {
  await retention.stop();
  writer.close();
  db.close();
  port.close();
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
    case 'retention':
      settings = m.settings;
      return retention.start();
    case 'close':
      void close();
      return;
  }
});
