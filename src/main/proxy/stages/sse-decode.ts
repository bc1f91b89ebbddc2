import { createParser } from 'eventsource-parser';
import { createUtf8Stream } from '../utf8-stream';
import { lastFrameEnd } from '../sse-frames';
import { endBytes, OversizedSkip, type OversizedEvent } from '../oversized-event';

/**
 * Incremental `text/event-stream` decoder over raw body chunks: UTF-8 decoding with one streaming
 * decoder (`utf8-stream.ts`), then WHATWG event parsing by `eventsource-parser`. It runs beside the relay on every
 * chunk, so it never copies bytes and never loops over them in JS; the relayed bytes are untouched.
 * An event larger than its bound is not held: it is skipped to its blank line (`oversized-event.ts`),
 * reported by its two ends, and decoding goes on with the next event.
 */

/** One dispatched event: its `event:` name (undefined = default "message"), data, and the last event ID (undefined until an `id` field is seen). */
export type SseEventHandler = (event: string | undefined, data: string, id: string | undefined) => void;

export interface SseDecoderOptions {
  /** Bound on the unterminated line plus the pending event's data, in UTF-16 code units (default 16 Mi). */
  maxBufferChars?: number;
  /**
   * An event past `maxBufferChars`, read from its first and last bytes only (its data a stand-in: see
   * `oversized-event.ts`); it is not dispatched, and decoding goes on after its blank line.
   */
  onOversized?: (e: OversizedEvent) => void;
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
  const maxChars = opts.maxBufferChars ?? DEFAULT_MAX_BUFFER_CHARS;
  const keep = endBytes(maxChars);
  // The decoder strips exactly one leading U+FEFF, wherever the chunk boundaries fall. The parser
  // strips no U+FEFF itself (see the priming feed below).
  let decoder = createUtf8Stream();
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
  // The chunks since an event was last dispatched (or a comment read), while they are few: where an
  // event too large to hold began. References only, up to `keep` bytes and a chunk. The chunk of the
  // dispatch is held apart, so the common push (each chunk dispatches) allocates nothing.
  let openFirst: Uint8Array | null = null;
  let openRest: Uint8Array[] | null = null;
  let openBytes = 0;
  let openFull = false;
  let sinceOpen = 0;
  let dispatched = false;
  let overflowed = false;
  let skip: OversizedSkip | null = null;

  const parser = createParser({
    onEvent(message) {
      dispatched = true;
      if (ending) {
        pending = true;
        if (!dispatchPending) return;
      }
      if (message.id !== undefined) lastEventId = message.id;
      onEvent(message.event, message.data, lastEventId);
    },
    onComment() {
      dispatched = true;
    },
    onRetry: opts.onRetry,
    onError(error) {
      if (error.type === 'unknown-field') {
        opts.onStrayLine?.(error.line ?? '');
      } else if (error.type === 'max-buffer-size-exceeded') {
        overflowed = true;
      }
    },
    maxBufferSize: maxChars,
  });
  // The parser checks its first chunk for the three *characters* U+00EF U+00BB U+00BF (a BOM read as
  // Latin-1) and drops them. Our text is already decoded, so that check could only eat real text;
  // an empty first feed disarms it.
  parser.feed('');

  /** The chunk just fed made the pending event too large: skip it, holding its ends only. */
  function beginSkip(chunk: Uint8Array, text: string): void {
    overflowed = false;
    const contiguous = dispatched || !openFull;
    const open = [...(openFirst === null ? [] : [openFirst]), ...(openRest ?? [])];
    const parts = dispatched ? [chunk] : openFull ? open : [...open, chunk];
    const seen = Buffer.concat(parts);
    // After the last blank line, or (one that straddled the edge) after the line ends opening the bytes.
    let start = lastFrameEnd(seen);
    if (start === -1) for (start = 0; seen[start] === LF || seen[start] === CR; start++);
    const size = (dispatched ? chunk.length : sinceOpen) - start;
    const head = Buffer.from(seen.subarray(start, start + keep));
    const recent = contiguous
      ? seen.subarray(Math.max(start + keep, seen.length - keep))
      : chunk.subarray(Math.max(0, chunk.length - keep));
    const last = text.charCodeAt(text.length - 1);
    skip = new OversizedSkip(head, recent, size, last === LF || last === CR, last === CR, keep);
    openFirst = null;
    openRest = null;
    openBytes = 0;
    parser.reset();
  }

  /** The oversized event ended: report it and read on from a fresh parser and text decoder. */
  function endSkip(s: OversizedSkip): void {
    skip = null;
    opts.onOversized?.(s.finish());
    decoder = createUtf8Stream(false);
    parser.reset();
    parser.feed('');
    swallowLf = false;
    openFirst = null;
    openRest = null;
    openBytes = 0;
    openFull = false;
    sinceOpen = 0;
  }

  function push(chunk: Uint8Array): void {
    if (stopped) return;
    if (skip !== null) {
      const end = skip.push(chunk);
      if (end === -1) return;
      endSkip(skip);
      if (end < chunk.length) push(chunk.subarray(end));
      return;
    }
    dispatched = false;
    sinceOpen += chunk.length;
    let text = decoder.write(chunk);
    if (swallowLf && text.length > 0) {
      swallowLf = false;
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    if (text.length > 0) {
      parser.feed(text);
      if (overflowed) return beginSkip(chunk, text);
      // The parser holds back a trailing CR until it sees whether LF follows, which would delay an
      // event that ends the chunk (and lose it at EOF). A CR always ends a line, so complete it now.
      if (text.charCodeAt(text.length - 1) === CR) {
        parser.feed('\n');
        swallowLf = true;
      }
    }
    // A chunk that ends with a blank line leaves nothing pending: nothing is held (the common case).
    const n = chunk.length;
    const lastByte = chunk[n - 1];
    const before = lastByte === LF && chunk[n - 2] === CR ? chunk[n - 3] : chunk[n - 2];
    if ((lastByte === LF || lastByte === CR) && (before === LF || before === CR)) {
      openFirst = null;
      if (openRest !== null) openRest = null;
      openBytes = 0;
      openFull = false;
      sinceOpen = 0;
    } else if (dispatched) {
      openFirst = chunk;
      if (openRest !== null) openRest = null;
      openBytes = n;
      openFull = false;
      sinceOpen = n;
    } else if (!openFull) {
      (openRest ??= []).push(chunk);
      openBytes += chunk.length;
      openFull = openBytes >= keep;
    }
  }

  return {
    push,
    end(bodyEnded = true) {
      if (stopped) return false;
      stopped = true;
      if (skip !== null) {
        // The body ended inside the oversized event: pending, like any other.
        if (bodyEnded) {
          pending = true;
          if (dispatchPending) opts.onOversized?.(skip.finish());
        }
        skip = null;
      } else if (bodyEnded) {
        // The end of the body ends its last line (a stray line is reported), and a blank line then
        // dispatches what that completes: an event the body ended inside. (After a CR at the end, one LF
        // was fed already.) A clean end's extra empty lines dispatch nothing.
        const rest = decoder.end(); // U+FFFD for a sequence the body cut, or ''
        if (rest.length > 0) parser.feed(rest);
        ending = true;
        if (!overflowed) parser.feed('\n\n');
        ending = false;
      }
      parser.reset();
      return pending;
    },
  };
}
