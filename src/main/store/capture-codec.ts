import type { CapturedFrame, RecordedHeader, RecordedRequestHeaders } from '../../shared/usage-query';

/*
 * How a chunk of captured frames is stored: per frame a header line `offsetMs eventLength dataLength`
 * (eventLength -1 = no event name) followed by the event name and the data, lengths in UTF-16 units.
 * Length-prefixed rather than JSON because frame data is itself JSON, and escaping its quotes would
 * add some 15 % to the largest table in the file.
 */

/** Encodes frames into one payload string. */
export function encodeFrames(frames: readonly CapturedFrame[]): string {
  let out = '';
  for (const f of frames) {
    const event = f.event ?? '';
    out += `${f.offsetMs} ${f.event === null ? -1 : event.length} ${f.data.length}\n${event}${f.data}`;
  }
  return out;
}

/** Decodes a payload; stops at the first malformed frame (a damaged row yields what precedes the damage). */
export function decodeFrames(payload: string): CapturedFrame[] {
  const frames: CapturedFrame[] = [];
  let at = 0;
  while (at < payload.length) {
    const eol = payload.indexOf('\n', at);
    if (eol < 0) break;
    const m = /^(-?\d+) (-1|\d+) (\d+)$/.exec(payload.slice(at, eol));
    if (m === null) break;
    const eventLength = Number(m[2]);
    const dataLength = Number(m[3]);
    const eventStart = eol + 1;
    const dataStart = eventStart + Math.max(0, eventLength);
    if (dataStart + dataLength > payload.length) break;
    frames.push({
      offsetMs: Number(m[1]),
      event: eventLength < 0 ? null : payload.slice(eventStart, dataStart),
      data: payload.slice(dataStart, dataStart + dataLength),
    });
    at = dataStart + dataLength;
  }
  return frames;
}

/*
 * The request line and headers are stored as JSON (`{"method","target","headers":[[name, value, 1|0]…]}`):
 * a few hundred bytes per request, read back whole. `omitted` lives in the row's `dropped` column.
 */

/** Encodes a request's recorded line and headers (already redacted) into one payload string. */
export function encodeRequestHeaders(h: Omit<RecordedRequestHeaders, 'omitted'>): string {
  return JSON.stringify({
    method: h.method,
    target: h.target,
    headers: h.headers.map((x) => [x.name, x.value, x.redacted ? 1 : 0]),
  });
}

/** Decodes a payload; null when it is damaged or not what `encodeRequestHeaders` wrote. */
export function decodeRequestHeaders(payload: string, omitted: number): RecordedRequestHeaders | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { method, target, headers } = parsed as Record<string, unknown>;
  if (typeof method !== 'string' || typeof target !== 'string' || !Array.isArray(headers)) return null;
  const out: RecordedHeader[] = [];
  for (const h of headers as unknown[]) {
    if (!Array.isArray(h)) return null;
    const [name, value, redacted] = h as unknown[];
    if (typeof name !== 'string' || typeof value !== 'string') return null;
    out.push({ name, value, redacted: redacted === 1 });
  }
  return { method, target, headers: out, omitted };
}
