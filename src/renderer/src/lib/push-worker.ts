import { readPushStream, type ParsedPush } from './sse-read';

/** What the push worker posts back to the page, in order. */
export type PushWorkerMessage =
  { kind: 'push'; push: ParsedPush } | { kind: 'retry'; ms: number } | { kind: 'end'; error: string | null };

/** The worker's global scope, as far as it is used here (the web lib types the global as a Window). */
const scope = globalThis as unknown as {
  onmessage: ((e: { data: ReadableStream<Uint8Array> }) => void) | null;
  postMessage(message: PushWorkerMessage): void;
};

/*
 * Reads the dashboard's push stream off the page's thread: decoding, splitting server-sent events and
 * parsing JSON (a `live` batch can be megabytes, many times a second) happen here, so the page only
 * receives the parsed objects (a structured clone, cheaper for it than JSON.parse). One stream per worker.
 */
scope.onmessage = (e) => {
  scope.onmessage = null;
  readPushStream(
    e.data,
    (push) => scope.postMessage({ kind: 'push', push }),
    (ms) => scope.postMessage({ kind: 'retry', ms }),
  ).then(
    () => scope.postMessage({ kind: 'end', error: null }),
    (err: unknown) =>
      scope.postMessage({ kind: 'end', error: err instanceof Error ? err.message : String(err) }),
  );
};
