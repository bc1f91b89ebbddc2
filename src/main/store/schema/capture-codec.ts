// Writes and reads: the stored layout of captures, encoded by the writer and decoded by the reads, so it sits with the schema.
import type {
  BodyMode,
  BodySegment,
  CapturedFrame,
  RecordedHeader,
  RecordedRequestHeaders,
  SmoothingMark,
} from '../../../shared/usage-query';

/*
 * How a chunk of captured frames is stored: per frame a header line `offsetMs eventLength dataLength`
 * (eventLength -1 = no event name) followed by the event name and the data, lengths in UTF-16 units.
 * Length-prefixed rather than JSON because frame data is itself JSON, and escaping its quotes would
 * add some 15 % to the largest table in the file.
 */

/** Encodes frames into one payload string (schema ≤ 2 rows; no longer written, kept as the format's definition and for tests). */
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

/*
 * How a chunk of raw response bytes is stored: one JSON line describing its segments — per segment the
 * attempt, the framing and per part `[offsetMs, byteLength]` — then the parts' bytes, back to back.
 * The bytes are the upstream's own (decompressed), with any secret replaced by `[redacted]`.
 */

interface SegmentHead {
  a: number;
  m: BodyMode;
  p: [number, number][];
}

/** The stretches of `bytes` that hold a secret, as sorted, disjoint `[start, end)` byte offsets. */
export type ByteSpans = (bytes: Buffer) => readonly (readonly [number, number])[];

const REDACTED = Buffer.from('[redacted]', 'latin1');

/** Encodes segments into one payload, replacing the stretches `spans` finds with `[redacted]`. */
export function encodeResponse(segments: readonly BodySegment[], spans: ByteSpans): Buffer {
  const parts: Uint8Array[] = [];
  const lengths: number[] = [];
  for (const seg of segments)
    for (const part of seg.parts) {
      parts.push(part.bytes);
      lengths.push(part.bytes.length);
    }
  let bytes: Buffer = Buffer.concat(parts);
  const found = spans(bytes);
  if (found.length > 0) ({ bytes } = redactBytes(bytes, found, lengths));
  let i = 0;
  const head: SegmentHead[] = segments.map((seg) => ({
    a: seg.attempt,
    m: seg.mode,
    p: seg.parts.map((part) => [part.offsetMs, lengths[i++]!]),
  }));
  return Buffer.concat([Buffer.from(`${JSON.stringify(head)}\n`, 'utf8'), bytes]);
}

/** `bytes` with each span replaced, and `lengths` (the parts' sizes) changed to match, in place. */
function redactBytes(
  bytes: Buffer,
  spans: readonly (readonly [number, number])[],
  lengths: number[],
): { bytes: Buffer } {
  // (the result is a fresh buffer: the parts' own bytes are never written to)
  const out: Buffer[] = [];
  let at = 0;
  for (const [start, end] of spans) {
    out.push(bytes.subarray(at, start), REDACTED);
    at = end;
  }
  out.push(bytes.subarray(at));
  // A part boundary moves by what the spans before it changed; one inside a span moves to its end.
  const moved = (pos: number): number => {
    let shift = 0;
    for (const [start, end] of spans) {
      if (end <= pos) shift += REDACTED.length - (end - start);
      else if (start < pos) return start + shift + REDACTED.length;
      else break;
    }
    return pos + shift;
  };
  let boundary = 0;
  let previous = 0;
  for (let k = 0; k < lengths.length; k++) {
    boundary += lengths[k]!;
    const next = moved(boundary);
    lengths[k] = next - previous;
    previous = next;
  }
  return { bytes: Buffer.concat(out) };
}

/** Decodes a payload into segments; null when it is damaged. */
export function decodeResponse(payload: Buffer): BodySegment[] | null {
  const eol = payload.indexOf(0x0a);
  if (eol < 0) return null;
  let head: unknown;
  try {
    head = JSON.parse(payload.subarray(0, eol).toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(head)) return null;
  const segments: BodySegment[] = [];
  let at = eol + 1;
  for (const item of head as unknown[]) {
    const seg = item as Partial<SegmentHead>;
    if (typeof seg.a !== 'number' || !Array.isArray(seg.p)) return null;
    if (seg.m !== 'sse' && seg.m !== 'json-array' && seg.m !== 'json') return null;
    const parts: BodySegment['parts'] = [];
    for (const p of seg.p) {
      if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number') return null;
      if (at + p[1] > payload.length) return null;
      parts.push({ offsetMs: p[0], bytes: payload.subarray(at, at + p[1]) });
      at += p[1];
    }
    segments.push({ attempt: seg.a, mode: seg.m, parts });
  }
  return segments;
}

/*
 * Smoothing marks are stored as text, one line per split delta: its upstream offset, then each piece's
 * delivery, all integers and delta-encoded — the upstream offset from the previous line's (the first
 * line's from 0), the first delivery from its own upstream offset, each later one from the delivery
 * before it. Deltas of a few ms take a digit or two, so a mark costs a few bytes before DEFLATE.
 */

/** Encodes smoothing marks into one payload string. */
export function encodeSmoothing(
  marks: readonly { readonly upstreamOffsetMs: number; readonly deliveredOffsetsMs: readonly number[] }[],
): string {
  let out = '';
  let upstream = 0;
  for (const [i, m] of marks.entries()) {
    out += `${i === 0 ? '' : '\n'}${m.upstreamOffsetMs - upstream}`;
    upstream = m.upstreamOffsetMs;
    let previous = upstream;
    for (const d of m.deliveredOffsetsMs) {
      out += ` ${d - previous}`;
      previous = d;
    }
  }
  return out;
}

const SMOOTHING_LINE = /^-?\d+(?: -?\d+)*$/;

/** Decodes a payload; stops at the first malformed line (a damaged row yields what precedes the damage). */
export function decodeSmoothing(payload: string): SmoothingMark[] {
  const marks: SmoothingMark[] = [];
  if (payload.length === 0) return marks;
  let upstream = 0;
  for (const line of payload.split('\n')) {
    if (!SMOOTHING_LINE.test(line)) break;
    const numbers = line.split(' ');
    upstream += Number(numbers[0]);
    const deliveredOffsetsMs: number[] = [];
    let previous = upstream;
    for (let i = 1; i < numbers.length; i++) deliveredOffsetsMs.push((previous += Number(numbers[i])));
    marks.push({ upstreamOffsetMs: upstream, deliveredOffsetsMs });
  }
  return marks;
}
