import type { CapturedFrame } from '../../shared/usage-query';

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
