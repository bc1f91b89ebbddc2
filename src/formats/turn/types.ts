import type { ApiFormat } from '../../shared/api-format';
import type { NormalizedUsage } from '../../shared/usage';

/*
 * One internal shape of a turn, the hub every translation goes through: each format maps its
 * request, its response and its stream events to and from these types, so a direction (say
 * Anthropic client → Chat provider) is `anthropic.decodeRequest` then `openai-chat.encodeRequest`,
 * and back `openai-chat` stream decoder then `anthropic` stream encoder — never a twelfth special case.
 *
 * Pure data: no Buffer, no node:*. What one format cannot carry is dropped by its encoder, never
 * forged (a signature goes back only to the vendor that issued it, `Signature.vendor`).
 */

/** Who issued an opaque reasoning token; it is sent back only to the same vendor. */
export type Vendor = 'anthropic' | 'openai' | 'gemini';

/** An opaque token a vendor attached to reasoning or a tool call, to be sent back verbatim. */
export interface Signature {
  vendor: Vendor;
  value: string;
}

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image or a document: inline bytes (base64) or a URL. */
export interface MediaPart {
  type: 'image' | 'document';
  /** `image/png`, `application/pdf`… (null when a URL does not say). */
  mediaType: string | null;
  /** base64 without a `data:` prefix; or null when `url` is given. */
  data: string | null;
  url: string | null;
  /** A document's title or file name, when the source format has one. */
  name?: string;
}

/** Model reasoning. `text` may be empty when only a signature or redacted data came. */
export interface ThinkingPart {
  type: 'thinking';
  text: string;
  signature: Signature | null;
  /** Anthropic `redacted_thinking.data` / OpenAI `encrypted_content`: opaque, its vendor's only. */
  redacted: Signature | null;
}

export interface ToolCallPart {
  type: 'tool_call';
  /** The id as the source format gave it (translation maps it within target limits, reversibly). */
  id: string;
  name: string;
  /** The arguments as JSON text (`{}` when none). */
  arguments: string;
  /** Gemini's `thoughtSignature` on a functionCall part, re-attached on the next turn. */
  signature: Signature | null;
}

export interface ToolResultPart {
  type: 'tool_result';
  callId: string;
  /** The tool's name when the source format carries it (Gemini needs it; Chat does not). */
  name: string | null;
  /** Text and media, in order: images stay native media, never base64 text. */
  content: (TextPart | MediaPart)[];
  isError: boolean;
}

export type Part = TextPart | MediaPart | ThinkingPart | ToolCallPart | ToolResultPart;

/** One message of the history; tool results travel in `user` messages (Anthropic's convention). */
export interface TurnMessage {
  role: 'user' | 'assistant';
  parts: Part[];
}

export interface ToolDefinition {
  name: string;
  /**
   * `custom`: a Responses freeform tool (Codex's `apply_patch`), carried elsewhere as a function
   * taking one string argument `input`; absent means a plain function.
   */
  kind?: 'function' | 'custom';
  description: string | null;
  /** JSON Schema of the arguments, as the client sent it (each encoder cleans it for its target). */
  parameters: Record<string, unknown>;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'any' } // must call some tool (Chat/Responses `required`, Gemini `ANY`)
  | { type: 'none' }
  | { type: 'tool'; name: string };

/** A request, format-neutral. Absent (null/undefined) fields are not sent. */
export interface TurnRequest {
  model: string | null;
  /** System / developer instructions, in order (every source's parts, hoisted from wherever they stood). */
  system: string[];
  messages: TurnMessage[];
  tools: ToolDefinition[];
  toolChoice: ToolChoice | null;
  /** Whether parallel tool calls are allowed (null: the target's default). */
  parallelToolCalls: boolean | null;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  topK: number | null;
  stop: string[];
  stream: boolean;
  /** Reasoning asked for: a token budget (Anthropic, Gemini) and/or an effort (OpenAI). */
  reasoning: { budgetTokens: number | null; effort: 'minimal' | 'low' | 'medium' | 'high' | null } | null;
  /** The end user / session id when the client sends one (Anthropic `metadata.user_id`, OpenAI `user`). */
  user: string | null;
  /**
   * Responses state a pure codec cannot translate: `previous_response_id` names history the request
   * does not carry, `store: true` asks the server to keep it. Surfaced so the proxy can serve or refuse
   * them; absent (undefined) in every other format.
   */
  previousResponseId?: string | null;
  store?: boolean | null;
  /**
   * Chat clients: the request asked `stream_options.include_usage`, so the Chat stream encoder ends
   * with a usage chunk (`choices: []`). Absent: false.
   */
  includeUsage?: boolean;
}

/** Why a turn ended, in one vocabulary (each format maps its own both ways). */
export type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'refusal' // a content filter or a refusal
  | 'pause_turn'
  | 'context_window_exceeded'
  | 'error';

/** A complete (non-streaming) answer. */
export interface TurnResponse {
  id: string | null;
  model: string | null;
  parts: Part[];
  stopReason: StopReason | null;
  /** The stop sequence that ended it, when one did. */
  stopSequence: string | null;
  usage: NormalizedUsage | null;
}

/**
 * One step of a streamed answer. A decoder turns a format's events into these; an encoder turns
 * them into the target format's event grammar (it opens and closes blocks itself). Indices are the
 * decoder's: the content position in the answer (Anthropic block index, Chat tool-call index + 1…);
 * an encoder renumbers as its format needs.
 */
export type TurnEvent =
  | { type: 'start'; id: string | null; model: string | null; usage: NormalizedUsage | null }
  | { type: 'text'; index: number; text: string }
  | { type: 'thinking'; index: number; text: string }
  | { type: 'thinking_signature'; index: number; signature: Signature }
  | { type: 'redacted_thinking'; index: number; data: Signature }
  | { type: 'tool_call_start'; index: number; id: string; name: string; signature: Signature | null }
  | { type: 'tool_call_delta'; index: number; arguments: string }
  /** A content block is complete (encoders may close it now; they must also close at finish). */
  | { type: 'block_end'; index: number }
  | { type: 'usage'; usage: NormalizedUsage }
  | { type: 'finish'; reason: StopReason; stopSequence: string | null }
  /** An error inside the stream; `status` is the HTTP status its type names, when it names one. */
  | { type: 'error'; status: number | null; errorType: string | null; message: string };

/** A stateful reader of one response stream in a format: one instance per response. */
export interface TurnStreamDecoder {
  /** One dispatched SSE event (its `event:` name and data), or one JSON-array element (event undefined). */
  event(event: string | undefined, data: string): TurnEvent[];
  /** The upstream ended: whatever the decoder still owes (e.g. a finish it inferred). */
  end(): TurnEvent[];
}

/** A stateful writer of one response stream in a format: one instance per response. */
export interface TurnStreamEncoder {
  /** The frames (complete SSE events, or JSON-array pieces) for these events, as text. */
  push(events: readonly TurnEvent[]): string;
  /** The end of the stream: closing events and terminators the grammar requires (never twice). */
  end(): string;
}

/** What translation knows about one format, beside its FormatAdapter. */
export interface TurnCodec {
  readonly format: ApiFormat;
  decodeRequest(json: Readonly<Record<string, unknown>>, urlModel: string | null): TurnRequest;
  /** The body to send a provider of this format; `model` is the upstream model already mapped. */
  encodeRequest(turn: TurnRequest, options: EncodeOptions): Record<string, unknown>;
  decodeResponse(json: Readonly<Record<string, unknown>>): TurnResponse;
  encodeResponse(response: TurnResponse, request: TurnRequest): Record<string, unknown>;
  createStreamDecoder(): TurnStreamDecoder;
  createStreamEncoder(request: TurnRequest, options?: StreamEncoderOptions): TurnStreamEncoder;
}

/** How a stream encoder frames its output, for formats that have more than one framing. */
export interface StreamEncoderOptions {
  /** Gemini: `sse` (`alt=sse`, the default) or `json-array` (a stream without `alt=sse`). Others ignore it. */
  framing?: 'sse' | 'json-array';
}

/** What a target provider accepts, for the request encoder. */
export interface EncodeOptions {
  /** Clamp max output tokens to this (the provider's `maxOutputTokens`), when set. */
  maxOutputTokens: number | null;
  /** Send reasoning text back on assistant tool turns (DeepSeek requires it; Kimi rejects it). */
  replayReasoning: boolean;
}
