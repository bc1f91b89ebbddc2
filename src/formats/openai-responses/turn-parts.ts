import { parseDataUrl, toDataUrl } from '../turn/data-url';
import type { MediaPart } from '../turn/types';

/** Pieces the Responses request, response and stream mappings share. */

/** A URL (a `data:` URL or a remote one) as a MediaPart. */
export function mediaFromUrl(type: MediaPart['type'], url: string, name: string | null): MediaPart {
  const inline = parseDataUrl(url);
  const part: MediaPart =
    inline !== null
      ? { type, mediaType: inline.mediaType, data: inline.data, url: null }
      : { type, mediaType: null, data: null, url };
  if (name !== null) part.name = name;
  return part;
}

/** A MediaPart as a URL: its own, or a `data:` URL of its bytes. */
export function mediaToUrl(part: MediaPart): string {
  if (part.data !== null)
    return toDataUrl(part.mediaType ?? (part.type === 'image' ? 'image/png' : 'application/pdf'), part.data);
  return part.url ?? '';
}

/** A custom (freeform) tool's raw input as function-style arguments. */
export function customInput(input: string): string {
  return JSON.stringify({ input });
}

/** The raw input of a custom tool call from function-style arguments `{"input": …}` (else the text as is). */
export function inputOfCustom(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'input' in parsed &&
      typeof parsed.input === 'string'
    )
      return parsed.input;
  } catch {
    // not JSON: the text itself
  }
  return args;
}

/** A short random id in a vendor's style (`fc_…`, `rs_…`, `msg_…`, `resp_…`). */
export function newId(prefix: string): string {
  let s = '';
  for (let i = 0; i < 3; i++) s += Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return `${prefix}_${s}`;
}

/** The effort nearest a thinking budget in tokens (null or dynamic (−1): medium). */
export function effortForBudget(budget: number | null): 'minimal' | 'low' | 'medium' | 'high' {
  if (budget === null || budget < 0) return 'medium';
  if (budget <= 1024) return 'minimal';
  if (budget <= 4096) return 'low';
  if (budget <= 16384) return 'medium';
  return 'high';
}
