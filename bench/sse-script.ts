/** How the fake upstream shapes every stream of a phase. */
export interface StreamMode {
  /** Frames per stream, the final `data: [DONE]` included (≥ 4). */
  events: number;
  /** Gap between frames after the first, ms; 0 = flat out (one write per frame, yielding in between). */
  intervalMs: number;
  /**
   * Keep sending content frames (at most `events − 3`) until the parent says `release`, then end as usual:
   * streams stay open exactly as long as a measurement needs them, however slow the machine.
   */
  hold?: boolean;
  /** The text every content delta carries (default `"hello "`); ignored by held streams. */
  text?: string;
}

/** Parent → upstream: every held stream ends at its next frame. */
export interface ReleaseMessage {
  type: 'release';
}

/** Parent → upstream: use this mode for every stream from now on; answered by `mode-ok` with the same seq. */
export interface ModeMessage {
  type: 'mode';
  seq: number;
  mode: StreamMode;
}

/** Parent → upstream: when each frame of these tagged streams was written; answered by `sent-times-ok`. */
export interface SentTimesMessage {
  type: 'sent-times';
  seq: number;
  tags: number[];
}

/** Child → parent, once it listens. */
export interface ReadyMessage {
  type: 'ready';
  port: number;
}

const HEAD = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[';

function frame(json: string): Buffer {
  return Buffer.from(`data: ${json}\n\n`);
}

/** A content delta carrying `text`. */
export function contentFrame(text: string): Buffer {
  return frame(`${HEAD}{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]}`);
}

/** The content delta every stream repeats. */
export const CONTENT_FRAME = contentFrame('hello ');

/** How a stream of `contentFrames` content deltas ends: `finish_reason: "stop"`, usage, `[DONE]`. */
export function tailFrames(contentFrames: number): Buffer[] {
  const usage = `{"prompt_tokens":12,"completion_tokens":${contentFrames},"total_tokens":${contentFrames + 12}}`;
  return [
    frame(`${HEAD}{"index":0,"delta":{},"finish_reason":"stop"}]}`),
    // The usage chunk (`choices: []`) that `stream_options.include_usage` asks for.
    frame(`${HEAD}],"usage":${usage}}`),
    Buffer.from('data: [DONE]\n\n'),
  ];
}

/** A realistic OpenAI Chat stream of `count` frames, `[DONE]` included: content deltas, then the tail. */
export function makeEvents(count: number, text?: string): Buffer[] {
  if (!Number.isInteger(count) || count < 4) throw new Error(`a stream needs ≥ 4 frames, got ${count}`);
  const content = text === undefined ? CONTENT_FRAME : contentFrame(text);
  const out: Buffer[] = [];
  for (let i = 0; i < count - 3; i++) out.push(content);
  out.push(...tailFrames(count - 3));
  return out;
}

/**
 * The request every client sends. `include_usage` is set so Sluice has nothing to inject or strip:
 * its relay is then a byte-exact passthrough, comparable with the bare proxy.
 */
export const REQUEST_BODY = JSON.stringify({
  model: 'm',
  messages: [{ role: 'user', content: 'Say hello.' }],
  stream: true,
  stream_options: { include_usage: true },
});

/** IPC guards: messages arrive as `unknown`. */
export function isModeMessage(m: unknown): m is ModeMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'mode';
}

export function isReleaseMessage(m: unknown): m is ReleaseMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'release';
}

export function isReadyMessage(m: unknown): m is ReadyMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    (m as { type?: unknown }).type === 'ready' &&
    typeof (m as { port?: unknown }).port === 'number'
  );
}

export function isSentTimesMessage(m: unknown): m is SentTimesMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    (m as { type?: unknown }).type === 'sent-times' &&
    Array.isArray((m as { tags?: unknown }).tags)
  );
}
