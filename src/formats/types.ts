import type { ApiFormat, RouteMatch } from '../shared/api-format';
import type { ErrorCode } from '../shared/errors';
import type { FailureCode } from '../shared/failure';
import type { NormalizedUsage } from '../shared/usage';
import type { BodyMode } from '../shared/usage-query';
import type { TurnCodec } from './turn/types';
import type { ConversationRef } from './common/conversation';

/** One tool call as it accumulated over the stream. */
export interface ToolCallFacts {
  /** Position in the response (OpenAI `index`, Anthropic block index, Gemini part order). */
  index: number;
  id: string | null;
  name: string | null;
  /** Concatenated argument fragments (Gemini: `JSON.stringify(args)` of the call). */
  arguments: string;
}

/** An error carried inside a response body or stream. */
export interface StreamError {
  type: string | null;
  message: string;
  /** HTTP-ish status named inside the error, when it names one (OpenAI `code`, Gemini `code`). */
  status: number | null;
}

/** What a format adapter learned from a response, accumulated event by event. */
export interface StreamFacts {
  text: string;
  thinking: string;
  /** Refusal text (Chat `delta.refusal`, Responses refusal deltas and parts): shown, never counted as output. */
  refusal: string;
  /** Responses `reasoning_text` (full reasoning from open-weight servers): shown, kept apart from `thinking`. */
  reasoningText: string;
  toolCalls: ToolCallFacts[];
  /** Tools the provider ran itself (Anthropic `server_tool_use`): shown, not the client's to answer. */
  serverToolCalls: ToolCallFacts[];
  /** Last finish/stop reason seen (`stop`, `end_turn`, `STOP`, `completed`…). */
  finishReason: string | null;
  /** Gemini: the prompt was blocked (`promptFeedback.blockReason`), else null. */
  blockReason: string | null;
  /** The format's normal terminal event was seen (`[DONE]`/finish_reason, `message_stop`, `response.completed`, finishReason). */
  terminal: boolean;
  /** Reached its normal end with no embedded error (see fixtures README). */
  completed: boolean;
  error: StreamError | null;
  /** The provider's usage object(s) as they appeared, merged where the format splits them. */
  rawUsage: Record<string, unknown> | null;
  /** Normalised: `inputTokens` excludes cached tokens in every format. */
  usage: NormalizedUsage;
  model: string | null;
  responseId: string | null;
  /** Count of events (or JSON-array elements) observed. */
  events: number;
  /** Count of content events (text, thinking or tool-call deltas). */
  contentEvents: number;
  /**
   * Events (or JSON-array elements, or a whole body) too large to read whole, read from their two ends
   * only (`proxy/oversized-event.ts`): what they held in between is missing from these facts.
   */
  partialEvents: number;
}

/** Cheap classification of one event, returned by `observe`, used by the prefetch gate. */
export type EventKind = 'content' | 'terminal' | 'error' | 'other';

/**
 * What a format's official SDK does with an event the stream ends inside (its data read, but no blank
 * line after it): `dispatch` it as if the blank line had come, `discard` it (WHATWG), or `reject` the
 * stream. Sluice reads the end of a stream exactly as the client's SDK would, no more leniently.
 */
export type PendingAtEnd = 'dispatch' | 'discard' | 'reject';

/** Reads the events of one response into `facts`. One instance per response. */
export interface StreamObserver {
  readonly facts: StreamFacts;
  /** What this format's SDK does with an event the stream ends inside. */
  readonly pendingAtEnd: PendingAtEnd;
  /**
   * The stream has ended (not cut, not abandoned): a format whose SDK takes a stream that stops short of
   * its terminal event as finished says so here (Anthropic: a stop reason, then no `message_stop`).
   */
  observeEnd(): EventKind;
  /** One dispatched SSE event: its `event:` name (undefined when none) and `data`. */
  observeEvent(event: string | undefined, data: string): EventKind;
  /** One whole JSON value: a non-streaming body, or one element of Gemini's JSON-array stream. */
  observeJson(value: unknown): EventKind;
}

/**
 * Smoothing, per format: how one upstream text-delta event becomes several smaller ones that a
 * client reassembles into the same message. Terminal fields only on the last piece, role only on
 * the first, never a piece boundary inside a grapheme cluster.
 */
export interface TextSplitter {
  /**
   * One upstream event. Returns null to send its bytes unchanged, or the frames (each a complete
   * `event:`/`data:` block ending in a blank line) to send instead, with `pieces` > 1 when a text
   * delta was split.
   */
  split(
    event: string | undefined,
    data: string,
    maxGraphemes: number,
    /** The whole frame as it came, for splitters that patch an event rather than rebuild it. */
    raw?: string,
  ): { frames: string[]; pieces: number } | null;
}

/** A second request body to send once more to the same provider after it refused the first, and why. */
export interface RequestRepair {
  json: Record<string, unknown>;
  /** The failure the refusal is recorded as (its attempt row and live event). */
  code: FailureCode;
}

/** Inbound request headers as node:http gives them (lower-case names). */
export type InboundHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Everything Sluice knows about one wire format. Adding a format = its folder under `src/formats/`
 * + one line in `src/formats/index.ts`.
 */
export interface FormatAdapter {
  readonly format: ApiFormat;
  /** The inbound route `method path` (path without query) names in this format, else null. */
  matchRoute(method: string, path: string): RouteMatch | null;
  /** Whether an unrouted request looks like this format's caller (so its 404 speaks its language). */
  claimsUnknown(path: string, headers: InboundHeaders): boolean;
  /** The headers that carry a provider's API key upstream, in this vendor's style. */
  readonly authHeaders: (apiKey: string) => Record<string, string>;
  /** Whether the request asks for a streamed answer (Gemini: by its URL; the others: the body's `stream`). */
  requestStreams(route: RouteMatch, json: Readonly<Record<string, unknown>> | null): boolean;
  /** Whether Sluice should ask the upstream for usage the client did not ask for (Chat streams only). */
  needsInjectedUsage(json: Readonly<Record<string, unknown>> | null): boolean;
  /**
   * The JSON body to send upstream when it must differ from the client's (model mapped to
   * `upstreamModel` where the body carries it, usage injected); null = send the client's bytes as they are.
   */
  rewriteBody(
    json: Readonly<Record<string, unknown>>,
    upstreamModel: string | null,
    injectUsage: boolean,
  ): string | null;
  /** How a 2xx response body is framed, from whether the request streams and the response content type. */
  bodyMode(stream: boolean, contentType: string | undefined): BodyMode;
  createObserver(): StreamObserver;
  /** A fresh text splitter for smoothing one response. */
  createTextSplitter(): TextSplitter;
  /** A JSON error body in this format, as its official SDK parses it (status is the HTTP status). */
  errorBody(status: number, code: ErrorCode, message: string): string;
  /** A complete SSE frame (ending in a blank line) that this format's SDK raises as an error mid-stream. */
  errorEvent(status: number, code: ErrorCode, message: string): string;
  /** The HTTP status an error `type` of this format stands for (e.g. `overloaded_error` → 529), if it names one. */
  statusForErrorType(type: string): number | undefined;
  /**
   * Whether an error answer says this provider does not have the model (or the route): any 404, or a
   * 400 in this vendor's "model not found / not supported" shape — so another provider may serve it.
   * An invalid request (bad JSON, a schema error) is not: it would fail everywhere.
   */
  isModelNotFound(status: number, body: string): boolean;
  /**
   * Whether an error answer says the key's quota or credit is spent (OpenAI `insufficient_quota`,
   * Anthropic's credit balance, Gemini's daily quota), not a passing rate limit: a key pool benches
   * that key and another key of the same provider may serve.
   */
  isQuotaExhausted(status: number, body: string): boolean;
  /**
   * After an error answer (`status`, `body`) to the request `json`: a repaired body worth sending once
   * more to the same provider, or null (Anthropic: thinking blocks another provider signed, removed).
   */
  repairRequest(status: number, body: string, json: Readonly<Record<string, unknown>>): RequestRepair | null;
  /**
   * Which conversation a request belongs to, for session affinity: the material its key is hashed from
   * (see common/conversation.ts), or null when the request names none and has no opening to go by.
   */
  conversation(
    json: Readonly<Record<string, unknown>> | null,
    headers: InboundHeaders,
  ): ConversationRef | null;
  /** Translation: this format's requests, answers and streams to and from the internal turn (formats/turn). */
  readonly turn: TurnCodec;
  /** Where a translated generation goes under a provider's base URL: the route and the query it needs. */
  generateRoute(stream: boolean): { route: RouteMatch; query: string };
  /** Headers a translated request to this format's API must carry (Anthropic's `anthropic-version`). */
  translatedHeaders(): Record<string, string>;
  /** This format's answer to a token count (`count_tokens` / `countTokens`), for `tokens` input tokens. */
  countTokensBody(tokens: number): string;
}
