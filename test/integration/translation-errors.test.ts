import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ApiError } from '@google/genai';
import { beforeAll, describe, expect, it } from 'vitest';
import { anthropicKit, chatKit, geminiKit, responsesKit, type FormatKit } from '../support/format-kits';
import {
  API_FORMAT,
  WIRES,
  knownIds,
  rowAfter,
  recordedHead,
  runClient,
  upstreamPath,
  useForeign,
  type Wire,
} from '../support/translation-rig';

/**
 * Errors across formats: a provider's error answer (status and vendor body) reaches the client as its
 * own format's error with the same status and the upstream's words; an error event after content has
 * streamed becomes the client format's error event, which its SDK raises with the upstream's words.
 */

const KIT: Record<Wire, FormatKit> = {
  chat: chatKit,
  responses: responsesKit,
  messages: anthropicKit,
  gemini: geminiKit,
};

/** A 400 body in the provider's own format, carrying `message`. */
function badRequest(wire: Wire, message: string): string {
  switch (wire) {
    case 'chat':
    case 'responses':
      return JSON.stringify({ error: { message, type: 'invalid_request_error' } });
    case 'messages':
      return JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message } });
    case 'gemini':
      return JSON.stringify({ error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
  }
}

/** The SDK's error, or a failure when the call succeeded. */
async function sdkError(p: Promise<unknown>): Promise<Error & { streamedText?: string }> {
  const outcome = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(outcome instanceof Error))
    throw new Error(`the SDK did not raise, it got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** The status an SDK error carries, checking it is the client SDK's own API error class. */
function statusOf(client: Wire, e: Error): number | undefined {
  const wrong = (): Error =>
    new Error(`${client}: not the SDK's API error: ${e.constructor.name} ${e.message}`);
  switch (client) {
    case 'messages':
      if (!(e instanceof Anthropic.APIError)) throw wrong();
      return e.status as number | undefined;
    case 'chat':
    case 'responses':
      if (!(e instanceof OpenAI.APIError)) throw wrong();
      return e.status as number | undefined;
    case 'gemini':
      if (!(e instanceof ApiError)) throw wrong();
      return e.status;
  }
}

for (const provider of WIRES) {
  describe(`errors from a ${provider} provider`, () => {
    const foreign = useForeign(provider);

    for (const client of WIRES.filter((w) => w !== provider)) {
      for (const stream of [true, false]) {
        it(`a 400 reaches a ${client} client as its own 400 with the upstream's words (${stream ? 'stream' : 'whole'})`, async () => {
          const words = `bad thing X from ${provider} for ${client}`;
          foreign.up.reply = () => ({
            status: 400,
            headers: { 'content-type': 'application/json' },
            chunks: [badRequest(provider, words)],
          });
          const before = knownIds(foreign.sluice);
          const e = await sdkError(runClient(client, foreign.sluice.url, stream));
          expect(foreign.up.requests.at(-1)!.url).toBe(upstreamPath(provider, stream));
          expect(statusOf(client, e)).toBe(400);
          expect(e.message).toContain(words);
          const row = await rowAfter(foreign.sluice, before);
          expect(row).toMatchObject({ status: 'failed', httpStatus: 400, format: API_FORMAT[client] });
        });
      }

      it(`an error event after content reaches a ${client} client as its SDK's error, after the text`, async () => {
        const words = `upstream broke mid-answer: ${provider} to ${client}`;
        const { head, text } = recordedHead(provider);
        // The error comes after the content has been committed to the client (a later write).
        foreign.up.reply = () => ({
          status: 200,
          headers: { 'content-type': 'text/event-stream' },
          chunks: [head, KIT[provider].errorEvent(words)],
          delayMs: 150,
        });
        const before = knownIds(foreign.sluice);
        const e = await sdkError(runClient(client, foreign.sluice.url, true));
        expect(foreign.up.requests.at(-1)!.url).toBe(upstreamPath(provider, true));
        expect(e.message).toContain(words);
        // The text came first, as it streamed: the commit happened, then the error event.
        expect(e.streamedText).toBe(text);
        const row = await rowAfter(foreign.sluice, before);
        expect(row).toMatchObject({
          status: 'failed',
          format: API_FORMAT[client],
          provider: `p-${provider}`,
        });
        expect(row.error ?? '').toContain(words);
      });
    }
  });
}

describe('the brief case: a Chat provider answers 400 to an Anthropic client', () => {
  const foreign = useForeign('chat');
  beforeAll(() => {
    foreign.up.reply = () => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"error":{"message":"bad thing X","type":"invalid_request_error"}}'],
    });
  });

  it('messages.stream().finalMessage() raises an APIError 400 of type invalid_request_error saying "bad thing X"', async () => {
    const e = await sdkError(runClient('messages', foreign.sluice.url, true));
    expect(e).toBeInstanceOf(Anthropic.BadRequestError);
    if (!(e instanceof Anthropic.APIError)) throw e;
    const api = e;
    expect(api.status).toBe(400);
    expect(api.message).toContain('bad thing X');
    // The body is Anthropic's error shape, the upstream's words verbatim inside it.
    expect(api.error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('bad thing X') },
    });
  });
});
