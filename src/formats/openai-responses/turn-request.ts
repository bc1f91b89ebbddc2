import { asArray, asNumber, asObject, asString, type JsonObject } from '../common/json-read';
import type {
  EncodeOptions,
  MediaPart,
  Part,
  TextPart,
  ToolChoice,
  ToolDefinition,
  TurnMessage,
  TurnRequest,
} from '../turn/types';
import { parseEffort } from '../turn/effort';
import { customInput, effortForBudget, inputOfCustom, mediaFromUrl, mediaToUrl } from './turn-parts';

/*
 * OpenAI Responses requests ↔ TurnRequest. `instructions` and system/developer items become `system`;
 * `input` items become messages (function calls on the assistant side, their outputs on the user side,
 * reasoning items as thinking whose `encrypted_content` is an OpenAI-only opaque token). Hosted tools
 * (web_search, file_search, mcp…) and `text.format` have no meaning elsewhere and are dropped.
 */

type Role = TurnMessage['role'];

/** Adds parts to the history, merging into the last message when it has the same role. */
function push(messages: TurnMessage[], role: Role, parts: Part[]): void {
  if (parts.length === 0) return;
  const last = messages[messages.length - 1];
  if (last !== undefined && last.role === role) last.parts.push(...parts);
  else messages.push({ role, parts });
}

/** A content part of a message or a function output (input_text, output_text, input_image, input_file…). */
function contentPart(part: JsonObject): TextPart | MediaPart | null {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: asString(part.text) ?? '' };
    case 'refusal':
      return { type: 'text', text: asString(part.refusal) ?? '' };
    case 'input_image': {
      const url = asString(part.image_url) ?? asString(asObject(part.image_url)?.url);
      return url === null ? null : mediaFromUrl('image', url, null);
    }
    case 'input_file': {
      const name = asString(part.filename);
      const data = asString(part.file_data);
      if (data !== null) {
        const media = mediaFromUrl(
          'document',
          data.startsWith('data:') ? data : `data:application/pdf;base64,${data}`,
          name,
        );
        return media;
      }
      const url = asString(part.file_url);
      return url === null ? null : mediaFromUrl('document', url, name);
    }
  }
  return null;
}

function contentParts(content: unknown): (TextPart | MediaPart)[] {
  const text = asString(content);
  if (text !== null) return [{ type: 'text', text }];
  const out: (TextPart | MediaPart)[] = [];
  for (const p of asArray(content) ?? []) {
    const part = asObject(p);
    const c = part === null ? null : contentPart(part);
    if (c !== null) out.push(c);
  }
  return out;
}

function textOf(parts: readonly (TextPart | MediaPart)[]): string {
  return parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

function decodeToolChoice(value: unknown): ToolChoice | null {
  switch (value) {
    case 'auto':
      return { type: 'auto' };
    case 'required':
      return { type: 'any' };
    case 'none':
      return { type: 'none' };
  }
  const obj = asObject(value);
  const name = asString(obj?.name);
  if (name !== null && (obj?.type === 'function' || obj?.type === 'custom')) return { type: 'tool', name };
  return null;
}

function decodeTools(value: unknown): ToolDefinition[] {
  const tools: ToolDefinition[] = [];
  for (const t of asArray(value) ?? []) {
    const tool = asObject(t);
    const name = asString(tool?.name);
    if (tool === null || name === null) continue;
    if (tool.type === 'function') {
      tools.push({
        name,
        description: asString(tool.description),
        parameters: asObject(tool.parameters) ?? { type: 'object', properties: {} },
      });
    } else if (tool.type === 'custom') {
      // A freeform tool (Codex's apply_patch): elsewhere a function of one string, `input`.
      const format = asObject(tool.format);
      const grammar = asString(format?.definition);
      tools.push({
        name,
        kind: 'custom',
        description: asString(tool.description),
        parameters: {
          type: 'object',
          properties: {
            input: {
              type: 'string',
              description:
                grammar === null
                  ? 'The raw input of the tool.'
                  : `The raw input of the tool, in this ${asString(format?.syntax) ?? ''} grammar:\n${grammar}`,
            },
          },
          required: ['input'],
        },
      });
    }
  }
  return tools;
}

/** A Responses request body as a TurnRequest (model from the body; `urlModel` is never set for Responses). */
export function decodeResponsesRequest(json: Readonly<JsonObject>, urlModel: string | null): TurnRequest {
  const system: string[] = [];
  const instructions = asString(json.instructions);
  if (instructions !== null && instructions.length > 0) system.push(instructions);
  const messages: TurnMessage[] = [];
  const names = new Map<string, string>();

  const input = asString(json.input);
  if (input !== null) push(messages, 'user', [{ type: 'text', text: input }]);
  for (const raw of asArray(json.input) ?? []) {
    const item = asObject(raw);
    if (item === null) continue;
    const type = asString(item.type) ?? (item.role !== undefined ? 'message' : null);
    switch (type) {
      case 'message': {
        const role = asString(item.role);
        const parts = contentParts(item.content);
        if (role === 'system' || role === 'developer') {
          const text = textOf(parts);
          if (text.length > 0) system.push(text);
        } else push(messages, role === 'assistant' ? 'assistant' : 'user', parts);
        break;
      }
      case 'function_call':
      case 'custom_tool_call': {
        const id = asString(item.call_id) ?? asString(item.id) ?? '';
        const name = asString(item.name) ?? '';
        names.set(id, name);
        const args =
          type === 'custom_tool_call'
            ? customInput(asString(item.input) ?? '')
            : asString(item.arguments) || '{}';
        push(messages, 'assistant', [{ type: 'tool_call', id, name, arguments: args, signature: null }]);
        break;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const callId = asString(item.call_id) ?? '';
        push(messages, 'user', [
          {
            type: 'tool_result',
            callId,
            name: names.get(callId) ?? null,
            content: contentParts(item.output),
            isError: false,
          },
        ]);
        break;
      }
      case 'reasoning': {
        const summary = (asArray(item.summary) ?? [])
          .map((s) => asString(asObject(s)?.text) ?? '')
          .filter((s) => s.length > 0)
          .join('\n\n');
        const encrypted = asString(item.encrypted_content);
        if (summary.length === 0 && encrypted === null) break;
        push(messages, 'assistant', [
          {
            type: 'thinking',
            text: summary,
            signature: null,
            redacted: encrypted === null ? null : { vendor: 'openai', value: encrypted },
          },
        ]);
        break;
      }
      // item_reference, web_search_call, local_shell_call…: server-side state, nothing to carry.
    }
  }

  const reasoning = asObject(json.reasoning);
  const effort = parseEffort(reasoning?.effort);
  const maxOutput = asNumber(json.max_output_tokens);
  return {
    model: asString(json.model) ?? urlModel,
    system,
    messages,
    tools: decodeTools(json.tools),
    toolChoice: decodeToolChoice(json.tool_choice),
    parallelToolCalls: typeof json.parallel_tool_calls === 'boolean' ? json.parallel_tool_calls : null,
    maxOutputTokens: maxOutput,
    temperature: asNumber(json.temperature),
    topP: asNumber(json.top_p),
    topK: null,
    stop: [],
    stream: json.stream === true,
    // `effort: none` (or no reasoning object) asks for no reasoning; a summary alone asks for the default.
    reasoning:
      effort !== null
        ? { budgetTokens: null, effort }
        : reasoning !== null && reasoning.effort !== 'none' && reasoning.summary != null
          ? { budgetTokens: null, effort: null }
          : null,
    user: asString(json.user) ?? asString(json.safety_identifier) ?? asString(json.prompt_cache_key),
    previousResponseId: asString(json.previous_response_id),
    store: typeof json.store === 'boolean' ? json.store : null,
  };
}

/** A tool result's content as `function_call_output.output`: a string when all text, else content parts. */
function outputOf(content: readonly (TextPart | MediaPart)[]): unknown {
  if (content.every((p) => p.type === 'text')) return textOf(content);
  return content.map((p) => {
    if (p.type === 'text') return { type: 'input_text', text: p.text };
    const url = mediaToUrl(p);
    if (p.type === 'image') return { type: 'input_image', image_url: url, detail: 'auto' };
    return p.data !== null
      ? { type: 'input_file', filename: p.name ?? 'document.pdf', file_data: url }
      : { type: 'input_file', file_url: url };
  });
}

function messageContent(role: Role, parts: readonly (TextPart | MediaPart)[]): JsonObject[] {
  return parts.map((p) => {
    if (p.type === 'text') return { type: role === 'assistant' ? 'output_text' : 'input_text', text: p.text };
    const url = mediaToUrl(p);
    if (p.type === 'image') return { type: 'input_image', image_url: url, detail: 'auto' };
    return p.data !== null
      ? { type: 'input_file', filename: p.name ?? 'document.pdf', file_data: url }
      : { type: 'input_file', file_url: url };
  });
}

function encodeInput(turn: TurnRequest): JsonObject[] {
  const custom = new Set(turn.tools.filter((t) => t.kind === 'custom').map((t) => t.name));
  const customCalls = new Set<string>();
  const input: JsonObject[] = [];
  for (const message of turn.messages) {
    let pending: (TextPart | MediaPart)[] = [];
    const flush = (): void => {
      // Assistant media cannot be sent back as output; it is dropped.
      const parts = message.role === 'assistant' ? pending.filter((p) => p.type === 'text') : pending;
      if (parts.length > 0)
        input.push({ type: 'message', role: message.role, content: messageContent(message.role, parts) });
      pending = [];
    };
    for (const part of message.parts) {
      switch (part.type) {
        case 'text':
        case 'image':
        case 'document':
          pending.push(part);
          break;
        case 'thinking':
          // Only OpenAI's own encrypted reasoning goes back; a summary alone cannot be replayed statelessly.
          if (part.redacted?.vendor === 'openai') {
            flush();
            input.push({
              type: 'reasoning',
              summary: part.text.length > 0 ? [{ type: 'summary_text', text: part.text }] : [],
              encrypted_content: part.redacted.value,
            });
          }
          break;
        case 'tool_call':
          flush();
          if (custom.has(part.name)) {
            customCalls.add(part.id);
            input.push({
              type: 'custom_tool_call',
              call_id: part.id,
              name: part.name,
              input: inputOfCustom(part.arguments),
            });
          } else
            input.push({
              type: 'function_call',
              call_id: part.id,
              name: part.name,
              arguments: part.arguments,
            });
          break;
        case 'tool_result':
          flush();
          input.push({
            type: customCalls.has(part.callId) ? 'custom_tool_call_output' : 'function_call_output',
            call_id: part.callId,
            output: customCalls.has(part.callId) ? textOf(part.content) : outputOf(part.content),
          });
          break;
      }
    }
    flush();
  }
  return input;
}

function encodeToolChoice(choice: ToolChoice, custom: ReadonlySet<string>): unknown {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: custom.has(choice.name) ? 'custom' : 'function', name: choice.name };
  }
}

/** A TurnRequest as a Responses body. Stateless (`store: false`), so reasoning comes back encrypted. */
export function encodeResponsesRequest(turn: TurnRequest, options: EncodeOptions): JsonObject {
  const body: JsonObject = { model: turn.model };
  if (turn.system.length > 0) body.instructions = turn.system.join('\n\n');
  body.input = encodeInput(turn);
  if (turn.tools.length > 0) {
    body.tools = turn.tools.map((t) =>
      t.kind === 'custom'
        ? { type: 'custom', name: t.name, description: t.description ?? '' }
        : {
            type: 'function',
            name: t.name,
            description: t.description ?? '',
            parameters: t.parameters,
            strict: false,
          },
    );
    if (turn.toolChoice !== null)
      body.tool_choice = encodeToolChoice(
        turn.toolChoice,
        new Set(turn.tools.filter((t) => t.kind === 'custom').map((t) => t.name)),
      );
    if (turn.parallelToolCalls !== null) body.parallel_tool_calls = turn.parallelToolCalls;
  }
  let max = turn.maxOutputTokens;
  if (options.maxOutputTokens !== null)
    max = max === null ? options.maxOutputTokens : Math.min(max, options.maxOutputTokens);
  if (max !== null) body.max_output_tokens = max;
  if (turn.temperature !== null) body.temperature = turn.temperature;
  if (turn.topP !== null) body.top_p = turn.topP;
  if (turn.reasoning !== null) {
    const effort = turn.reasoning.effort ?? effortForBudget(turn.reasoning.budgetTokens);
    body.reasoning = { effort, summary: 'auto' };
    body.include = ['reasoning.encrypted_content'];
  }
  body.store = false;
  body.stream = turn.stream;
  if (turn.user !== null) body.user = turn.user;
  return body;
}
