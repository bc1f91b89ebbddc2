import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import OpenAI from 'openai';
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { adapterFor, type StreamFacts } from '../../src/formats';
import { createSseDecoder } from '../../src/main/proxy/stages/sse-decode';
import type { ApiFormat } from '../../src/shared/api-format';
import type { NormalizedUsage, UsageRow } from '../../src/shared/usage';
import { FakeUpstream, type FakeReply, type RecordedRequest } from './fake-upstream';
import { fixtures, type Fixture } from './fixtures';
import { startSluice, type TestSluice } from './sluice';

/**
 * Translation test rig: one wire format per provider (`chat`, `responses`, `messages`, `gemini`), a
 * loopback fake upstream answering in that format, a Sluice whose only provider speaks it, and the
 * official SDK of every other format as the client, each read into one format-neutral view.
 */

export type Wire = 'chat' | 'responses' | 'messages' | 'gemini';
export const WIRES: readonly Wire[] = ['chat', 'responses', 'messages', 'gemini'];

export const API_FORMAT: Record<Wire, ApiFormat> = {
  chat: 'openai-chat',
  responses: 'openai-responses',
  messages: 'anthropic',
  gemini: 'gemini',
};
const KIND: Record<Wire, 'openai' | 'anthropic' | 'gemini'> = {
  chat: 'openai',
  responses: 'openai',
  messages: 'anthropic',
  gemini: 'gemini',
};
export const FOLDER: Record<Wire, Fixture['folder']> = {
  chat: 'openai_chat',
  responses: 'responses',
  messages: 'anthropic',
  gemini: 'gemini',
};

/** The model every client asks for, and what the provider's `models` map turns it into. */
export const CLIENT_MODEL = 'client-model';
export const UPSTREAM_MODEL = 'up-model';

/** The credentials each client SDK sends; none of them may reach a provider of another format. */
export const CLIENT_SECRETS = ['sk-client-secret', 'sk-ant-client-secret', 'goog-client-secret'];

/** The provider's own key for a wire. */
export const providerKey = (wire: Wire): string => `key-${wire}-provider`;

/** A provider entry of `wire` at `url`, in that vendor's baseUrl convention. */
export function providerOf(
  wire: Wire,
  url: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  const kind = KIND[wire];
  return {
    id: `p-${wire}`,
    kind,
    baseUrl: kind === 'openai' ? `${url}/v1` : url,
    apiKey: providerKey(wire),
    formats: [wire],
    models: { [CLIENT_MODEL]: UPSTREAM_MODEL },
    ...over,
  };
}

/** The path (and query) a provider of `wire` is sent under its base URL. */
export function upstreamPath(wire: Wire, stream: boolean, model = UPSTREAM_MODEL): string {
  switch (wire) {
    case 'chat':
      return '/v1/chat/completions';
    case 'responses':
      return '/v1/responses';
    case 'messages':
      return '/v1/messages';
    case 'gemini':
      return stream
        ? `/v1beta/models/${model}:streamGenerateContent?alt=sse`
        : `/v1beta/models/${model}:generateContent`;
  }
}

/** Whether the fake upstream was asked for a stream. */
export function wantsStream(rec: RecordedRequest): boolean {
  if (rec.url.includes(':streamGenerateContent')) return true;
  if (rec.url.includes(':generateContent')) return false;
  return (rec.json as { stream?: unknown } | null)?.stream === true;
}

/** A reply of SSE bytes. */
export const sseReply = (body: string | Buffer, status = 200): FakeReply => ({
  status,
  headers: { 'content-type': 'text/event-stream' },
  chunks: [body],
});

/** A reply of one JSON body. */
export const jsonReply = (body: unknown, status = 200): FakeReply => ({
  status,
  headers: { 'content-type': 'application/json' },
  chunks: [typeof body === 'string' ? body : JSON.stringify(body)],
});

/** One provider wire: its fake upstream and a Sluice whose only provider speaks that wire. */
export interface Foreign {
  wire: Wire;
  up: FakeUpstream;
  sluice: TestSluice;
  /** Answers the next requests: `stream` for a streaming request, `whole` for the others. */
  answer(a: { stream?: string | Buffer; whole?: unknown }): void;
  close(): Promise<void>;
}

/**
 * Registers the hooks of the enclosing describe block for `startForeign(wire)`: started once, provider
 * health reset before each test (an error answer must not open the circuit for the next), closed after.
 */
export function useForeign(wire: Wire, over: Record<string, unknown> = {}): Foreign {
  const holder = {} as { f: Foreign };
  beforeAll(async () => {
    holder.f = await startForeign(wire, over);
  });
  afterAll(async () => {
    await holder.f.close();
  });
  beforeEach(() => {
    holder.f.sluice.app.gateway.health.reset();
  });
  return new Proxy({} as Foreign, { get: (_t, key) => holder.f[key as keyof Foreign] });
}

export async function startForeign(wire: Wire, over: Record<string, unknown> = {}): Promise<Foreign> {
  const up = await new FakeUpstream(() => jsonReply({ error: { message: 'no answer set' } }, 500)).start();
  const sluice = await startSluice({ providers: [providerOf(wire, up.url, over)] });
  return {
    wire,
    up,
    sluice,
    answer({ stream, whole }) {
      up.reply = (rec) => {
        if (wantsStream(rec)) {
          if (stream === undefined)
            return jsonReply({ error: { message: 'a stream was not expected' } }, 500);
          return sseReply(stream);
        }
        if (whole === undefined)
          return jsonReply({ error: { message: 'a whole answer was not expected' } }, 500);
        return jsonReply(whole);
      };
    },
    async close() {
      await sluice.close();
      await up.close();
    },
  };
}

/** The events an SSE body dispatches, through the gateway's own decoder. */
export function sseEvents(body: Uint8Array | string): { event: string | undefined; data: string }[] {
  const out: { event: string | undefined; data: string }[] = [];
  const decoder = createSseDecoder((event, data) => out.push({ event, data }));
  decoder.push(typeof body === 'string' ? new TextEncoder().encode(body) : body);
  decoder.end();
  return out;
}

/** What a format's own observer learns from an SSE body (the facts a translation must keep). */
export function observe(format: ApiFormat, body: Uint8Array | string): StreamFacts {
  const observer = adapterFor(format).createObserver();
  for (const e of sseEvents(body)) observer.observeEvent(e.event, e.data);
  return observer.facts;
}

/** The recorded fixture `name` of `wire`'s folder. */
export function fixture(wire: Wire, name: string): Fixture {
  const found = fixtures(FOLDER[wire]).find((f) => f.name === name);
  if (found === undefined) throw new Error(`no fixture ${wire}/${name}`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// What a client saw, whatever its format.

export interface ClientCall {
  id: string | null;
  name: string;
  args: unknown;
}

export interface ClientView {
  text: string;
  thinking: string;
  calls: ClientCall[];
  /** The client format's own stop word (Anthropic stop_reason, Chat finish_reason, Responses status, Gemini finishReason). */
  stop: string | null;
  /** The client format's own usage object. */
  usage: Record<string, unknown> | null;
  /** Text deltas seen before an error (streams). */
  streamedText: string;
}

const parseArgs = (s: string): unknown => JSON.parse(s.length > 0 ? s : '{}') as unknown;

const WEATHER_SCHEMA: { type: 'object'; [k: string]: unknown } = {
  type: 'object',
  properties: { location: { type: 'string', description: 'City name' } },
  required: ['location'],
  additionalProperties: false,
};

/** Each client's SDK with its own credentials and one vendor-only header beside them. */
export function anthropicClient(url: string, headers: Record<string, string> = {}): Anthropic {
  return new Anthropic({
    baseURL: url,
    apiKey: 'sk-ant-client-secret',
    maxRetries: 0,
    defaultHeaders: { 'anthropic-beta': 'interleaved-thinking-2025-05-14', ...headers },
  });
}
export function openAiClient(url: string, headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({
    baseURL: `${url}/v1`,
    apiKey: 'sk-client-secret',
    maxRetries: 0,
    defaultHeaders: { 'openai-beta': 'assistants=v2', ...headers },
  });
}
export function geminiClient(url: string, headers: Record<string, string> = {}): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: 'goog-client-secret',
    httpOptions: { baseUrl: url, headers: { 'x-goog-user-project': 'client-project', ...headers } },
  });
}

/** A Claude Code-like request: system blocks, a tool, thinking on. */
export function anthropicParams(): Anthropic.MessageCreateParamsNonStreaming {
  return {
    model: CLIENT_MODEL,
    max_tokens: 4096,
    system: [
      { type: 'text', text: 'You are a coding agent.' },
      { type: 'text', text: 'Answer briefly.' },
    ],
    thinking: { type: 'enabled', budget_tokens: 1024 },
    tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: WEATHER_SCHEMA }],
    messages: [{ role: 'user', content: 'What is the weather in Paris and Oslo?' }],
  };
}

const chatTools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'Weather of a city', parameters: WEATHER_SCHEMA },
  },
];
const chatMessages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are a coding agent.' },
  { role: 'user', content: 'What is the weather in Paris and Oslo?' },
];
const responsesTools: OpenAI.Responses.Tool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: WEATHER_SCHEMA,
    strict: false,
  },
];
const geminiTools = [
  {
    functionDeclarations: [
      {
        name: 'get_weather',
        description: 'Weather of a city',
        parametersJsonSchema: WEATHER_SCHEMA,
      },
    ],
  },
];

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Runs `client` wire's SDK against Sluice at `url` and reads what it got. Rejects as the SDK does. */
export async function runClient(client: Wire, url: string, stream: boolean): Promise<ClientView> {
  switch (client) {
    case 'messages':
      return runAnthropic(url, stream);
    case 'chat':
      return runChat(url, stream);
    case 'responses':
      return runResponses(url, stream);
    case 'gemini':
      return runGemini(url, stream);
  }
}

/** Anthropic's Message → view. */
export function anthropicView(m: Anthropic.Message, streamedText = ''): ClientView {
  return {
    text: m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(''),
    thinking: m.content.flatMap((b) => (b.type === 'thinking' ? [b.thinking] : [])).join(''),
    calls: m.content.flatMap((b) =>
      b.type === 'tool_use' ? [{ id: b.id, name: b.name, args: b.input }] : [],
    ),
    stop: m.stop_reason,
    usage: m.usage as unknown as Record<string, unknown>,
    streamedText,
  };
}

async function runAnthropic(url: string, stream: boolean): Promise<ClientView> {
  const client = anthropicClient(url);
  if (!stream) return anthropicView(await client.messages.create(anthropicParams()));
  const s = client.messages.stream(anthropicParams());
  let streamed = '';
  s.on('text', (delta) => {
    streamed += delta;
  });
  try {
    return anthropicView(await s.finalMessage(), streamed);
  } catch (e) {
    throw Object.assign(e instanceof Error ? e : new Error(errorText(e)), { streamedText: streamed });
  }
}

function chatView(
  c: OpenAI.Chat.Completions.ChatCompletion,
  thinking: string,
  streamedText = '',
): ClientView {
  const choice = c.choices[0]!;
  const message = choice.message;
  return {
    text: message.content ?? '',
    thinking,
    calls: (message.tool_calls ?? []).flatMap((t) =>
      t.type === 'function'
        ? [{ id: t.id, name: t.function.name, args: parseArgs(t.function.arguments) }]
        : [],
    ),
    stop: choice.finish_reason,
    usage: (c.usage ?? null) as unknown as Record<string, unknown> | null,
    streamedText,
  };
}

/** DeepSeek-style `reasoning_content` of a Chat message or delta (not in the SDK's types). */
function reasoningOf(m: unknown): string {
  const r = (m as { reasoning_content?: unknown } | undefined)?.reasoning_content;
  return typeof r === 'string' ? r : '';
}

async function runChat(url: string, stream: boolean): Promise<ClientView> {
  const client = openAiClient(url);
  const params = { model: CLIENT_MODEL, messages: chatMessages, tools: chatTools, max_tokens: 4096 };
  if (!stream) {
    const c = await client.chat.completions.create(params);
    return chatView(c, reasoningOf(c.choices[0]?.message));
  }
  const s = client.chat.completions.stream({ ...params, stream_options: { include_usage: true } });
  let thinking = '';
  let streamed = '';
  s.on('chunk', (chunk) => {
    const delta = chunk.choices[0]?.delta;
    thinking += reasoningOf(delta);
    streamed += delta?.content ?? '';
  });
  try {
    return chatView(await s.finalChatCompletion(), thinking, streamed);
  } catch (e) {
    throw Object.assign(e instanceof Error ? e : new Error(errorText(e)), { streamedText: streamed });
  }
}

function responsesView(r: OpenAI.Responses.Response, streamedText = ''): ClientView {
  let text = '';
  let thinking = '';
  const calls: ClientCall[] = [];
  for (const item of r.output) {
    if (item.type === 'message') {
      for (const part of item.content) if (part.type === 'output_text') text += part.text;
    } else if (item.type === 'reasoning') {
      for (const s of item.summary) thinking += s.text;
    } else if (item.type === 'function_call') {
      calls.push({ id: item.call_id, name: item.name, args: parseArgs(item.arguments) });
    }
  }
  return {
    text,
    thinking,
    calls,
    stop: r.status ?? null,
    usage: (r.usage ?? null) as unknown as Record<string, unknown> | null,
    streamedText,
  };
}

async function runResponses(url: string, stream: boolean): Promise<ClientView> {
  const client = openAiClient(url);
  const params = {
    model: CLIENT_MODEL,
    instructions: 'You are a coding agent.',
    input: 'What is the weather in Paris and Oslo?',
    tools: responsesTools,
    max_output_tokens: 4096,
  };
  if (!stream) return responsesView(await client.responses.create(params));
  const s = client.responses.stream(params);
  let streamed = '';
  // The helper's final snapshot is updated by response.completed only: an incomplete or failed turn's
  // status, usage and error are in its own terminal event. The openai SDK yields Responses `error`
  // events rather than raising them (it raises only for a payload with an `error` member), so a failed
  // turn is what Codex reads it as: an `error` event or `response.failed`, raised here.
  let end: OpenAI.Responses.Response | null = null;
  let failure: string | null = null;
  try {
    for await (const e of s) {
      if (e.type === 'response.output_text.delta') streamed += e.delta;
      else if (e.type === 'response.incomplete' || e.type === 'response.failed') end = e.response;
      else if (e.type === 'error') failure ??= e.message;
    }
    const final = end;
    if (failure !== null || final?.status === 'failed')
      throw new Error(`Responses stream failed: ${failure ?? final?.error?.message ?? 'no message'}`);
    const view = responsesView(await s.finalResponse(), streamed);
    if (final === null) return view;
    return {
      ...view,
      stop: final.status ?? null,
      usage: (final.usage ?? null) as unknown as Record<string, unknown> | null,
    };
  } catch (e) {
    throw Object.assign(e instanceof Error ? e : new Error(errorText(e)), { streamedText: streamed });
  }
}

function geminiAccumulate(chunks: GenerateContentResponse[]): ClientView {
  let text = '';
  let thinking = '';
  const calls: ClientCall[] = [];
  let stop: string | null = null;
  let usage: Record<string, unknown> | null = null;
  for (const chunk of chunks) {
    const cand = chunk.candidates?.[0];
    for (const part of cand?.content?.parts ?? []) {
      if (typeof part.text === 'string') {
        if (part.thought === true) thinking += part.text;
        else text += part.text;
      }
      if (part.functionCall !== undefined)
        calls.push({
          id: part.functionCall.id ?? null,
          name: part.functionCall.name ?? '',
          args: part.functionCall.args ?? {},
        });
    }
    if (cand?.finishReason !== undefined) stop = cand.finishReason;
    if (chunk.usageMetadata !== undefined) usage = chunk.usageMetadata as Record<string, unknown>;
  }
  return { text, thinking, calls, stop, usage, streamedText: text };
}

async function runGemini(url: string, stream: boolean): Promise<ClientView> {
  const ai = geminiClient(url);
  const params = {
    model: CLIENT_MODEL,
    contents: 'What is the weather in Paris and Oslo?',
    config: {
      systemInstruction: 'You are a coding agent.',
      tools: geminiTools,
      maxOutputTokens: 4096,
      thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 },
    },
  };
  if (!stream) return geminiAccumulate([await ai.models.generateContent(params)]);
  const chunks: GenerateContentResponse[] = [];
  try {
    for await (const chunk of await ai.models.generateContentStream(params)) chunks.push(chunk);
  } catch (e) {
    throw Object.assign(e instanceof Error ? e : new Error(errorText(e)), {
      streamedText: geminiAccumulate(chunks).text,
    });
  }
  return geminiAccumulate(chunks);
}

// ---------------------------------------------------------------------------------------------
// Expectations in each client's convention.

/** What kind of end a turn had, vendor-neutral. */
export type StopKind = 'end' | 'tool' | 'max';

/** The stop a source stream's facts stand for: any tool call makes it a tool stop. */
export function stopKindOf(facts: StreamFacts): StopKind {
  if (facts.toolCalls.length > 0) return 'tool';
  const r = facts.finishReason;
  if (r === 'max_tokens' || r === 'length' || r === 'MAX_TOKENS' || r === 'max_output_tokens') return 'max';
  return 'end';
}

/** The client format's own word for a stop kind. */
export function clientStop(client: Wire, kind: StopKind): string {
  switch (client) {
    case 'messages':
      return { end: 'end_turn', tool: 'tool_use', max: 'max_tokens' }[kind];
    case 'chat':
      return { end: 'stop', tool: 'tool_calls', max: 'length' }[kind];
    case 'responses':
      return kind === 'max' ? 'incomplete' : 'completed';
    case 'gemini':
      return kind === 'max' ? 'MAX_TOKENS' : 'STOP';
  }
}

/**
 * Normalised usage (input never counting cached tokens) as the client's format reports it: Anthropic
 * keeps cached tokens apart; OpenAI and Gemini count them inside the input total; Gemini keeps thoughts
 * beside the candidates.
 */
export function clientUsage(client: Wire, u: NormalizedUsage): Record<string, unknown> {
  const input = u.inputTokens ?? 0;
  const cacheRead = u.cacheReadTokens ?? 0;
  const cacheWrite = u.cacheWriteTokens ?? 0;
  const output = u.outputTokens ?? 0;
  const reasoning = u.reasoningTokens ?? 0;
  const allInput = input + cacheRead + cacheWrite;
  switch (client) {
    case 'messages':
      return {
        input_tokens: input,
        output_tokens: output,
        ...(cacheRead > 0 ? { cache_read_input_tokens: cacheRead } : {}),
        ...(cacheWrite > 0 ? { cache_creation_input_tokens: cacheWrite } : {}),
      };
    case 'chat':
      return {
        prompt_tokens: allInput,
        completion_tokens: output,
        total_tokens: allInput + output,
        ...(cacheRead > 0 ? { prompt_tokens_details: { cached_tokens: cacheRead } } : {}),
        ...(reasoning > 0 ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {}),
      };
    case 'responses':
      return {
        input_tokens: allInput,
        output_tokens: output,
        total_tokens: allInput + output,
        ...(cacheRead > 0 ? { input_tokens_details: { cached_tokens: cacheRead } } : {}),
        ...(reasoning > 0 ? { output_tokens_details: { reasoning_tokens: reasoning } } : {}),
      };
    case 'gemini':
      return {
        promptTokenCount: allInput,
        candidatesTokenCount: output - reasoning,
        ...(cacheRead > 0 ? { cachedContentTokenCount: cacheRead } : {}),
        ...(reasoning > 0 ? { thoughtsTokenCount: reasoning } : {}),
      };
  }
}

/** The usage row's token columns for a normalised usage (null reported as 0 is not a change). */
export function rowTokens(u: NormalizedUsage): Partial<UsageRow> {
  return {
    inputTokens: u.inputTokens,
    outputTokens: u.outputTokens,
    cacheReadTokens: u.cacheReadTokens,
  };
}

/** The ids of every request Sluice has on record so far. */
export function knownIds(sluice: TestSluice): Set<string> {
  sluice.app.flushUsage();
  return new Set(sluice.app.repo.listRequests({ limit: 1000 }).map((r) => r.requestId));
}

/** The finished usage row of the one request not in `before`. */
export function rowAfter(sluice: TestSluice, before: Set<string>): Promise<UsageRow> {
  return sluice.row((r) => !before.has(r.requestId));
}

// ---------------------------------------------------------------------------------------------
// Whole (non-streaming) answers, one scenario in every provider format.

/**
 * A turn with reasoning, text and two parallel tool calls, and usage with cache reads: normalised,
 * input 20 uncached + 80 cached, output 30 of which 10 reasoning.
 */
export const TOOL_TURN = {
  thinking: 'Two cities, so two calls.',
  text: 'Checking both cities.',
  calls: [
    { id: 'call_w1', name: 'get_weather', args: { location: 'Paris' } },
    { id: 'call_w2', name: 'get_weather', args: { location: 'Oslo' } },
  ],
  usage: { input: 20, cacheRead: 80, output: 30, reasoning: 10 },
};

/** A plain text turn: input 7, output 5. */
export const TEXT_TURN = { text: 'Bonjour, le monde: déjà vu ✓', usage: { input: 7, output: 5 } };

export function wholeToolTurn(wire: Wire): Record<string, unknown> {
  const t = TOOL_TURN;
  const u = t.usage;
  switch (wire) {
    case 'chat':
      return {
        id: 'chatcmpl-w',
        object: 'chat.completion',
        created: 1,
        model: UPSTREAM_MODEL,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: t.text,
              reasoning_content: t.thinking,
              tool_calls: t.calls.map((c) => ({
                id: c.id,
                type: 'function',
                function: { name: c.name, arguments: JSON.stringify(c.args) },
              })),
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: {
          prompt_tokens: u.input + u.cacheRead,
          completion_tokens: u.output,
          total_tokens: u.input + u.cacheRead + u.output,
          prompt_tokens_details: { cached_tokens: u.cacheRead },
          completion_tokens_details: { reasoning_tokens: u.reasoning },
        },
      };
    case 'responses':
      return {
        id: 'resp_w',
        object: 'response',
        created_at: 1,
        status: 'completed',
        model: UPSTREAM_MODEL,
        error: null,
        incomplete_details: null,
        output: [
          { id: 'rs_w', type: 'reasoning', summary: [{ type: 'summary_text', text: t.thinking }] },
          {
            id: 'msg_w',
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: t.text, annotations: [] }],
          },
          ...t.calls.map((c, i) => ({
            id: `fc_w${i}`,
            type: 'function_call',
            status: 'completed',
            call_id: c.id,
            name: c.name,
            arguments: JSON.stringify(c.args),
          })),
        ],
        usage: {
          input_tokens: u.input + u.cacheRead,
          input_tokens_details: { cached_tokens: u.cacheRead },
          output_tokens: u.output,
          output_tokens_details: { reasoning_tokens: u.reasoning },
          total_tokens: u.input + u.cacheRead + u.output,
        },
      };
    case 'messages':
      return {
        id: 'msg_w',
        type: 'message',
        role: 'assistant',
        model: UPSTREAM_MODEL,
        content: [
          { type: 'thinking', thinking: t.thinking, signature: 'c2lnbmF0dXJl' },
          { type: 'text', text: t.text },
          ...t.calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.args })),
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: {
          input_tokens: u.input,
          cache_read_input_tokens: u.cacheRead,
          cache_creation_input_tokens: 0,
          output_tokens: u.output,
        },
      };
    case 'gemini':
      return {
        candidates: [
          {
            index: 0,
            content: {
              role: 'model',
              parts: [
                { text: t.thinking, thought: true },
                { text: t.text },
                ...t.calls.map((c) => ({ functionCall: { name: c.name, args: c.args } })),
              ],
            },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: {
          promptTokenCount: u.input + u.cacheRead,
          cachedContentTokenCount: u.cacheRead,
          candidatesTokenCount: u.output - u.reasoning,
          thoughtsTokenCount: u.reasoning,
          totalTokenCount: u.input + u.cacheRead + u.output,
        },
        modelVersion: UPSTREAM_MODEL,
        responseId: 'resp-w',
      };
  }
}

/** The normalised usage of `wholeToolTurn(wire)` (Anthropic reports no reasoning count). */
export function toolTurnUsage(wire: Wire): NormalizedUsage {
  const u = TOOL_TURN.usage;
  return {
    inputTokens: u.input,
    cacheReadTokens: u.cacheRead,
    cacheWriteTokens: wire === 'messages' ? 0 : null,
    cacheWrite5mTokens: null,
    cacheWrite1hTokens: null,
    outputTokens: u.output,
    reasoningTokens: wire === 'messages' ? null : u.reasoning,
  };
}

export function wholeTextTurn(wire: Wire): Record<string, unknown> {
  const { text, usage: u } = TEXT_TURN;
  switch (wire) {
    case 'chat':
      return {
        id: 'chatcmpl-t',
        object: 'chat.completion',
        created: 1,
        model: UPSTREAM_MODEL,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output },
      };
    case 'responses':
      return {
        id: 'resp_t',
        object: 'response',
        created_at: 1,
        status: 'completed',
        model: UPSTREAM_MODEL,
        error: null,
        incomplete_details: null,
        output: [
          {
            id: 'msg_t',
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ],
        usage: {
          input_tokens: u.input,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: u.output,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: u.input + u.output,
        },
      };
    case 'messages':
      return {
        id: 'msg_t',
        type: 'message',
        role: 'assistant',
        model: UPSTREAM_MODEL,
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: u.input, output_tokens: u.output },
      };
    case 'gemini':
      return {
        candidates: [{ index: 0, content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }],
        usageMetadata: {
          promptTokenCount: u.input,
          candidatesTokenCount: u.output,
          totalTokenCount: u.input + u.output,
        },
        modelVersion: UPSTREAM_MODEL,
        responseId: 'resp-t',
      };
  }
}

/**
 * A recorded stream of `wire` cut right after its first text event (every event it needs before that
 * kept, terminal ones not reached), and the text it carried: a realistic start for a stream that then fails.
 */
export function recordedHead(wire: Wire): { head: string; text: string } {
  const name = {
    chat: 'gpt-4.1-nano-text-include-usage',
    responses: 'gpt-4o-text',
    messages: 'claude-haiku-4.5-text-emoji',
    gemini: 'gemini-2.0-flash-text-degree-sign',
  }[wire];
  const frames = fixture(wire, name)
    .sse.toString('utf8')
    .split(/(?<=\r\n\r\n|\n\n)/);
  let head = '';
  for (const frame of frames) {
    head += frame;
    const facts = observe(API_FORMAT[wire], head);
    if (facts.text.length > 0) return { head, text: facts.text };
  }
  throw new Error(`no text in ${wire}/${name}`);
}

// ---------------------------------------------------------------------------------------------
// A DeepSeek-style Chat stream: reasoning_content, text, then a tool call, usage with cache hits.

const chatChunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-ds',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'deepseek-chat',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;

/** Chat stream: reasoning, `text`, one tool call (arguments in two deltas), then usage (prompt 120 of which 100 cached, completion 40 of which 15 reasoning). */
export function deepSeekStream(text = 'Let me look that up.'): string {
  return (
    chatChunk({ role: 'assistant', content: null, reasoning_content: '' }) +
    chatChunk({ reasoning_content: 'The user wants ' }) +
    chatChunk({ reasoning_content: 'the weather.' }) +
    chatChunk({ content: text.slice(0, 7) }) +
    chatChunk({ content: text.slice(7) }) +
    chatChunk({
      tool_calls: [
        {
          index: 0,
          id: 'call_ds_0001',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"location":' },
        },
      ],
    }) +
    chatChunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }) +
    chatChunk({}, 'tool_calls') +
    `data: ${JSON.stringify({
      id: 'chatcmpl-ds',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'deepseek-chat',
      choices: [],
      usage: {
        prompt_tokens: 120,
        completion_tokens: 40,
        total_tokens: 160,
        prompt_tokens_details: { cached_tokens: 100 },
        completion_tokens_details: { reasoning_tokens: 15 },
        prompt_cache_hit_tokens: 100,
        prompt_cache_miss_tokens: 20,
      },
    })}\n\n` +
    'data: [DONE]\n\n'
  );
}
