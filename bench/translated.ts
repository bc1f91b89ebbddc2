import { adapterFor } from '../src/formats';
import { createSseDecoder } from '../src/main/proxy/stages/sse-decode';
import { createStreamTranslator } from '../src/main/proxy/stages/translate';
import type { TurnRequest } from '../src/formats/turn/types';
import { SCRIPTS } from './wire-scripts';

/*
 * The translated path of `npm run bench`: an Anthropic Messages client (Claude Code's dialect) sends
 * Sluice the same short question as the Chat client; Sluice's provider speaks only Chat, so the
 * request goes out as Chat and the fake upstream's Chat stream comes back re-encoded as Anthropic SSE.
 */

/** The client's request as translation sees it (the encoder starts from its model). */
export function anthropicTurn(body: string = SCRIPTS.anthropic.body): TurnRequest {
  const json = JSON.parse(body) as Record<string, unknown>;
  return { ...adapterFor('anthropic').turn.decodeRequest(json, null), stream: true };
}

/** A Chat SSE body re-encoded as the Anthropic stream an Anthropic client of `turn` gets, as Sluice does it. */
export function translateChatStream(chat: Buffer, turn: TurnRequest): Buffer {
  const stage = createStreamTranslator(
    (onEvent) => createSseDecoder((event, data) => onEvent(event, data)),
    adapterFor('openai-chat').turn.createStreamDecoder(),
    adapterFor('anthropic').turn.createStreamEncoder(turn, { framing: 'sse' }),
  );
  return Buffer.concat([stage.push(chat), stage.end(true)]);
}

const TRANSLATED = new WeakMap<Buffer, Buffer>();

/**
 * What the Anthropic client must receive when the upstream sends `chat` (the whole body), computed
 * once per body by the same codecs in this process: a translated stream that loses, adds or
 * reorders anything then counts as an error, as a relayed one does.
 */
export function translatedStream(chat: Buffer): Buffer {
  let out = TRANSLATED.get(chat);
  if (out === undefined) {
    out = translateChatStream(chat, anthropicTurn());
    TRANSLATED.set(chat, out);
  }
  return out;
}
