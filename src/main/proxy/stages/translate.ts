import type {
  TurnEvent,
  TurnRequest,
  TurnCodec,
  TurnStreamDecoder,
  TurnStreamEncoder,
} from '../../../formats/turn/types';

/**
 * Translation's re-encode, the last byte stage before the writer on a translated attempt: the
 * provider's events (framed by the splitter passed in: SSE or Gemini's JSON array) are decoded into
 * turn events by the provider format's codec and written in the client format's grammar by the
 * client's. Nothing is buffered beyond the current event; a whole (non-streaming) answer is bounded.
 */

/** Reads one framed body into events; `event` is undefined for a JSON-array element. */
export interface EventSplitter {
  push(chunk: Uint8Array): void;
  end(): void;
}

export type EventSplitterFactory = (
  onEvent: (event: string | undefined, data: string) => void,
) => EventSplitter;

/** A translating byte stage: as `ByteStage`, plus an ending with an error in the client's grammar. */
export interface TranslateStage {
  push(chunk: Buffer): Buffer;
  /** At the upstream's end; `clean` = it ended normally. Not clean: `fail` follows. */
  end(clean: boolean): Buffer;
  /** The stream broke after the commit: an error event (and whatever closes the grammar) for the client. */
  fail(status: number, errorType: string, message: string): Buffer;
}

const EMPTY = Buffer.alloc(0);

function bytes(text: string): Buffer {
  return text.length === 0 ? EMPTY : Buffer.from(text, 'utf8');
}

/** A streamed answer, event by event. */
export function createStreamTranslator(
  split: EventSplitterFactory,
  decoder: TurnStreamDecoder,
  encoder: TurnStreamEncoder,
): TranslateStage {
  let pending: TurnEvent[] = [];
  let closed = false;
  const splitter = split((event, data) => {
    for (const e of decoder.event(event, data)) pending.push(e);
  });
  const flush = (): string => {
    if (pending.length === 0) return '';
    const text = encoder.push(pending);
    pending = [];
    return text;
  };
  return {
    push(chunk) {
      if (closed) return EMPTY;
      splitter.push(chunk);
      return bytes(flush());
    },
    end(clean) {
      if (closed) return EMPTY;
      splitter.end();
      if (!clean) return bytes(flush());
      for (const e of decoder.end()) pending.push(e);
      closed = true;
      return bytes(flush() + encoder.end());
    },
    fail(status, errorType, message) {
      if (closed) return EMPTY;
      closed = true;
      pending.push({ type: 'error', status, errorType, message });
      return bytes(flush() + encoder.end());
    },
  };
}

/** Most bytes of a whole answer held for translation (an answer past it is cut off with an error). */
export const MAX_WHOLE_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * A whole (non-streaming) answer: held until the end (bounded), then decoded by the provider's codec
 * and encoded by the client's. `onError` renders a body that is not the provider's JSON answer.
 */
export function createWholeTranslator(
  from: TurnCodec,
  to: TurnCodec,
  request: TurnRequest,
  onError: (message: string) => string,
): TranslateStage {
  const parts: Buffer[] = [];
  let held = 0;
  let over = false;
  return {
    push(chunk) {
      if (over) return EMPTY;
      held += chunk.length;
      if (held > MAX_WHOLE_ANSWER_BYTES) over = true;
      else parts.push(chunk);
      return EMPTY;
    },
    end(clean) {
      if (!clean) return EMPTY;
      if (over) return bytes(onError(`the provider's answer is larger than ${MAX_WHOLE_ANSWER_BYTES} bytes`));
      let json: unknown;
      try {
        json = JSON.parse(Buffer.concat(parts).toString('utf8'));
      } catch {
        return bytes(onError("the provider's answer is not JSON"));
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        return bytes(onError("the provider's answer is not a JSON object"));
      }
      return bytes(
        JSON.stringify(to.encodeResponse(from.decodeResponse(json as Record<string, unknown>), request)),
      );
    },
    fail(_status, _type, message) {
      return bytes(onError(message));
    },
  };
}

/**
 * A provider's error answer (a non-2xx status), rendered at its end in the client's own error shape
 * by `render`, with the provider's words (read by its format's observer).
 */
export function createErrorTranslator(render: () => string): TranslateStage {
  // The provider's body goes to its observer (bounded there); nothing of it is written as it came.
  return {
    push: () => EMPTY,
    end: () => bytes(render()),
    fail: () => bytes(render()),
  };
}
