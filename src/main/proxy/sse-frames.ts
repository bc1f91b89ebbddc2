/**
 * Byte-level SSE framing: splits a stream into whole frames (each ending in a blank line: LF, CRLF
 * or CR endings) without decoding it, for the stages that rewrite whole events. Splitting on line
 * terminators never cuts a UTF-8 sequence, so a frame is always decodable on its own.
 */

/** Length of the line terminator at `i` (CRLF 2, LF or CR 1), 0 if none, -1 if a CR ends the buffer (undecided). */
function terminatorAt(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === 10) return 1;
  if (c !== 13) return 0;
  if (i + 1 >= buf.length) return -1;
  return buf[i + 1] === 10 ? 2 : 1;
}

/** Index just past the first blank line (two line terminators in a row) at or after `from`, or -1. */
function frameEnd(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length; i++) {
    const t = terminatorAt(buf, i);
    if (t === 0) continue;
    if (t === -1 || i + t >= buf.length) return -1;
    const t2 = terminatorAt(buf, i + t);
    if (t2 === -1) return -1;
    if (t2 > 0) return i + t + t2;
    i += t - 1;
  }
  return -1;
}

export interface FrameSplitter {
  /** The whole frames completed by this chunk, in order (possibly none). */
  push(chunk: Buffer): Buffer[];
  /** What is left at the end of the stream (an unterminated frame), possibly empty. */
  end(): Buffer;
}

/**
 * Creates a splitter. A partial frame longer than `maxFrameBytes` is handed on as it is (as a frame)
 * rather than buffered further: the bound on what one stream can make Sluice hold.
 */
export function createFrameSplitter(maxFrameBytes = 1024 * 1024): FrameSplitter {
  let pending: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      let start = 0;
      // Frames are small; rescanning the held partial frame keeps CRLF pairs split across chunks whole.
      for (;;) {
        const end = frameEnd(buf, start);
        if (end === -1) break;
        out.push(buf.subarray(start, end));
        start = end;
      }
      pending = buf.subarray(start);
      if (pending.length > maxFrameBytes) {
        out.push(pending);
        pending = Buffer.alloc(0);
      }
      return out;
    },
    end() {
      const rest = pending;
      pending = Buffer.alloc(0);
      return rest;
    },
  };
}

/** One frame's fields: the last `event:` and the `data:` lines joined with LF (WHATWG field rules). */
export interface ParsedFrame {
  event: string | undefined;
  data: string | null;
}

/** Parses one whole frame's text. Comments and unknown fields are ignored. */
export function parseFrame(text: string): ParsedFrame {
  let event: string | undefined;
  let data: string | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data = data === null ? value : `${data}\n${value}`;
  }
  return { event, data };
}

/** Index just past the last blank line in `buf`, or -1. Scans from the end: usually the end is one. */
export function lastFrameEnd(buf: Buffer): number {
  for (let i = buf.length - 1; i > 0; i--) {
    const c = buf[i];
    let start: number; // first byte of the terminator that ends at i
    if (c === 10) start = buf[i - 1] === 13 ? i - 1 : i;
    else if (c === 13 && i < buf.length - 1)
      start = i; // a lone CR (a CRLF was seen at i+1 already)
    else continue;
    const before = buf[start - 1];
    if (start > 0 && (before === 10 || before === 13)) return i + 1;
  }
  return -1;
}

export interface FrameAligner {
  /** The bytes of this chunk up to the last complete frame (the rest is held, without copying when there is none). */
  push(chunk: Buffer): Buffer;
  /** The held partial frame, if any. */
  tail(): Buffer;
}

/**
 * Holds back the unfinished last frame of an SSE passthrough so that, if the stream dies, an error
 * event can follow whole frames. A client parses nothing before a blank line, so holding the tail
 * delays no event. A tail past `maxTailBytes` is let go as it is.
 */
export function createFrameAligner(maxTailBytes = 1024 * 1024): FrameAligner {
  let held: Buffer | null = null;
  return {
    push(chunk) {
      const buf = held === null ? chunk : Buffer.concat([held, chunk]);
      const end = lastFrameEnd(buf);
      if (end === buf.length) {
        held = null;
        return buf;
      }
      const out = end === -1 ? buf.subarray(0, 0) : buf.subarray(0, end);
      held = end === -1 ? buf : buf.subarray(end);
      if (held.length > maxTailBytes) {
        held = null;
        return buf;
      }
      return out;
    },
    tail() {
      const t = held ?? Buffer.alloc(0);
      held = null;
      return t;
    },
  };
}
