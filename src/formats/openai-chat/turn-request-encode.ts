import { toDataUrl } from '../turn/data-url';
import { effortForBudget } from '../turn/effort';
import { fitToolId, OPENAI_TOOL_ID } from '../turn/ids';
import type { EncodeOptions, MediaPart, Part, TextPart, ToolChoice, TurnRequest } from '../turn/types';

/**
 * TurnRequest → a Chat Completions request: one leading system message (strict providers reject
 * system messages after the first), tool ids fitted to OpenAI's 40 characters, tool results as `tool`
 * messages with their images and documents in a following user message, reasoning as
 * `reasoning_content` only when the provider wants it replayed. Dropped: `top_k` (OpenAI rejects
 * unknown parameters), stop sequences past OpenAI's four, signatures (no place for them in Chat).
 */

/** OpenAI accepts at most four stop sequences. */
const MAX_STOP = 4;
/** OpenAI reasoning models take only `max_completion_tokens`; most compatible servers know only `max_tokens`. */
const COMPLETION_TOKENS_MODELS = /^(o\d|gpt-5)/;

/** TurnRequest → a Chat Completions body for an OpenAI-compatible provider. */
export function encodeChatRequest(turn: TurnRequest, options: EncodeOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (turn.model !== null) body.model = turn.model;
  const messages: Record<string, unknown>[] = [];
  if (turn.system.length > 0) messages.push({ role: 'system', content: turn.system.join('\n\n') });
  for (const message of turn.messages) {
    if (message.role === 'assistant') {
      const m = encodeAssistant(message.parts, options.replayReasoning);
      if (m !== null) messages.push(m);
    } else {
      messages.push(...encodeUser(message.parts));
    }
  }
  body.messages = messages;
  if (turn.tools.length > 0) {
    body.tools = turn.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description === null ? {} : { description: t.description }),
        parameters:
          typeof t.parameters.type === 'string' ? t.parameters : { type: 'object', ...t.parameters },
      },
    }));
    if (turn.toolChoice !== null) body.tool_choice = encodeToolChoice(turn.toolChoice);
    if (turn.parallelToolCalls !== null) body.parallel_tool_calls = turn.parallelToolCalls;
  }
  let max = turn.maxOutputTokens;
  if (options.maxOutputTokens !== null)
    max = Math.min(max ?? options.maxOutputTokens, options.maxOutputTokens);
  if (max !== null)
    body[COMPLETION_TOKENS_MODELS.test(turn.model ?? '') ? 'max_completion_tokens' : 'max_tokens'] = max;
  if (turn.temperature !== null) body.temperature = turn.temperature;
  if (turn.topP !== null) body.top_p = turn.topP;
  if (turn.stop.length > 0) body.stop = turn.stop.slice(0, MAX_STOP);
  const r = turn.reasoning;
  // `minimal` only when the client named it: most OpenAI-compatible servers reject it.
  const fromBudget = r?.budgetTokens == null ? null : effortForBudget(r.budgetTokens);
  const effort = r?.effort ?? (fromBudget === 'minimal' ? 'low' : fromBudget);
  if (effort !== null) body.reasoning_effort = effort;
  if (turn.user !== null) body.user = turn.user;
  if (turn.stream) {
    body.stream = true;
    // Translation needs the usage whatever the client asked; the client's own wish is `includeUsage`.
    body.stream_options = { include_usage: true };
  }
  return body;
}

function encodeToolChoice(choice: ToolChoice): unknown {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

function encodeAssistant(parts: readonly Part[], replayReasoning: boolean): Record<string, unknown> | null {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const calls: Record<string, unknown>[] = [];
  for (const part of parts) {
    if (part.type === 'text' && part.text.length > 0) texts.push(part.text);
    else if (part.type === 'thinking' && part.text.length > 0) reasoning.push(part.text);
    else if (part.type === 'tool_call') {
      calls.push({
        id: fitToolId(part.id, OPENAI_TOOL_ID),
        type: 'function',
        function: { name: part.name, arguments: part.arguments.length > 0 ? part.arguments : '{}' },
      });
    }
  }
  if (texts.length === 0 && calls.length === 0) return null;
  const out: Record<string, unknown> = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('\n') : null,
  };
  // Reasoning is never replayed as visible text; as `reasoning_content` only where the provider wants it.
  if (replayReasoning && calls.length > 0 && reasoning.length > 0)
    out.reasoning_content = reasoning.join('\n');
  if (calls.length > 0) out.tool_calls = calls;
  return out;
}

/**
 * A user message: its tool results become `tool` messages first (Chat wants them right after the
 * assistant's calls), each with its text. A tool message holds only text, so images and documents a
 * tool returned follow in one user message as native parts, each labelled with its call, with the
 * user's own parts after them.
 */
function encodeUser(parts: readonly Part[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const userParts: Record<string, unknown>[] = [];
  const own: Record<string, unknown>[] = [];
  for (const part of parts) {
    if (part.type === 'tool_result') {
      const id = fitToolId(part.callId, OPENAI_TOOL_ID);
      const texts = part.content.filter((c): c is TextPart => c.type === 'text').map((c) => c.text);
      const media = part.content.filter((c): c is MediaPart => c.type !== 'text');
      if (media.length > 0) {
        texts.push(`[${media.length} attachment(s) follow in the next user message]`);
        userParts.push({ type: 'text', text: `Attachments returned by tool call ${id}:` });
        for (const m of media) userParts.push(encodeMedia(m));
      }
      out.push({ role: 'tool', tool_call_id: id, content: texts.join('\n') });
    } else if (part.type === 'text') {
      if (part.text.length > 0) own.push({ type: 'text', text: part.text });
    } else if (part.type === 'image' || part.type === 'document') {
      own.push(encodeMedia(part));
    }
  }
  const all = [...userParts, ...own];
  if (all.length === 0) return out;
  const allText = all.every((p) => p.type === 'text');
  // Plain text goes as a string: several OpenAI-compatible servers accept nothing else.
  out.push({ role: 'user', content: allText ? all.map((p) => p.text as string).join('\n') : all });
  return out;
}

function encodeMedia(part: MediaPart): Record<string, unknown> {
  if (part.type === 'image') {
    const url = part.data !== null ? toDataUrl(part.mediaType, part.data) : (part.url ?? '');
    return { type: 'image_url', image_url: { url } };
  }
  if (part.data !== null) {
    return {
      type: 'file',
      file: {
        filename: part.name ?? 'document.pdf',
        file_data: toDataUrl(part.mediaType ?? 'application/pdf', part.data),
      },
    };
  }
  // Chat's file parts take inline bytes or an OpenAI upload id, never a URL: name it in text.
  return {
    type: 'text',
    text: `[document${part.name === undefined ? '' : ` "${part.name}"`}: ${part.url ?? ''}]`,
  };
}
