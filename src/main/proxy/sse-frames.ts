/**
 * Byte-level SSE framing: splits a stream into whole frames (each ending in a blank line: LF, CRLF
 * or CR endings) without decoding it, for the stages that rewrite whole events. Splitting on line
 * terminators never cuts a UTF-8 sequence, so a frame is always decodable on its own.
 */

const LF = 10;
const CR = 13;

/** Length of the line terminator at `i` (CRLF 2, LF or CR 1), 0 if none, -1 if a CR ends the buffer (CR or CRLF: its length is undecided). */
function terminatorAt(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === LF) return 1;
  if (c !== CR) return 0;
  if (i + 1 >= buf.length) return -1;
  return buf[i + 1] === LF ? 2 : 1;
}

const LF_LF = Buffer.from('\n\n');

/**
 * Index just past the first blank line (two line terminators in a row) at or after `from`, or -1.
 * A blank line whose terminator is a CR ending the buffer is complete: the line has ended whether
 * or not an LF follows, and such an LF would only be an empty line of its own (see `leadingLf`).
 * `lfOnly`: the caller knows `buf` holds no CR (nearly every stream): the blank line is "\n\n", found
 * natively.
 */
function frameEnd(buf: Buffer, from: number, lfOnly: boolean): number {
  if (lfOnly) {
    const at = buf.indexOf(LF_LF, from);
    return at === -1 ? -1 : at + 2;
  }
  for (let i = from; i < buf.length; i++) {
    const t = terminatorAt(buf, i);
    if (t === 0) continue;
    if (t === -1 || i + t >= buf.length) return -1;
    const t2 = terminatorAt(buf, i + t);
    if (t2 === -1) return buf.length;
    if (t2 > 0) return i + t + t2;
    i += t - 1;
  }
  return -1;
}

/**
 * The LF that opens `chunk` when the bytes before it ended a frame with a CR: the second half of that
 * CRLF. To a parser it is an empty line right after a dispatch, which does nothing, so it is passed on
 * by itself rather than opening the next frame.
 */
function leadingLf(chunk: Buffer, afterCr: boolean): boolean {
  return afterCr && chunk.length > 0 && chunk[0] === LF;
}

/**
 * A piece of the stream: a whole frame, or (`whole` false) a fragment of one too large to hold, or
 * (`lf`) the lone LF that completed a CRLF after the frame before it was handed out at its CR, or
 * (`last`, from `end`) the last frame, which the stream ended inside. Pieces that are not whole are
 * passed on as they are; the LF may be dropped with a frame it belonged to.
 */
export interface Frame {
  bytes: Buffer;
  whole: boolean;
  lf?: true;
  last?: true;
}

export interface FrameSplitter {
  /** The frames completed by this chunk, in order (possibly none). */
  push(chunk: Buffer): Frame[];
  /** What is left at the end of the stream: an unterminated last frame (never whole), or null. */
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
  let afterCr = false; // the last frame handed out ended with a CR at the end of its chunk
  return {
    push(chunk) {
      const out: Frame[] = [];
      if (chunk.length === 0) return out;
      if (leadingLf(chunk, afterCr)) {
        out.push({ bytes: chunk.subarray(0, 1), whole: false, lf: true });
        chunk = chunk.subarray(1);
      }
      afterCr = false;
      const tail = tailOf(held, heldBytes);
      const bridge = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
      const lfOnly = bridge.indexOf(CR) === -1;
      let from = 0; // in bridge coordinates
      for (;;) {
        const end = frameEnd(bridge, from, lfOnly);
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
      afterCr = from > 0 && from === bridge.length && bridge[from - 1] === CR;
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
      // Every complete frame has been handed out by push: what is held never ends in a blank line.
      return inFragment ? { bytes, whole: false } : { bytes, whole: false, last: true };
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

/**
 * Index just past the last blank line in `buf`, or -1. Scans from the end: usually the end is one. A CR
 * ending `buf` ends its line whether or not an LF follows (as in `frameEnd`).
 */
export function lastFrameEnd(buf: Buffer): number {
  for (let i = buf.length - 1; i > 0; i--) {
    const c = buf[i];
    let start: number; // first byte of the terminator that ends at i
    if (c === LF) start = buf[i - 1] === CR ? i - 1 : i;
    else if (c === CR)
      start = i; // a lone CR (a CRLF was seen at i+1 already), or one ending buf
    else continue;
    const before = buf[start - 1];
    if (start > 0 && (before === LF || before === CR)) return i + 1;
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
  let afterCr = false; // what was let go last ended a frame with a CR
  return {
    push(chunk) {
      if (heldBytes === 0) {
        let end = lastFrameEnd(chunk);
        // The LF of a CRLF whose CR ended the last frame goes with it, not with the next frame.
        if (end === -1 && leadingLf(chunk, afterCr)) end = 1;
        afterCr = end > 0 && chunk[end - 1] === CR;
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
          afterCr = out[out.length - 1] === CR;
          return out;
        }
        held.push(chunk);
        heldBytes += chunk.length;
      }
      if (heldBytes > maxTailBytes) {
        const out = Buffer.concat(held);
        held = [];
        heldBytes = 0;
        afterCr = false;
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
