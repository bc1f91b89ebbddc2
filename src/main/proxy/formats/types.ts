import type { ApiFormat } from '../../../shared/api-format';
import type { ErrorCode } from '../../../shared/errors';
import type { NormalizedUsage } from '../../../shared/usage';

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
  toolCalls: ToolCallFacts[];
  /** Last finish/stop reason seen (`stop`, `end_turn`, `STOP`, `completed`…). */
  finishReason: string | null;
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
}

/** Cheap classification of one event, returned by `observe`, used by the prefetch gate. */
export type EventKind = 'content' | 'terminal' | 'error' | 'other';

/** Reads the events of one response into `facts`. One instance per response. */
export interface StreamObserver {
  readonly facts: StreamFacts;
  /** One dispatched SSE event: its `event:` name (undefined when none) and `data`. */
  observeEvent(event: string | undefined, data: string): EventKind;
  /** One whole JSON value: a non-streaming body, or one element of Gemini's JSON-array stream. */
  observeJson(value: unknown): EventKind;
}

/** Everything Sluice knows about one wire format. Adding a format = one file + one registry line. */
export interface FormatAdapter {
  readonly format: ApiFormat;
  createObserver(): StreamObserver;
  /** A JSON error body in this format, as its official SDK parses it (status is the HTTP status). */
  errorBody(status: number, code: ErrorCode, message: string): string;
  /** A complete SSE frame (ending in a blank line) that this format's SDK raises as an error mid-stream. */
  errorEvent(status: number, code: ErrorCode, message: string): string;
}
