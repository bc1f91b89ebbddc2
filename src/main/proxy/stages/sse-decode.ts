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
  /**
   * An event the body ends inside (its last line read, no blank line after it): `discard`ed, as WHATWG
   * says (the default), or `dispatch`ed as if the blank line had come, as openai-node does.
   */
  pendingAtEnd?: 'dispatch' | 'discard';
}

export interface SseDecoder {
  /** Feeds raw body bytes, split anywhere (inside a line, a CRLF or a UTF-8 sequence). */
  push(chunk: Uint8Array): void;
  /**
   * End of body. `bodyEnded`: the body really ended (not abandoned half-way); its last line then ends
   * there, and an event it completes is handled as `pendingAtEnd` says. Returns whether there was such
   * an event (one with data). Later pushes are ignored.
   */
  end(bodyEnded?: boolean): boolean;
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
  /** Set while end() completes the last line and event: what is dispatched then was pending. */
  let ending = false;
  let pending = false;
  const dispatchPending = opts.pendingAtEnd === 'dispatch';

  const parser = createParser({
    onEvent(message) {
      if (ending) {
        pending = true;
        if (!dispatchPending) return;
      }
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
    end(bodyEnded = true) {
      if (stopped) return false;
      stopped = true;
      if (bodyEnded) {
        // The end of the body ends its last line (a stray line is reported), and a blank line then
        // dispatches what that completes: an event the body ended inside. (After a CR at the end, one LF
        // was fed already.) A clean end's extra empty lines dispatch nothing.
        const rest = decoder.end(); // U+FFFD for a sequence the body cut, or ''
        if (rest.length > 0) parser.feed(rest);
        ending = true;
        parser.feed('\n\n');
        ending = false;
      }
      parser.reset();
      return pending;
    },
  };
}
