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

const END_PROBE = Buffer.from('x');

/** A piece of the stream: a whole frame, or (`whole` false) a fragment of one too large to hold. */
export interface Frame {
  bytes: Buffer;
  whole: boolean;
}

export interface FrameSplitter {
  /** The frames completed by this chunk, in order (possibly none). */
  push(chunk: Buffer): Frame[];
  /** What is left at the end of the stream: an unterminated frame, or a last one whose CR ending only the end could confirm. */
  end(): Frame | null;
}

/** Up to the last 3 bytes of held chunks: enough to see a blank line that straddles a chunk edge. */
function tailOf(held: readonly Buffer[], heldBytes: number): Buffer {
  const n = Math.min(3, heldBytes);
  if (n === 0) return Buffer.alloc(0);
  const last = held[held.length - 1]!;
  return last.length >= n ? last.subarray(last.length - n) : Buffer.concat(held).subarray(heldBytes - n);
}

/**
 * Creates a splitter. Held bytes are kept as the chunks they came in and only new bytes are scanned,
 * so a large frame in small chunks costs linear time. A partial frame longer than `maxFrameBytes` is
 * handed on as a fragment (and so is the rest of that frame) rather than buffered further: the bound on
 * what one stream can make Sluice hold.
 */
export function createFrameSplitter(maxFrameBytes = 1024 * 1024): FrameSplitter {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let inFragment = false; // the held bytes continue a frame already handed on in part
  return {
    push(chunk) {
      const out: Frame[] = [];
      const tail = tailOf(held, heldBytes);
      const bridge = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
      let from = 0; // in bridge coordinates
      for (;;) {
        const end = frameEnd(bridge, from);
        if (end === -1) break;
        const upto = end - tail.length; // bytes of `chunk` that close this frame
        const start = from === 0 ? 0 : from - tail.length;
        const bytes =
          from === 0 && heldBytes > 0
            ? Buffer.concat([...held, chunk.subarray(0, upto)])
            : chunk.subarray(start, upto);
        out.push({ bytes, whole: !inFragment });
        held = [];
        heldBytes = 0;
        inFragment = false;
        from = end;
      }
      const rest = chunk.subarray(Math.max(0, from - tail.length));
      if (rest.length > 0) {
        held.push(rest);
        heldBytes += rest.length;
      }
      if (heldBytes > maxFrameBytes) {
        out.push({ bytes: Buffer.concat(held), whole: false });
        held = [];
        heldBytes = 0;
        inFragment = true;
      }
      return out;
    },
    end() {
      if (heldBytes === 0) return null;
      const bytes = held.length === 1 ? held[0]! : Buffer.concat(held);
      held = [];
      heldBytes = 0;
      // A frame ending in CR CR is only known to be whole now that nothing follows.
      // (A stand-in next byte settles a trailing CR, which only the end can.)
      const whole = !inFragment && lastFrameEnd(Buffer.concat([bytes, END_PROBE])) === bytes.length;
      return { bytes, whole };
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
  /** The bytes of this chunk up to the last complete frame (the rest is held; no copy when nothing is held). */
  push(chunk: Buffer): Buffer;
  /** The held partial frame, if any. */
  tail(): Buffer;
}

/**
 * Holds back the unfinished last frame of an SSE passthrough so that, if the stream dies, an error
 * event can follow whole frames. A client parses nothing before a blank line, so holding the tail
 * delays no event. Only new bytes are scanned; a tail past `maxTailBytes` is let go as it is.
 */
export function createFrameAligner(maxTailBytes = 1024 * 1024): FrameAligner {
  let held: Buffer[] = [];
  let heldBytes = 0;
  return {
    push(chunk) {
      if (heldBytes === 0) {
        const end = lastFrameEnd(chunk);
        if (end === chunk.length) return chunk; // the common case: whole frames, passed on as they are
        if (end > 0) {
          held = [chunk.subarray(end)];
          heldBytes = chunk.length - end;
          return chunk.subarray(0, end);
        }
        held = [chunk];
        heldBytes = chunk.length;
      } else {
        const tail = tailOf(held, heldBytes);
        const bridge = Buffer.concat([tail, chunk.subarray(0, Math.min(chunk.length, 3))]);
        // A blank line inside the chunk, or one straddling the edge with the held bytes.
        const inChunk = lastFrameEnd(chunk);
        const atEdge = inChunk === -1 ? lastFrameEnd(bridge) - tail.length : -1;
        const end = inChunk !== -1 ? inChunk : atEdge > 0 ? atEdge : -1;
        if (end !== -1) {
          const out = Buffer.concat([...held, chunk.subarray(0, end)]);
          held = end < chunk.length ? [chunk.subarray(end)] : [];
          heldBytes = chunk.length - end;
          return out;
        }
        held.push(chunk);
        heldBytes += chunk.length;
      }
      if (heldBytes > maxTailBytes) {
        const out = Buffer.concat(held);
        held = [];
        heldBytes = 0;
        return out;
      }
      return chunk.subarray(0, 0);
    },
    tail() {
      const t = heldBytes === 0 ? Buffer.alloc(0) : Buffer.concat(held);
      held = [];
      heldBytes = 0;
      return t;
    },
  };
}
