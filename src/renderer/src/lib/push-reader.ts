import type { PushWorkerMessage } from './push-worker';
import { readPushStream, type ParsedPush } from './sse-read';

/** Whether handing the stream to a worker works in this page (a worker that fails is not tried again). */
let workerUsable = typeof Worker === 'function';

/** Hands `body` to a fresh push worker; false (the stream untouched) when it cannot be transferred. */
function readInWorker(
  body: ReadableStream<Uint8Array>,
  onPush: (push: ParsedPush) => void,
  onRetry: (ms: number) => void,
): Promise<void> | false {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./push-worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return false;
  }
  try {
    worker.postMessage(body, [body]);
  } catch {
    // This browser cannot transfer a stream: read it here.
    worker.terminate();
    return false;
  }
  return new Promise<void>((resolve, reject) => {
    const done = (error: string | null): void => {
      worker.terminate();
      if (error === null) resolve();
      else reject(new Error(error));
    };
    worker.onmessage = (e: MessageEvent<PushWorkerMessage>) => {
      const m = e.data;
      if (m.kind === 'push') onPush(m.push);
      else if (m.kind === 'retry') onRetry(m.ms);
      else done(m.error);
    };
    worker.onerror = (e) => {
      // The worker did not load or broke: the caller reconnects, and reads on this thread from then on.
      workerUsable = false;
      e.preventDefault();
      done(`push worker: ${e.message || 'failed'}`);
    };
  });
}

/**
 * Reads the push stream until it ends: in a worker where the browser can hand it one (the page then
 * only receives parsed pushes), else on this thread. Resolves at the end; rejects when reading broke.
 */
export function readPushes(
  body: ReadableStream<Uint8Array>,
  onPush: (push: ParsedPush) => void,
  onRetry: (ms: number) => void,
): Promise<void> {
  if (workerUsable) {
    const reading = readInWorker(body, onPush, onRetry);
    if (reading !== false) return reading;
    workerUsable = false;
  }
  return readPushStream(body, onPush, onRetry);
}
