import type { ApiFormat } from '../../../../shared/api-format';
import { MessageBuilder, type DecodedMessage, type RawFrame } from './message-builder';
import { arr, at, obj, parseJson, str, type Json } from './json-read';

export type { DecodedMessage, DecodedToolCall, RawFrame } from './message-builder';

function errorText(v: unknown): string | null {
  const e = obj(v);
  if (e === null) return str(v);
  return str(e.message) ?? str(e.type) ?? str(e.code) ?? JSON.stringify(e);
}

function anthropicBlock(b: MessageBuilder, key: string, block: Json): void {
  const type = str(block.type);
  if (type === 'text') b.text += str(block.text) ?? '';
  else if (type === 'thinking') b.thinking += str(block.thinking) ?? '';
  else if (type === 'tool_use' || type === 'server_tool_use') {
    const input = block.input;
    const full = obj(input) !== null && Object.keys(obj(input) ?? {}).length > 0 ? JSON.stringify(input) : '';
    b.call(key, str(block.id), str(block.name), full);
  }
}

function anthropic(b: MessageBuilder, v: Json): void {
  switch (str(v.type)) {
    case 'message_start':
      b.model = str(at(v, 'message', 'model'));
      return;
    case 'content_block_start': {
      const block = obj(v.content_block);
      if (block !== null) anthropicBlock(b, String(v.index), block);
      return;
    }
    case 'content_block_delta': {
      const d = obj(v.delta);
      const t = str(d?.type);
      if (t === 'text_delta') b.text += str(d?.text) ?? '';
      else if (t === 'thinking_delta') b.thinking += str(d?.thinking) ?? '';
      else if (t === 'input_json_delta') b.call(String(v.index), null, null, str(d?.partial_json) ?? '');
      return;
    }
    case 'message_delta':
      b.stopReason = str(at(v, 'delta', 'stop_reason')) ?? b.stopReason;
      return;
    case 'error':
      b.error = errorText(v.error);
      return;
    case 'message':
      // A whole (non-streaming) message.
      b.model = str(v.model);
      b.stopReason = str(v.stop_reason);
      arr(v.content).forEach((c, i) => {
        const block = obj(c);
        if (block !== null) anthropicBlock(b, `m${i}`, block);
      });
      return;
  }
}

function openaiChat(b: MessageBuilder, v: Json): void {
  if (v.error !== undefined) b.error = errorText(v.error);
  b.model = str(v.model) ?? b.model;
  for (const choice of arr(v.choices)) {
    const c = obj(choice);
    if (c === null) continue;
    b.stopReason = str(c.finish_reason) ?? b.stopReason;
    const d = obj(c.delta) ?? obj(c.message);
    if (d === null) continue;
    b.text += str(d.content) ?? '';
    b.thinking += str(d.reasoning_content) ?? str(d.reasoning) ?? '';
    arr(d.tool_calls).forEach((tc, i) => {
      const t = obj(tc);
      if (t === null) return;
      const index = typeof t.index === 'number' ? t.index : null;
      const key = index !== null ? String(index) : c.message !== undefined ? `m${i}` : String(i);
      b.call(key, str(t.id), str(at(t, 'function', 'name')), str(at(t, 'function', 'arguments')) ?? '');
    });
  }
}

function responsesItem(b: MessageBuilder, item: Json): void {
  const type = str(item.type);
  if (type === 'message')
    for (const part of arr(item.content)) b.text += str(obj(part)?.text) ?? str(obj(part)?.refusal) ?? '';
  else if (type === 'reasoning') for (const s of arr(item.summary)) b.thinking += str(obj(s)?.text) ?? '';
  else if (type === 'function_call')
    b.call(
      str(item.id) ?? str(item.call_id) ?? '',
      str(item.call_id),
      str(item.name),
      str(item.arguments) ?? '',
    );
}

function openaiResponses(b: MessageBuilder, v: Json): void {
  const type = str(v.type);
  switch (type) {
    case 'response.output_text.delta':
    case 'response.refusal.delta':
      b.text += str(v.delta) ?? '';
      return;
    case 'response.reasoning_summary_text.delta':
    case 'response.reasoning_text.delta':
      b.thinking += str(v.delta) ?? '';
      return;
    case 'response.output_item.added': {
      const item = obj(v.item);
      if (item !== null && str(item.type) === 'function_call')
        b.call(str(item.id) ?? '', str(item.call_id), str(item.name), str(item.arguments) ?? '');
      return;
    }
    case 'response.function_call_arguments.delta':
      b.call(str(v.item_id) ?? '', null, null, str(v.delta) ?? '');
      return;
    case 'response.function_call_arguments.done':
      b.callArgs(str(v.item_id) ?? '', str(v.arguments) ?? '');
      return;
    case 'response.created':
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed': {
      const r = obj(v.response);
      b.model = str(r?.model) ?? b.model;
      if (type !== 'response.created') b.stopReason = str(r?.status) ?? b.stopReason;
      if (r?.error !== undefined && r.error !== null) b.error = errorText(r.error);
      return;
    }
    case 'error':
      b.error = str(v.message) ?? errorText(v.error);
      return;
  }
  if (str(v.object) === 'response') {
    // A whole (non-streaming) response.
    b.model = str(v.model);
    b.stopReason = str(v.status);
    for (const item of arr(v.output)) {
      const i = obj(item);
      if (i !== null) responsesItem(b, i);
    }
  } else if (v.error !== undefined && v.error !== null) b.error = errorText(v.error);
}

function gemini(b: MessageBuilder, v: Json, frameNo: number): void {
  if (v.error !== undefined) b.error = errorText(v.error);
  b.model = str(v.modelVersion) ?? b.model;
  const blocked = str(at(v, 'promptFeedback', 'blockReason'));
  if (blocked !== null) b.stopReason = `blocked: ${blocked}`;
  for (const cand of arr(v.candidates).slice(0, 1)) {
    const c = obj(cand);
    b.stopReason = str(c?.finishReason) ?? b.stopReason;
    arr(at(c, 'content', 'parts')).forEach((p, i) => {
      const part = obj(p);
      if (part === null) return;
      const text = str(part.text);
      if (text !== null) {
        if (part.thought === true) b.thinking += text;
        else b.text += text;
      }
      const fc = obj(part.functionCall);
      if (fc !== null)
        b.call(
          `${frameNo}.${i}`,
          str(fc.id),
          str(fc.name),
          fc.args === undefined ? '' : JSON.stringify(fc.args),
        );
    });
  }
}

/** Rebuilds the message from a response's frames (SSE events, JSON-array elements or one JSON body). */
export function decodeMessage(format: ApiFormat, frames: readonly RawFrame[]): DecodedMessage {
  const b = new MessageBuilder();
  frames.forEach((f, i) => {
    const v = obj(parseJson(f.data));
    if (v === null) return;
    if (format === 'anthropic') anthropic(b, v);
    else if (format === 'openai-chat') openaiChat(b, v);
    else if (format === 'openai-responses') openaiResponses(b, v);
    else gemini(b, v, i);
  });
  return b.done();
}

/** Whether a frame carries content (text, thinking or a tool call): the "first content" mark. */
export function isContentFrame(format: ApiFormat, frame: RawFrame): boolean {
  const m = decodeMessage(format, [frame]);
  return m.text !== '' || m.thinking !== '' || m.toolCalls.length > 0;
}

/** The offset of the first frame with content, or null. */
export function firstContentOffset(
  format: ApiFormat,
  frames: readonly (RawFrame & { offsetMs: number })[],
): number | null {
  for (const f of frames) if (isContentFrame(format, f)) return f.offsetMs;
  return null;
}
