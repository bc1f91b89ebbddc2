import { asArray, asNumber, asObject, asString, type JsonObject } from '../common/json-read';
import { normalizeGeminiUsage, toGeminiUsage } from '../turn/usage';
import type { Part, TurnRequest, TurnResponse } from '../turn/types';
import {
  argsObject,
  geminiSignature,
  mediaFromGemini,
  newCallId,
  stopFromGemini,
  stopToGemini,
} from './turn-parts';

/*
 * Whole GenerateContentResponses ↔ TurnResponse. Only candidate 0 is read. A blocked prompt
 * (`promptFeedback.blockReason`, no candidate) is a refusal. Server-side parts (executableCode,
 * codeExecutionResult, a functionResponse the server made itself) are not the client's and are dropped.
 */

/** Candidate 0 of a response (by its `index`, else position). */
export function firstCandidate(json: Readonly<JsonObject>): JsonObject | null {
  const candidates = asArray(json.candidates) ?? [];
  for (let i = 0; i < candidates.length; i++) {
    const candidate = asObject(candidates[i]);
    if (candidate !== null && (asNumber(candidate.index) ?? i) === 0) return candidate;
  }
  return null;
}

/** A GenerateContentResponse as a TurnResponse. */
export function decodeGeminiResponse(json: Readonly<JsonObject>): TurnResponse {
  const candidate = firstCandidate(json);
  const parts: Part[] = [];
  for (const p of asArray(asObject(candidate?.content)?.parts) ?? []) {
    const part = asObject(p);
    if (part === null) continue;
    const signature = geminiSignature(part);
    const call = asObject(part.functionCall);
    const text = asString(part.text);
    if (call !== null) {
      parts.push({
        type: 'tool_call',
        id: asString(call.id) ?? newCallId(),
        name: asString(call.name) ?? '',
        arguments: JSON.stringify(call.args ?? {}),
        signature,
      });
    } else if (text !== null && part.thought === true) {
      parts.push({ type: 'thinking', text, signature, redacted: null });
    } else if (text !== null) {
      if (signature !== null) parts.push({ type: 'thinking', text: '', signature, redacted: null });
      if (text.length > 0) parts.push({ type: 'text', text });
    } else {
      const media = mediaFromGemini(part);
      if (media !== null) parts.push(media);
    }
  }
  const sawCall = parts.some((p) => p.type === 'tool_call');
  const blocked = asString(asObject(json.promptFeedback)?.blockReason);
  const usage = asObject(json.usageMetadata);
  return {
    id: asString(json.responseId),
    model: asString(json.modelVersion),
    parts,
    stopReason: blocked !== null ? 'refusal' : stopFromGemini(asString(candidate?.finishReason), sawCall),
    stopSequence: null,
    usage: usage === null ? null : normalizeGeminiUsage(usage),
  };
}

/** Turn parts as Gemini response parts (signatures of other vendors dropped; empty signed thinking signs the next part). */
export function partsToGemini(parts: readonly Part[]): JsonObject[] {
  const out: JsonObject[] = [];
  let carried: string | null = null;
  const sign = (part: JsonObject): JsonObject => {
    if (carried !== null && part.thoughtSignature === undefined) part.thoughtSignature = carried;
    carried = null;
    return part;
  };
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        out.push(sign({ text: part.text }));
        break;
      case 'thinking': {
        const signature = part.signature?.vendor === 'gemini' ? part.signature.value : null;
        if (part.text.length === 0) {
          carried = signature ?? carried;
          break;
        }
        const thought: JsonObject = { text: part.text, thought: true };
        if (signature !== null) thought.thoughtSignature = signature;
        out.push(thought);
        break;
      }
      case 'tool_call': {
        const call = sign({
          functionCall: { id: part.id, name: part.name, args: argsObject(part.arguments) },
        });
        if (part.signature?.vendor === 'gemini') call.thoughtSignature = part.signature.value;
        out.push(call);
        break;
      }
      case 'image':
      case 'document':
        if (part.data !== null)
          out.push(
            sign({ inlineData: { mimeType: part.mediaType ?? 'application/octet-stream', data: part.data } }),
          );
        break;
      // Tool results never appear in an answer.
    }
  }
  return out;
}

/** A TurnResponse as a GenerateContentResponse. */
export function encodeGeminiResponse(response: TurnResponse, request: TurnRequest): JsonObject {
  const parts = partsToGemini(response.parts);
  const body: JsonObject = {
    candidates: [
      {
        content: { role: 'model', parts: parts.length > 0 ? parts : [{ text: '' }] },
        finishReason: stopToGemini(response.stopReason),
        index: 0,
      },
    ],
  };
  if (response.usage !== null) body.usageMetadata = toGeminiUsage(response.usage);
  body.modelVersion = response.model ?? request.model ?? '';
  if (response.id !== null) body.responseId = response.id;
  return body;
}
