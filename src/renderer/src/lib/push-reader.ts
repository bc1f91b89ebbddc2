import { readPushStream, type ParsedPush, type PushWorkerMessage } from './sse-read';

/** The part of a page's Worker used here (typed locally: the renderer's modules are typechecked for Node too). */
interface PushWorker {
  postMessage(message: ReadableStream<Uint8Array>, transfer: ReadableStream<Uint8Array>[]): void;
  terminate(): void;
  onmessage: ((e: { data: PushWorkerMessage }) => void) | null;
  onerror: ((e: { message: string; preventDefault(): void }) => void) | null;
}
type PushWorkerConstructor = new (url: URL, options: { type: 'module' }) => PushWorker;

// Named Worker so the bundler sees `new Worker(new URL(…))` below and builds the worker beside the page.
const Worker = (globalThis as { Worker?: PushWorkerConstructor }).Worker;

/** Whether handing the stream to a worker works in this page (a worker that fails is not tried again). */
let workerUsable = Worker !== undefined;

/** Hands `body` to a fresh push worker; false (the stream untouched) when it cannot be transferred. */
function readInWorker(
  body: ReadableStream<Uint8Array>,
  onPush: (push: ParsedPush) => void,
  onRetry: (ms: number) => void,
): Promise<void> | false {
  if (Worker === undefined) return false;
  let worker: PushWorker;
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
    worker.onmessage = (e) => {
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
