import { asArray, asNumber, asObject, asString, type JsonObject } from '../common/json-read';
import { BUDGET_FOR_EFFORT, parseEffort } from '../turn/effort';
import { cleanSchemaForGemini, geminiSchemaToJsonSchema, isEmptyGeminiSchema } from '../turn/json-schema';
import type {
  EncodeOptions,
  MediaPart,
  Part,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  TurnMessage,
  TurnRequest,
} from '../turn/types';
import { argsObject, geminiSignature, mediaFromGemini, mediaToGemini } from './turn-parts';

/*
 * Gemini `generateContent` bodies ↔ TurnRequest. The model is in the URL and so is streaming
 * (`streamGenerateContent`): decodeRequest cannot know `stream` and leaves it false for the caller to set.
 * Gemini matches a functionResponse to its functionCall by name and order, not by id: ids are made
 * up on the way in (stable for the same history) and left out on the way out.
 */

/** Google's documented value for a functionCall whose thought signature was not issued by Gemini. */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/** Gemini 3 and later reject a replayed functionCall without a thought signature. */
const NEEDS_SIGNATURE = /gemini-(?:[3-9]|\d{2,})/i;

function functionResult(
  response: JsonObject | null,
  parts: unknown,
): { content: (TextPart | MediaPart)[]; isError: boolean } {
  const content: (TextPart | MediaPart)[] = [];
  let isError = false;
  if (response !== null) {
    const keys = Object.keys(response);
    const output = asString(response.output) ?? asString(response.content) ?? asString(response.result);
    const error = asString(response.error);
    if (keys.length === 1 && output !== null) content.push({ type: 'text', text: output });
    else if (keys.length === 1 && error !== null) {
      content.push({ type: 'text', text: error });
      isError = true;
    } else content.push({ type: 'text', text: JSON.stringify(response) });
  }
  for (const p of asArray(parts) ?? []) {
    const part = asObject(p);
    const media = part === null ? null : mediaFromGemini(part);
    if (media !== null) content.push(media);
  }
  return { content, isError };
}

function decodeContents(contents: readonly unknown[]): TurnMessage[] {
  const messages: TurnMessage[] = [];
  /** Calls of the last model turn not yet answered, in order: functionResponses take them by name. */
  let pending: { id: string; name: string }[] = [];
  for (let c = 0; c < contents.length; c++) {
    const content = asObject(contents[c]);
    if (content === null) continue;
    const role = content.role === 'model' ? 'assistant' : 'user';
    const parts: Part[] = [];
    if (role === 'assistant') pending = [];
    const raw = asArray(content.parts) ?? [];
    for (let i = 0; i < raw.length; i++) {
      const part = asObject(raw[i]);
      if (part === null) continue;
      const signature = geminiSignature(part);
      const call = asObject(part.functionCall);
      const response = asObject(part.functionResponse);
      const text = asString(part.text);
      if (call !== null) {
        const name = asString(call.name) ?? '';
        const id = asString(call.id) ?? `call_g${c}_${i}`;
        pending.push({ id, name });
        parts.push({ type: 'tool_call', id, name, arguments: JSON.stringify(call.args ?? {}), signature });
      } else if (response !== null) {
        const name = asString(response.name) ?? '';
        const given = asString(response.id);
        let at = given !== null ? pending.findIndex((p) => p.id === given) : -1;
        if (at < 0) at = pending.findIndex((p) => p.name === name);
        const id = given ?? (at >= 0 ? pending[at]!.id : `call_g${c}_${i}`);
        if (at >= 0) pending.splice(at, 1);
        parts.push({
          type: 'tool_result',
          callId: id,
          name,
          ...functionResult(asObject(response.response), response.parts),
        });
      } else if (text !== null && part.thought === true) {
        parts.push({ type: 'thinking', text, signature, redacted: null });
      } else if (text !== null) {
        // Gemini 3 may sign a plain text part: the signature travels as an empty thinking part before it.
        if (signature !== null) parts.push({ type: 'thinking', text: '', signature, redacted: null });
        parts.push({ type: 'text', text });
      } else {
        const media = mediaFromGemini(part);
        if (media !== null) parts.push(media);
      }
    }
    if (parts.length === 0) continue;
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === role) last.parts.push(...parts);
    else messages.push({ role, parts });
  }
  return messages;
}

function decodeTools(value: unknown): ToolDefinition[] {
  const tools: ToolDefinition[] = [];
  for (const t of asArray(value) ?? []) {
    for (const d of asArray(asObject(t)?.functionDeclarations) ?? []) {
      const decl = asObject(d);
      const name = asString(decl?.name);
      if (decl === null || name === null) continue;
      const jsonSchema = asObject(decl.parametersJsonSchema);
      const schema = asObject(decl.parameters);
      tools.push({
        name,
        description: asString(decl.description),
        parameters:
          jsonSchema ??
          (schema !== null ? geminiSchemaToJsonSchema(schema) : { type: 'object', properties: {} }),
      });
    }
  }
  return tools;
}

function decodeToolChoice(config: JsonObject | null): ToolChoice | null {
  const fc = asObject(config?.functionCallingConfig);
  const allowed = (asArray(fc?.allowedFunctionNames) ?? []).filter((n): n is string => typeof n === 'string');
  switch (asString(fc?.mode)) {
    case 'AUTO':
    case 'VALIDATED':
      return { type: 'auto' };
    case 'ANY':
      return allowed.length === 1 ? { type: 'tool', name: allowed[0]! } : { type: 'any' };
    case 'NONE':
      return { type: 'none' };
  }
  return null;
}

/** A Gemini request body as a TurnRequest; `urlModel` is the model named in the URL. */
export function decodeGeminiRequest(json: Readonly<JsonObject>, urlModel: string | null): TurnRequest {
  const system: string[] = [];
  const instruction = json.systemInstruction ?? json.system_instruction;
  const instructionText = asString(instruction);
  if (instructionText !== null) system.push(instructionText);
  const sysParts = (asArray(asObject(instruction)?.parts) ?? []).map(
    (p) => asString(asObject(p)?.text) ?? '',
  );
  const joined = sysParts.join('\n');
  if (joined.length > 0) system.push(joined);

  const config = asObject(json.generationConfig) ?? {};
  const thinking = asObject(config.thinkingConfig);
  const budget = asNumber(thinking?.thinkingBudget);
  const level = parseEffort(asString(thinking?.thinkingLevel)?.toLowerCase());
  let reasoning: TurnRequest['reasoning'] = null;
  if (
    thinking !== null &&
    budget !== 0 &&
    (budget !== null || level !== null || thinking.includeThoughts === true)
  )
    reasoning = { budgetTokens: budget !== null && budget > 0 ? budget : null, effort: level };

  return {
    model: urlModel?.replace(/^models\//, '') ?? null,
    system,
    messages: decodeContents(asArray(json.contents) ?? []),
    tools: decodeTools(json.tools),
    toolChoice: decodeToolChoice(asObject(json.toolConfig)),
    parallelToolCalls: null,
    maxOutputTokens: asNumber(config.maxOutputTokens),
    temperature: asNumber(config.temperature),
    topP: asNumber(config.topP),
    topK: asNumber(config.topK),
    stop: (asArray(config.stopSequences) ?? []).filter((s): s is string => typeof s === 'string'),
    stream: false,
    reasoning,
    user: null,
  };
}

/** The text of a tool result (media go beside it as their own parts). */
function resultResponse(part: ToolResultPart): JsonObject {
  const text = part.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  return part.isError ? { error: text } : { output: text };
}

function encodeContents(turn: TurnRequest): JsonObject[] {
  const contents: JsonObject[] = [];
  const callNames = new Map<string, string>();
  let callOrder: string[] = [];
  const needsSignature = NEEDS_SIGNATURE.test(turn.model ?? '');
  for (const message of turn.messages) {
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts: JsonObject[] = [];
    const beside: JsonObject[] = [];
    /** A Gemini signature from an empty thinking part, for the next part. */
    let carried: string | null = null;
    let firstCall = true;
    if (role === 'model') callOrder = [];
    const sign = (part: JsonObject): JsonObject => {
      if (carried !== null && part.thoughtSignature === undefined) part.thoughtSignature = carried;
      carried = null;
      return part;
    };
    const results = message.parts.filter((p): p is ToolResultPart => p.type === 'tool_result');
    // Gemini pairs responses with calls by order: answer in the order the calls were made.
    results.sort((a, b) => rank(callOrder, a.callId) - rank(callOrder, b.callId));
    for (const part of [...message.parts.filter((p) => p.type !== 'tool_result'), ...results]) {
      switch (part.type) {
        case 'text':
          if (part.text.length > 0) parts.push(sign({ text: part.text }));
          break;
        case 'image':
        case 'document':
          parts.push(sign(mediaToGemini(part)));
          break;
        case 'thinking':
          // Only Gemini's own thoughts go back (with their signature); others' cannot be verified.
          if (part.signature?.vendor !== 'gemini') break;
          if (part.text.length === 0) carried = part.signature.value;
          else parts.push({ text: part.text, thought: true, thoughtSignature: part.signature.value });
          break;
        case 'tool_call': {
          callNames.set(part.id, part.name);
          callOrder.push(part.id);
          const call: JsonObject = sign({
            functionCall: { name: part.name, args: argsObject(part.arguments) },
          });
          if (part.signature?.vendor === 'gemini') call.thoughtSignature = part.signature.value;
          else if (firstCall && needsSignature && call.thoughtSignature === undefined)
            call.thoughtSignature = SKIP_SIGNATURE;
          firstCall = false;
          parts.push(call);
          break;
        }
        case 'tool_result':
          parts.push({
            functionResponse: {
              name: part.name ?? callNames.get(part.callId) ?? '',
              response: resultResponse(part),
            },
          });
          // A functionResponse holds no images: they follow it in the same user turn.
          for (const c of part.content) if (c.type !== 'text') beside.push(mediaToGemini(c));
          break;
      }
    }
    parts.push(...beside);
    if (parts.length === 0) continue;
    const last = contents[contents.length - 1];
    if (last !== undefined && last.role === role) (last.parts as JsonObject[]).push(...parts);
    else contents.push({ role, parts });
  }
  return contents;
}

function rank(order: readonly string[], id: string): number {
  const i = order.indexOf(id);
  return i < 0 ? order.length : i;
}

function encodeTools(tools: readonly ToolDefinition[]): JsonObject[] {
  const declarations = tools.map((t) => {
    const decl: JsonObject = { name: t.name };
    if (t.description !== null && t.description.length > 0) decl.description = t.description;
    const schema = cleanSchemaForGemini(t.parameters);
    if (!isEmptyGeminiSchema(schema)) decl.parameters = schema;
    return decl;
  });
  return [{ functionDeclarations: declarations }];
}

function encodeToolChoice(choice: ToolChoice): JsonObject {
  switch (choice.type) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'any':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'tool':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  }
}

/** Gemini accepts at most five stop sequences. */
const MAX_STOP_SEQUENCES = 5;

/** A TurnRequest as a Gemini body (the model and streaming go in the URL, not here). */
export function encodeGeminiRequest(turn: TurnRequest, options: EncodeOptions): JsonObject {
  const body: JsonObject = { contents: encodeContents(turn) };
  if (turn.system.length > 0) body.systemInstruction = { parts: turn.system.map((text) => ({ text })) };
  if (turn.tools.length > 0) {
    body.tools = encodeTools(turn.tools);
    if (turn.toolChoice !== null) body.toolConfig = encodeToolChoice(turn.toolChoice);
  }
  const config: JsonObject = {};
  let max = turn.maxOutputTokens;
  if (options.maxOutputTokens !== null)
    max = max === null ? options.maxOutputTokens : Math.min(max, options.maxOutputTokens);
  if (max !== null) config.maxOutputTokens = max;
  if (turn.temperature !== null) config.temperature = turn.temperature;
  if (turn.topP !== null) config.topP = turn.topP;
  if (turn.topK !== null) config.topK = turn.topK;
  if (turn.stop.length > 0) config.stopSequences = turn.stop.slice(0, MAX_STOP_SEQUENCES);
  if (turn.reasoning !== null) {
    const { budgetTokens, effort } = turn.reasoning;
    // -1: Gemini's dynamic thinking, when the client asked for reasoning without saying how much.
    const budget = budgetTokens ?? (effort !== null ? BUDGET_FOR_EFFORT[effort] : -1);
    config.thinkingConfig = { includeThoughts: true, thinkingBudget: budget };
  }
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}
