/** `data:` URLs, the way OpenAI formats carry inline bytes (images, files). */

/** `data:<mediaType>;base64,<data>`. */
export function toDataUrl(mediaType: string | null, data: string): string {
  return `data:${mediaType ?? 'application/octet-stream'};base64,${data}`;
}

/** A base64 `data:` URL's media type and payload; null for any other URL. */
export function parseDataUrl(url: string): { mediaType: string | null; data: string } | null {
  if (!url.startsWith('data:')) return null;
  const comma = url.indexOf(',');
  if (comma < 0) return null;
  const head = url.slice(5, comma);
  if (!head.endsWith(';base64')) return null;
  const mediaType = head.slice(0, -';base64'.length);
  return { mediaType: mediaType.length > 0 ? mediaType : null, data: url.slice(comma + 1) };
}
