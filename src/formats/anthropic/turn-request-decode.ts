import { asArray, asNumber, asObject, asString, type JsonObject } from '../common/json-read';
import { parseEffort } from '../turn/effort';
import { restoreToolId } from '../turn/ids';
import type {
  MediaPart,
  Part,
  TextPart,
  ToolChoice,
  ToolDefinition,
  TurnMessage,
  TurnRequest,
} from '../turn/types';
import { signatureFromWire } from './turn-signature';

/**
 * An Anthropic Messages request → TurnRequest. Dropped: `cache_control` (a relay to Anthropic is
 * byte-exact; other vendors cache by themselves), server tools and Anthropic-defined client tools
 * (`web_search_*`, `bash_*`, `text_editor_*`: no JSON Schema to give another vendor),
 * `server_tool_use` / `*_tool_result` blocks and citations. Thinking signatures keep their vendor
 * (`turn-signature.ts`); ids Sluice fitted on the way out are restored.
 */

/** An Anthropic Messages body → TurnRequest. */
export function decodeAnthropicRequest(json: Readonly<JsonObject>, urlModel: string | null): TurnRequest {
  const system: string[] = [];
  const sys = json.system;
  if (typeof sys === 'string') {
    if (sys.length > 0) system.push(sys);
  } else {
    for (const block of asArray(sys) ?? []) {
      const text = asString(asObject(block)?.text);
      if (text !== null && text.length > 0) system.push(text);
    }
  }
  const messages: TurnMessage[] = [];
  for (const raw of asArray(json.messages) ?? []) {
    const msg = asObject(raw);
    if (msg === null) continue;
    const role = msg.role === 'assistant' ? 'assistant' : 'user';
    const parts = decodeBlocks(msg.content);
    if (parts.length > 0) messages.push({ role, parts });
  }
  const tools: ToolDefinition[] = [];
  for (const raw of asArray(json.tools) ?? []) {
    const tool = asObject(raw);
    const schema = asObject(tool?.input_schema);
    const name = asString(tool?.name);
    if (tool === null || schema === null || name === null) continue; // server / Anthropic-defined tools
    tools.push({ name, description: asString(tool.description), parameters: schema });
  }
  const choice = asObject(json.tool_choice);
  const thinking = asObject(json.thinking);
  const effort = parseEffort(asObject(json.output_config)?.effort);
  let reasoning: TurnRequest['reasoning'] = null;
  if (thinking?.type === 'enabled') reasoning = { budgetTokens: asNumber(thinking.budget_tokens), effort };
  else if (thinking?.type === 'adaptive' || effort !== null) reasoning = { budgetTokens: null, effort };
  return {
    model: asString(json.model) ?? urlModel,
    system,
    messages,
    tools,
    toolChoice: decodeToolChoice(choice),
    parallelToolCalls: choice?.disable_parallel_tool_use === true ? false : null,
    maxOutputTokens: asNumber(json.max_tokens),
    temperature: asNumber(json.temperature),
    topP: asNumber(json.top_p),
    topK: asNumber(json.top_k),
    stop: (asArray(json.stop_sequences) ?? []).filter((s): s is string => typeof s === 'string'),
    stream: json.stream === true,
    reasoning,
    user: asString(asObject(json.metadata)?.user_id),
  };
}

function decodeToolChoice(choice: JsonObject | null): ToolChoice | null {
  switch (choice?.type) {
    case 'auto':
      return { type: 'auto' };
    case 'any':
      return { type: 'any' };
    case 'none':
      return { type: 'none' };
    case 'tool': {
      const name = asString(choice.name);
      return name === null ? null : { type: 'tool', name };
    }
  }
  return null;
}

/** A message's `content` (a string or blocks) → parts; a whole Message's `content` too. */
export function decodeBlocks(content: unknown): Part[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  const parts: Part[] = [];
  for (const raw of asArray(content) ?? []) {
    const block = asObject(raw);
    if (block === null) continue;
    switch (block.type) {
      case 'text': {
        const text = asString(block.text);
        if (text !== null && text.length > 0) parts.push({ type: 'text', text });
        break;
      }
      case 'image':
      case 'document': {
        const media = decodeMedia(block);
        if (media !== null) parts.push(media);
        break;
      }
      case 'thinking':
        parts.push({
          type: 'thinking',
          text: asString(block.thinking) ?? '',
          signature: signatureFromWire(asString(block.signature)),
          redacted: null,
        });
        break;
      case 'redacted_thinking':
        parts.push({
          type: 'thinking',
          text: '',
          signature: null,
          redacted: signatureFromWire(asString(block.data)),
        });
        break;
      case 'tool_use':
        parts.push({
          type: 'tool_call',
          id: restoreToolId(asString(block.id) ?? ''),
          name: asString(block.name) ?? '',
          arguments: JSON.stringify(asObject(block.input) ?? {}),
          signature: null,
        });
        break;
      case 'tool_result': {
        const inner = decodeBlocks(block.content).filter(
          (p): p is TextPart | MediaPart => p.type === 'text' || p.type === 'image' || p.type === 'document',
        );
        parts.push({
          type: 'tool_result',
          callId: restoreToolId(asString(block.tool_use_id) ?? ''),
          name: null,
          content: inner,
          isError: block.is_error === true,
        });
        break;
      }
    }
  }
  return parts;
}

/** An image or document block → a media part (a plain-text document becomes its text). */
function decodeMedia(block: JsonObject): MediaPart | TextPart | null {
  const source = asObject(block.source);
  const kind = block.type === 'image' ? 'image' : 'document';
  const title = asString(block.title);
  const named = title === null ? {} : { name: title };
  switch (source?.type) {
    case 'base64':
      return {
        type: kind,
        mediaType: asString(source.media_type),
        data: asString(source.data),
        url: null,
        ...named,
      };
    case 'url':
      return { type: kind, mediaType: null, data: null, url: asString(source.url), ...named };
    case 'text': {
      const text = asString(source.data) ?? '';
      return { type: 'text', text: title === null ? text : `${title}\n\n${text}` };
    }
  }
  return null;
}
