import type { TurnStreamDecoder } from '../../formats/turn/types';
import type { Committed } from './attempt';
import type { RequestContext } from './request-context';
import { createJsonArraySplitter } from './stages/json-array-split';
import { createSseDecoder } from './stages/sse-decode';
import {
  createErrorTranslator,
  createStreamTranslator,
  createWholeTranslator,
  type EventSplitterFactory,
  type TranslateStage,
} from './stages/translate';

/** How the client reads the answer it gets: SSE, Gemini's JSON array, or one JSON body. */
export type ClientFraming = 'sse' | 'json-array' | 'json';

/**
 * The framing the client gets. Relayed as is: the upstream's. Translated: what the client's format
 * streams in (Gemini without `alt=sse` reads a JSON array), or one JSON body for a whole answer or an
 * error status.
 */
export function clientFraming(ctx: RequestContext, c: Committed): ClientFraming {
  if (c.translation === null)
    return c.isSse ? 'sse' : ctx.stream && ctx.format === 'gemini' ? 'json-array' : 'json';
  if (c.status >= 300 || !ctx.stream) return 'json';
  return ctx.format === 'gemini' && !/(^|&)alt=sse(&|$)/.test(ctx.query) ? 'json-array' : 'sse';
}

/** The content type that goes with a translated answer's framing. */
export function translatedContentType(framing: ClientFraming): string {
  return framing === 'sse' ? 'text/event-stream' : 'application/json';
}

/**
 * Translation's re-encode for a committed attempt, or null when it was relayed as is. A provider's
 * error status is answered as the client format's own error with the provider's words; a stream goes
 * event by event; a whole answer once it is whole.
 */
export function translateStageFor(ctx: RequestContext, c: Committed): TranslateStage | null {
  const t = c.translation;
  if (t === null) return null;
  const client = ctx.adapter;
  const provider = c.speaking;
  if (c.status >= 300) {
    // The provider's observer read its error body; the client gets the same words in its own shape.
    const status = c.status;
    return createErrorTranslator(() => {
      const said = c.observer.facts.error;
      const message = said?.message ?? `the provider answered ${status}`;
      return client.errorBody(status, 'http_status', message);
    });
  }
  const book = t.signatures;
  if (!ctx.stream) {
    const from =
      book === null
        ? provider.turn
        : {
            ...provider.turn,
            decodeResponse: (json: Readonly<Record<string, unknown>>) => {
              const response = provider.turn.decodeResponse(json);
              book.rememberResponse(response);
              return response;
            },
          };
    return createWholeTranslator(from, client.turn, t.turn, (message) =>
      client.errorBody(502, 'error_in_body', message),
    );
  }
  const split: EventSplitterFactory = c.isSse
    ? (onEvent) => createSseDecoder((event, data) => onEvent(event, data))
    : (onEvent) => createJsonArraySplitter((json) => onEvent(undefined, json));
  const framing = clientFraming(ctx, c) === 'json-array' ? 'json-array' : 'sse';
  const decoder = provider.turn.createStreamDecoder();
  const remembering: TurnStreamDecoder =
    book === null
      ? decoder
      : {
          event: (event, data) => {
            const events = decoder.event(event, data);
            book.rememberEvents(events);
            return events;
          },
          end: () => decoder.end(),
        };
  return createStreamTranslator(split, remembering, client.turn.createStreamEncoder(t.turn, { framing }));
}
