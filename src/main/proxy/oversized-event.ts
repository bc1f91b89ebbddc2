import { elidedJson } from './elided-json';

/**
 * One SSE event too large to read whole (past the decoder's bound: a base64 image in a Responses or
 * Gemini event): the decoder hands its bytes here, from where it gave up to the event's blank line,
 * and reads on after it. Only the event's first and last `keep` bytes are held; the blank line is found
 * with Buffer#indexOf, so a payload without line breaks costs a native scan. The event's facts sit at
 * its two ends (type and status before the payload, finish reason and usage after), and `finish`
 * gives a stand-in made of them.
 */

const LF = 10;
const CR = 13;

/** Bytes kept from each end of an oversized event, for a decoder bound of `maxChars`. */
export function endBytes(maxChars: number): number {
  return Math.max(16, Math.min(64 * 1024, Math.floor(maxChars / 4)));
}

/** What could be read of an oversized event: its name, a stand-in for its data, its size. */
export interface OversizedEvent {
  event: string | undefined;
  /** The data's two ends joined where a marker says how much is missing; JSON repaired to parse when it can. Null if no data line was seen. */
  data: string | null;
  bytes: number;
}

export class OversizedSkip {
  private readonly tail: Uint8Array[] = [];
  private tailBytes = 0;
  private bytes: number;

  /**
   * `head`: the event's first bytes (at most `keep`); `recent`: its latest bytes, after the head;
   * `bytes`: its size so far. `atLineStart` / `afterCr`: the last byte read ended a line / was a CR.
   * `framed` false: the bytes are a whole body, which only its end ends (no blank line is looked for).
   */
  constructor(
    private readonly head: Buffer,
    recent: Uint8Array,
    bytes: number,
    private atLineStart: boolean,
    private afterCr: boolean,
    private readonly keep: number,
    private readonly framed = true,
  ) {
    this.bytes = bytes;
    this.keepTail(recent);
  }

  /** The next chunk: the index just past the event's blank line (what follows is the next events'), or -1. */
  push(chunk: Uint8Array): number {
    const end = this.framed ? this.blankLineEnd(chunk) : -1;
    const mine = end === -1 ? chunk : chunk.subarray(0, end);
    this.bytes += mine.length;
    this.keepTail(mine);
    return end;
  }

  /** The event as far as it can be read from its ends. */
  finish(): OversizedEvent {
    const tail = Buffer.concat(this.tail);
    const missing = Math.max(0, this.bytes - this.head.length - tail.length);
    return { ...standIn(this.head.toString('utf8'), tail.toString('utf8'), missing), bytes: this.bytes };
  }

  /** The bytes read as one JSON text (a whole body, not an SSE event), repaired from its ends; null if none parses. */
  finishJson(): string | null {
    const tail = Buffer.concat(this.tail);
    const missing = Math.max(0, this.bytes - this.head.length - tail.length);
    return elidedJson(this.head.toString('utf8'), tail.toString('utf8'), marker(missing));
  }

  private keepTail(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.tail.push(bytes);
    this.tailBytes += bytes.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.keep) {
      this.tailBytes -= this.tail.shift()!.length;
    }
    if (this.tail.length === 1 && this.tailBytes > this.keep) {
      this.tail[0] = Buffer.from(this.tail[0]!.subarray(this.tailBytes - this.keep));
      this.tailBytes = this.keep;
    }
  }

  /** Index just past the first blank line in `chunk`, given how the bytes before it ended; -1 if none. */
  private blankLineEnd(chunk: Uint8Array): number {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let i = 0;
    let lf = buf.indexOf(LF, 0);
    let cr = buf.indexOf(CR, 0);
    while (i < buf.length) {
      if (lf !== -1 && lf < i) lf = buf.indexOf(LF, i);
      if (cr !== -1 && cr < i) cr = buf.indexOf(CR, i);
      const at = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (at === -1) {
        this.atLineStart = false;
        this.afterCr = false;
        return -1;
      }
      if (at > i) {
        this.atLineStart = false;
        this.afterCr = false;
      }
      const isCr = buf[at] === CR;
      i = at + 1;
      if (!isCr && this.afterCr) {
        this.afterCr = false; // the LF of a CRLF
        continue;
      }
      if (this.atLineStart) return isCr && buf[i] === LF ? i + 1 : i;
      this.atLineStart = true;
      this.afterCr = isCr;
    }
    return -1;
  }
}

/** The event's name and its data's stand-in, from the text of its two ends. */
function standIn(head: string, tail: string, missing: number): Omit<OversizedEvent, 'bytes'> {
  const headLines = head.split(/\r\n|\r|\n/);
  const cut = headLines.pop() ?? '';
  const tailLines = tail.split(/\r\n|\r|\n/);
  const rest = tailLines.shift() ?? '';
  let event: string | undefined;
  const before: string[] = [];
  const after: string[] = [];
  const read = (line: string, data: string[]): void => {
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    if (field === 'event') event = value === '' ? undefined : value;
    else if (field === 'data') data.push(value);
  };
  for (const line of headLines) read(line, before);
  for (const line of tailLines) read(line, after);
  if (!cut.startsWith('data:')) return { event, data: null };
  const cutValue = cut.slice(cut.charCodeAt(5) === 32 ? 6 : 5);
  const dataHead = [...before, cutValue].join('\n');
  const dataTail = [rest, ...after].join('\n');
  const mark = marker(missing);
  return { event, data: elidedJson(dataHead, dataTail, mark) ?? `${dataHead}${mark}${dataTail}` };
}

/** What stands where `missing` bytes were not read (it can sit inside a JSON string). */
function marker(missing: number): string {
  return `…[${missing} bytes not read]…`;
}

/** A whole (non-streaming) body held for one parse, within a bound. */
export interface BoundedBody {
  push(chunk: Uint8Array): void;
  /** The body's text; past the bound, a stand-in made of its two ends (`partial`), null if none parses. */
  text(): { text: string | null; partial: boolean } | null;
}

/**
 * Holds a body up to `maxBytes`; past that, only its first and last `endBytes` bytes, so that a
 * stand-in of them can still be read (the usage of a body with a large image comes after it).
 */
export function createBoundedBody(maxBytes: number): BoundedBody {
  const keep = endBytes(maxBytes);
  let parts: Buffer[] = [];
  let held = 0;
  let total = 0;
  let ends: OversizedSkip | null = null;
  return {
    push(chunk) {
      total += chunk.length;
      if (ends !== null) {
        ends.push(chunk);
        return;
      }
      if (held + chunk.length <= maxBytes) {
        parts.push(Buffer.from(chunk));
        held += chunk.length;
        return;
      }
      const all = Buffer.concat([...parts, chunk]);
      parts = [];
      const head = Buffer.from(all.subarray(0, keep));
      ends = new OversizedSkip(head, all.subarray(keep), all.length, false, false, keep, false);
    },
    text() {
      if (total === 0) return null;
      if (ends === null) return { text: Buffer.concat(parts).toString('utf8'), partial: false };
      return { text: ends.finishJson(), partial: true };
    },
  };
}
