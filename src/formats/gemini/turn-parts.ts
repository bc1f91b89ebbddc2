import { asObject, asString, type JsonObject } from '../common/json-read';
import type { MediaPart, Signature, StopReason } from '../turn/types';

/** Pieces the Gemini request, response and stream mappings share. */

/** Gemini `finishReason` → StopReason (a turn with a functionCall: tool_use; Gemini says STOP). */
export function stopFromGemini(reason: string | null, sawToolCall: boolean): StopReason | null {
  switch (reason) {
    case null:
      return sawToolCall ? 'tool_use' : null;
    case 'MAX_TOKENS':
      return 'max_tokens';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
    case 'LANGUAGE':
      return 'refusal';
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
    case 'TOO_MANY_TOOL_CALLS':
      return 'error';
  }
  // STOP, OTHER, FINISH_REASON_UNSPECIFIED and reasons added later: the turn ended.
  return sawToolCall ? 'tool_use' : 'end_turn';
}

/** StopReason → Gemini `finishReason` (Gemini ends a function-calling turn with STOP). */
export function stopToGemini(reason: StopReason | null): string {
  switch (reason) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'MAX_TOKENS';
    case 'refusal':
      return 'SAFETY';
    case 'error':
      return 'OTHER';
  }
  return 'STOP';
}

/** A `thoughtSignature` as a Signature (Gemini's own). */
export function geminiSignature(part: JsonObject): Signature | null {
  const value = asString(part.thoughtSignature);
  return value === null || value.length === 0 ? null : { vendor: 'gemini', value };
}

/** inlineData / fileData as a MediaPart (images as images, anything else as a document). */
export function mediaFromGemini(part: JsonObject): MediaPart | null {
  const inline = asObject(part.inlineData);
  if (inline !== null) {
    const mediaType = asString(inline.mimeType);
    return {
      type: mediaType?.startsWith('image/') === true ? 'image' : 'document',
      mediaType,
      data: asString(inline.data) ?? '',
      url: null,
    };
  }
  const file = asObject(part.fileData);
  const uri = asString(file?.fileUri);
  if (file === null || uri === null) return null;
  const mediaType = asString(file.mimeType);
  const media: MediaPart = {
    type: mediaType?.startsWith('image/') === true ? 'image' : 'document',
    mediaType,
    data: null,
    url: uri,
  };
  const name = asString(file.displayName);
  if (name !== null) media.name = name;
  return media;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
};

/** A MediaPart as an inlineData or fileData part (a URL's type guessed from its extension when unsaid). */
export function mediaToGemini(part: MediaPart): JsonObject {
  if (part.data !== null)
    return {
      inlineData: {
        mimeType: part.mediaType ?? (part.type === 'image' ? 'image/png' : 'application/pdf'),
        data: part.data,
      },
    };
  const url = part.url ?? '';
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  const mimeType =
    part.mediaType ??
    (ext !== undefined ? EXTENSIONS[ext] : undefined) ??
    (part.type === 'image' ? 'image/jpeg' : 'application/pdf');
  return { fileData: { mimeType, fileUri: url } };
}

/** Function-call arguments (JSON text) as Gemini's `args` object; text that is not an object → `{}`. */
export function argsObject(args: string): JsonObject {
  try {
    return asObject(JSON.parse(args)) ?? {};
  } catch {
    return {};
  }
}

/** A call id for a functionCall that came without one, unique across the turns of a conversation. */
export function newCallId(): string {
  let s = '';
  for (let i = 0; i < 2; i++) s += Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return `call_${s}`;
}
