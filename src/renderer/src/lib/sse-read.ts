import { createParser } from 'eventsource-parser';

/** One push as read off the stream: its event name and its JSON payload, parsed. */
export interface ParsedPush {
  name: string;
  payload: unknown;
}

/** What the push worker posts back to the page, in order. */
export type PushWorkerMessage =
  { kind: 'push'; push: ParsedPush } | { kind: 'retry'; ms: number } | { kind: 'end'; error: string | null };

/**
 * Reads a server-sent-events body until it ends, handing each event on with its data parsed as JSON
 * (an event that is not JSON is skipped); `retry:` lines set the reconnect pause. Runs in the push
 * worker, or on the page's thread where no worker can take the stream.
 */
export async function readPushStream(
  body: ReadableStream<Uint8Array>,
  onPush: (push: ParsedPush) => void,
  onRetry: (ms: number) => void,
): Promise<void> {
  const parser = createParser({
    onEvent: (e) => {
      let payload: unknown;
      try {
        payload = JSON.parse(e.data);
      } catch {
        return;
      }
      onPush({ name: e.event ?? 'message', payload });
    },
    onRetry,
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    parser.feed(decoder.decode(value, { stream: true }));
  }
}
