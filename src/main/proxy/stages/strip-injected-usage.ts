/**
 * OpenAI Chat: when the client did not ask for `stream_options.include_usage`, Sluice asks upstream
 * for it so usage is always known. This stage gives the client back the stream it would have had:
 * the extra usage-only chunk (`"choices":[]` with a usage object) is dropped and the `"usage":null`
 * field that include_usage adds to every other chunk is removed.
 *
 * It works on whole SSE frames (split at a blank line, LF / CRLF / CR) and on bytes, never decoding
 * or re-serialising JSON. A frame is held only until its blank line arrives; a frame longer than
 * `maxFrameBytes` is passed through unchanged rather than buffered further.
 */

const USAGE_NULL = Buffer.from(',"usage":null');
const EMPTY_CHOICES = Buffer.from('"choices":[]');
const USAGE_OBJECT = Buffer.from('"usage":{');

export interface UsageStripper {
  /** Bytes ready for the client (possibly empty) for one upstream chunk. */
  push(chunk: Buffer): Buffer;
  /** Whatever is left at the end of the stream (an unterminated frame), unchanged. */
  end(): Buffer;
}

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
    if (t === -1) return -1;
    if (i + t >= buf.length) return -1;
    const t2 = terminatorAt(buf, i + t);
    if (t2 === -1) return -1;
    if (t2 > 0) return i + t + t2;
    i += t - 1;
  }
  return -1;
}

function rewriteFrame(frame: Buffer): Buffer | null {
  if (frame.indexOf(EMPTY_CHOICES) !== -1 && frame.indexOf(USAGE_OBJECT) !== -1) return null;
  const at = frame.indexOf(USAGE_NULL);
  if (at === -1) return frame;
  return Buffer.concat([frame.subarray(0, at), frame.subarray(at + USAGE_NULL.length)]);
}

/** Creates a stripper; `maxFrameBytes` bounds the partial frame it may hold. */
export function createUsageStripper(maxFrameBytes = 1024 * 1024): UsageStripper {
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
        const frame = rewriteFrame(buf.subarray(start, end));
        if (frame !== null) out.push(frame);
        start = end;
      }
      pending = buf.subarray(start);
      if (pending.length > maxFrameBytes) {
        out.push(pending);
        pending = Buffer.alloc(0);
      }
      return out.length === 1 ? out[0]! : Buffer.concat(out);
    },
    end() {
      const rest = pending;
      pending = Buffer.alloc(0);
      return rest;
    },
  };
}
