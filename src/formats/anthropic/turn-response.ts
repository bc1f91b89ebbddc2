import { asObject, asString, type JsonObject } from '../common/json-read';
import { normalizeAnthropicUsage } from '../common/usage-normalize';
import { ANTHROPIC_TOOL_ID, fitToolId } from '../turn/ids';
import { stopFromAnthropic, stopToAnthropic, withToolStop } from '../turn/stop-reasons';
import type { TurnRequest, TurnResponse } from '../turn/types';
import { toAnthropicUsage } from '../turn/usage';
import { EMPTY_USAGE } from '../../shared/usage';
import { decodeBlocks } from './turn-request-decode';
import { signatureToWire } from './turn-signature';

/**
 * A whole Anthropic Message ↔ TurnResponse. Server tool blocks (`server_tool_use`, web search
 * results) are the provider's own work and are not carried to other formats.
 */

/** An Anthropic Message → TurnResponse. */
export function decodeAnthropicResponse(json: Readonly<JsonObject>): TurnResponse {
  // The same blocks as an assistant turn of a request (server tool blocks are skipped there too).
  const parts = decodeBlocks(json.content);
  const usage = asObject(json.usage);
  return {
    id: asString(json.id),
    model: asString(json.model),
    parts,
    stopReason: stopFromAnthropic(asString(json.stop_reason)),
    stopSequence: asString(json.stop_sequence),
    usage: usage === null ? null : normalizeAnthropicUsage(usage),
  };
}

/** TurnResponse → an Anthropic Message for an Anthropic client. */
export function encodeAnthropicResponse(
  response: TurnResponse,
  request: TurnRequest,
): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  let sawTool = false;
  for (const part of response.parts) {
    switch (part.type) {
      case 'text':
        if (part.text.length > 0) content.push({ type: 'text', text: part.text });
        break;
      case 'thinking':
        if (part.redacted !== null)
          content.push({ type: 'redacted_thinking', data: signatureToWire(part.redacted) });
        else if (part.text.length > 0 || part.signature !== null) {
          content.push({
            type: 'thinking',
            thinking: part.text,
            signature: part.signature === null ? '' : signatureToWire(part.signature),
          });
        }
        break;
      case 'tool_call':
        sawTool = true;
        content.push({
          type: 'tool_use',
          id: fitToolId(part.id, ANTHROPIC_TOOL_ID),
          name: part.name,
          input: parseInput(part.arguments),
        });
        break;
      default:
        break; // media and tool results are not parts of an answer
    }
  }
  const stop = withToolStop(response.stopReason, sawTool);
  return {
    id: anthropicMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: response.model ?? request.model ?? '',
    content,
    stop_reason: stopToAnthropic(stop),
    stop_sequence: stop === 'stop_sequence' ? response.stopSequence : null,
    usage: toAnthropicUsage(response.usage ?? EMPTY_USAGE),
  };
}

/** A message id in Anthropic's `msg_` style (another vendor's id is kept inside it). */
export function anthropicMessageId(id: string | null): string {
  if (id === null || id.length === 0) return 'msg_sluice';
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

/** Tool arguments as the object Anthropic's `input` holds (`{}` when they are not a JSON object). */
export function parseInput(args: string): unknown {
  if (args.length === 0) return {};
  try {
    const value = JSON.parse(args) as unknown;
    return asObject(value) ?? {};
  } catch {
    return {};
  }
}
