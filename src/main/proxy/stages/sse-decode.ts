import { createParser } from 'eventsource-parser';
import { createUtf8Stream } from '../utf8-stream';

/**
 * Incremental `text/event-stream` decoder over raw body chunks: UTF-8 decoding with one streaming
 * decoder (`utf8-stream.ts`), then WHATWG event parsing by `eventsource-parser`. It runs beside the relay on every
 * chunk, so it never copies bytes and never loops over them in JS; the relayed bytes are untouched.
 */

/** One dispatched event: its `event:` name (undefined = default "message"), data, and the last event ID (undefined until an `id` field is seen). */
export type SseEventHandler = (event: string | undefined, data: string, id: string | undefined) => void;

export interface SseDecoderOptions {
  /** Bound on the unterminated line plus the pending event's data, in UTF-16 code units (default 16 Mi). */
  maxBufferChars?: number;
  /** Called once when `maxBufferChars` is exceeded; the decoder then ignores the rest of the stream. */
  onOverflow?: () => void;
  /**
   * A line that is no SSE field (unknown field name, no colon). Such lines are ignored by the spec, but
   * a bare JSON error printed after the events (Gemini does this) or an HTML page shows up here.
   */
  onStrayLine?: (line: string) => void;
  /** A valid `retry` field, in ms. */
  onRetry?: (ms: number) => void;
}

export interface SseDecoder {
  /** Feeds raw body bytes, split anywhere (inside a line, a CRLF or a UTF-8 sequence). */
  push(chunk: Uint8Array): void;
  /** End of body: an event still pending is discarded, as WHATWG says. Later pushes are ignored. */
  end(): void;
}

const DEFAULT_MAX_BUFFER_CHARS = 16 * 1024 * 1024;
const CR = 13;
const LF = 10;

/** Creates a decoder that calls `onEvent` for every event dispatched by the stream. */
export function createSseDecoder(onEvent: SseEventHandler, opts: SseDecoderOptions = {}): SseDecoder {
  // The decoder strips exactly one leading U+FEFF, wherever the chunk boundaries fall. The parser
  // strips no U+FEFF itself (see the priming feed below).
  const decoder = createUtf8Stream();
  // eventsource-parser resets its id buffer after every dispatch; WHATWG keeps the last event ID
  // until an `id` field changes it, so it is carried here.
  let lastEventId: string | undefined;
  // A chunk ending in CR was fed with an extra LF (see push); a LF opening the next chunk is the
  // second half of that CRLF and must not count as a blank line.
  let swallowLf = false;
  let stopped = false;

  const parser = createParser({
    onEvent(message) {
      if (message.id !== undefined) lastEventId = message.id;
      onEvent(message.event, message.data, lastEventId);
    },
    onRetry: opts.onRetry,
    onError(error) {
      if (error.type === 'unknown-field') {
        opts.onStrayLine?.(error.line ?? '');
      } else if (error.type === 'max-buffer-size-exceeded') {
        stopped = true;
        opts.onOverflow?.();
      }
    },
    maxBufferSize: opts.maxBufferChars ?? DEFAULT_MAX_BUFFER_CHARS,
  });
  // The parser checks its first chunk for the three *characters* U+00EF U+00BB U+00BF (a BOM read as
  // Latin-1) and drops them. Our text is already decoded, so that check could only eat real text;
  // an empty first feed disarms it.
  parser.feed('');

  return {
    push(chunk) {
      if (stopped) return;
      let text = decoder.write(chunk);
      if (text.length === 0) return;
      if (swallowLf) {
        swallowLf = false;
        if (text.charCodeAt(0) === LF) {
          if (text.length === 1) return;
          text = text.slice(1);
        }
      }
      parser.feed(text);
      // The parser holds back a trailing CR until it sees whether LF follows, which would delay an
      // event that ends the chunk (and lose it at EOF). A CR always ends a line, so complete it now.
      if (!stopped && text.charCodeAt(text.length - 1) === CR) {
        parser.feed('\n');
        swallowLf = true;
      }
    },
    end() {
      if (stopped) return;
      stopped = true;
      // Bytes after the last line terminator belong to an unterminated line, which is discarded anyway.
      decoder.end();
      parser.reset();
    },
  };
}
