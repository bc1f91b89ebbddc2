import { asArray, asNumber, asObject, asString, type JsonObject } from '../common/json-read';
import { parseDataUrl } from '../turn/data-url';
import { parseEffort } from '../turn/effort';
import { restoreToolId } from '../turn/ids';
import type {
  MediaPart,
  Part,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  TurnMessage,
  TurnRequest,
} from '../turn/types';

/**
 * A Chat Completions request → TurnRequest. `system`/`developer` messages are hoisted, in order,
 * wherever they stand (Claude Code-style mid-list ones too). Reasoning replayed in `reasoning_content`
 * (or `reasoning`) becomes unsigned thinking. Consecutive `tool` messages become one user message of
 * tool results. Dropped: `n`, `response_format`, `logprobs`, audio parts, `file_id` references,
 * custom (non-function) tools.
 */

/** A Chat Completions body → TurnRequest. */
export function decodeChatRequest(json: Readonly<JsonObject>, urlModel: string | null): TurnRequest {
  const system: string[] = [];
  const messages: TurnMessage[] = [];
  for (const raw of asArray(json.messages) ?? []) {
    const msg = asObject(raw);
    if (msg === null) continue;
    switch (msg.role) {
      case 'system':
      case 'developer': {
        const text = textOf(msg.content);
        if (text.length > 0) system.push(text);
        break;
      }
      case 'user': {
        const parts = decodeUserContent(msg.content);
        if (parts.length > 0) messages.push({ role: 'user', parts });
        break;
      }
      case 'assistant': {
        const parts = decodeAssistant(msg);
        if (parts.length > 0) messages.push({ role: 'assistant', parts });
        break;
      }
      case 'tool': {
        const result: ToolResultPart = {
          type: 'tool_result',
          callId: restoreToolId(asString(msg.tool_call_id) ?? ''),
          name: asString(msg.name),
          content: decodeUserContent(msg.content).filter(
            (p): p is TextPart | MediaPart => p.type !== 'tool_result',
          ),
          isError: false,
        };
        const prev = messages.at(-1);
        // Consecutive tool messages answer one assistant turn: one user message of results.
        if (prev?.role === 'user' && prev.parts.every((p) => p.type === 'tool_result'))
          prev.parts.push(result);
        else messages.push({ role: 'user', parts: [result] });
        break;
      }
    }
  }
  const tools: ToolDefinition[] = [];
  for (const raw of asArray(json.tools) ?? []) {
    const tool = asObject(raw);
    const fn = asObject(tool?.function);
    const name = asString(fn?.name);
    if (tool?.type !== 'function' || fn === null || name === null) continue;
    tools.push({ name, description: asString(fn.description), parameters: asObject(fn.parameters) ?? {} });
  }
  const stop = json.stop;
  const effortRaw = json.reasoning_effort;
  const effort = parseEffort(effortRaw);
  return {
    model: asString(json.model) ?? urlModel,
    system,
    messages,
    tools,
    toolChoice: decodeToolChoice(json.tool_choice),
    parallelToolCalls: typeof json.parallel_tool_calls === 'boolean' ? json.parallel_tool_calls : null,
    maxOutputTokens: asNumber(json.max_completion_tokens) ?? asNumber(json.max_tokens),
    temperature: asNumber(json.temperature),
    topP: asNumber(json.top_p),
    topK: asNumber(json.top_k),
    stop:
      typeof stop === 'string'
        ? [stop]
        : (asArray(stop) ?? []).filter((s): s is string => typeof s === 'string'),
    stream: json.stream === true,
    reasoning: effort === null ? null : { budgetTokens: null, effort },
    user: asString(json.user),
    includeUsage: asObject(json.stream_options)?.include_usage === true,
  };
}

function decodeToolChoice(choice: unknown): ToolChoice | null {
  switch (choice) {
    case 'auto':
      return { type: 'auto' };
    case 'required':
      return { type: 'any' };
    case 'none':
      return { type: 'none' };
  }
  const name = asString(asObject(asObject(choice)?.function)?.name);
  return name === null ? null : { type: 'tool', name };
}

/** The text of a `content` that is a string or text parts, parts joined by a newline. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  const texts: string[] = [];
  for (const raw of asArray(content) ?? []) {
    const part = asObject(raw);
    const text = asString(part?.text) ?? asString(part?.refusal);
    if (text !== null && text.length > 0) texts.push(text);
  }
  return texts.join('\n');
}

function decodeUserContent(content: unknown): Part[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  const parts: Part[] = [];
  for (const raw of asArray(content) ?? []) {
    const part = asObject(raw);
    switch (part?.type) {
      case 'text': {
        const text = asString(part.text);
        if (text !== null && text.length > 0) parts.push({ type: 'text', text });
        break;
      }
      case 'image_url': {
        const url = asString(asObject(part.image_url)?.url) ?? asString(part.image_url);
        if (url !== null) parts.push(mediaFromUrl('image', url));
        break;
      }
      case 'file': {
        const file = asObject(part.file);
        const data = asString(file?.file_data);
        if (data === null) break; // a `file_id` names an upload only OpenAI holds
        const media = mediaFromUrl('document', data);
        const name = asString(file?.filename);
        parts.push(name === null ? media : { ...media, name });
        break;
      }
    }
  }
  return parts;
}

function mediaFromUrl(kind: MediaPart['type'], url: string): MediaPart {
  const inline = parseDataUrl(url);
  return inline === null
    ? { type: kind, mediaType: null, data: null, url }
    : { type: kind, mediaType: inline.mediaType, data: inline.data, url: null };
}

/** An assistant message (in a request's history, or a whole answer's `message`) → parts; a refusal is its text. */
export function decodeAssistant(msg: JsonObject): Part[] {
  const parts: Part[] = [];
  const reasoning = asString(msg.reasoning_content) ?? asString(msg.reasoning);
  if (reasoning !== null && reasoning.length > 0) {
    parts.push({ type: 'thinking', text: reasoning, signature: null, redacted: null });
  }
  const text = textOf(msg.content) || (asString(msg.refusal) ?? '');
  if (text.length > 0) parts.push({ type: 'text', text });
  for (const raw of asArray(msg.tool_calls) ?? []) {
    const call = asObject(raw);
    const fn = asObject(call?.function);
    if (call === null || fn === null) continue;
    parts.push({
      type: 'tool_call',
      id: restoreToolId(asString(call.id) ?? ''),
      name: asString(fn.name) ?? '',
      arguments: asString(fn.arguments) ?? '{}',
      signature: null,
    });
  }
  return parts;
}
