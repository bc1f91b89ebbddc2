/** Test helpers for the turn codecs: SSE in, TurnEvents, re-encoded streams, observers and SDK readers. */

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { adapterFor, type StreamFacts } from '../../../../src/formats';
import type { TurnCodec, TurnEvent, TurnRequest } from '../../../../src/formats/turn/types';
import type { ApiFormat } from '../../../../src/shared/api-format';
import { createSseDecoder } from '../../../../src/main/proxy/stages/sse-decode';
import { fakeFetch, sseResponse } from '../harness';

/** Test helper: the events an SSE body dispatches, through the gateway's own decoder. */
export function sseEvents(body: Uint8Array | string): { event: string | undefined; data: string }[] {
  const out: { event: string | undefined; data: string }[] = [];
  const decoder = createSseDecoder((event, data) => out.push({ event, data }));
  decoder.push(typeof body === 'string' ? new TextEncoder().encode(body) : body);
  decoder.end();
  return out;
}

/** Test helper: every TurnEvent a codec's stream decoder makes of an SSE body (its end included). */
export function decodeStream(codec: TurnCodec, body: Uint8Array | string): TurnEvent[] {
  const decoder = codec.createStreamDecoder();
  const events: TurnEvent[] = [];
  for (const e of sseEvents(body)) events.push(...decoder.event(e.event, e.data));
  events.push(...decoder.end());
  return events;
}

/** Test helper: the stream `to` writes for `events`, pushed in batches of `batch` events. */
export function encodeStream(
  codec: TurnCodec,
  request: TurnRequest,
  events: readonly TurnEvent[],
  batch = 1,
): string {
  const encoder = codec.createStreamEncoder(request);
  let out = '';
  for (let i = 0; i < events.length; i += batch) out += encoder.push(events.slice(i, i + batch));
  return out + encoder.end() + encoder.end();
}

/** Test helper: what a format's own observer learns from an SSE body. */
export function observe(format: ApiFormat, body: Uint8Array | string): StreamFacts {
  const observer = adapterFor(format).createObserver();
  for (const e of sseEvents(body)) observer.observeEvent(e.event, e.data);
  return observer.facts;
}

/** Test helper: a TurnRequest with defaults. */
export function turnRequest(over: Partial<TurnRequest> = {}): TurnRequest {
  return {
    model: 'test-model',
    system: [],
    messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }],
    tools: [],
    toolChoice: null,
    parallelToolCalls: null,
    maxOutputTokens: null,
    temperature: null,
    topP: null,
    topK: null,
    stop: [],
    stream: true,
    reasoning: null,
    user: null,
    ...over,
  };
}

/** Test helper: the Message the official Anthropic SDK's MessageStream accumulates from `body`. */
export function anthropicSdkMessage(body: string): Promise<Anthropic.Message> {
  const client = new Anthropic({ apiKey: 'test', maxRetries: 0, fetch: fakeFetch(() => sseResponse(body)) });
  return client.messages
    .stream({ model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
    .finalMessage();
}

/** Test helper: the completion the official openai SDK's chat stream helper accumulates from `body`. */
export async function openAiSdkCompletion(body: string): Promise<{
  completion: OpenAI.Chat.Completions.ChatCompletion;
  chunks: OpenAI.Chat.Completions.ChatCompletionChunk[];
}> {
  const client = new OpenAI({ apiKey: 'test', maxRetries: 0, fetch: fakeFetch(() => sseResponse(body)) });
  const stream = client.chat.completions.stream({
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
    stream_options: { include_usage: true },
  });
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  stream.on('chunk', (c) => chunks.push(c));
  const completion = await stream.finalChatCompletion();
  return { completion, chunks };
}

/**
 * Test helper: checks the Anthropic block grammar of an encoded stream and returns its event names:
 * message_start first (content []), blocks opened before deltas and closed before the next opens,
 * indices 0, 1, 2…, no thinking after text, message_delta then message_stop last.
 */
export function anthropicGrammar(body: string): string[] {
  const names: string[] = [];
  let open: number | null = null;
  let next = 0;
  let sawText = false;
  for (const { event, data } of sseEvents(body)) {
    const payload = JSON.parse(data) as Record<string, unknown>;
    names.push(event ?? '');
    if (payload.type !== event) throw new Error(`event ${event} carries type ${String(payload.type)}`);
    switch (event) {
      case 'message_start': {
        if (names.length !== 1) throw new Error('message_start is not first');
        const message = payload.message as Record<string, unknown>;
        if (!Array.isArray(message.content) || message.content.length !== 0)
          throw new Error('content is not []');
        break;
      }
      case 'content_block_start': {
        if (open !== null) throw new Error(`block ${next} opened while ${open} is open`);
        if (payload.index !== next) throw new Error(`block index ${String(payload.index)}, expected ${next}`);
        const type = (payload.content_block as Record<string, unknown>).type;
        if (type === 'text') sawText = true;
        if ((type === 'thinking' || type === 'redacted_thinking') && sawText)
          throw new Error('thinking after text');
        open = next++;
        break;
      }
      case 'content_block_delta':
        if (payload.index !== open)
          throw new Error(`delta for ${String(payload.index)} while ${open} is open`);
        break;
      case 'content_block_stop':
        if (payload.index !== open)
          throw new Error(`stop for ${String(payload.index)} while ${open} is open`);
        open = null;
        break;
      case 'message_delta':
        if (open !== null) throw new Error('message_delta with a block open');
        break;
    }
  }
  const last = names.at(-1);
  if (last !== 'message_stop' && last !== 'error') throw new Error(`stream ends with ${String(last)}`);
  return names;
}

/** Test helper: JSON of the `data:` payloads of a Chat stream, `[DONE]` as the string. */
export function chatChunks(body: string): (Record<string, unknown> | string)[] {
  return sseEvents(body).map((e) =>
    e.data === '[DONE]' ? e.data : (JSON.parse(e.data) as Record<string, unknown>),
  );
}
