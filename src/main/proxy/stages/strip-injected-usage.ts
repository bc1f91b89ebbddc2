import type { FrameSplitter } from '../sse-frames';

/**
 * OpenAI Chat: when the client did not ask for `stream_options.include_usage`, Sluice asks upstream
 * for it so usage is always known. This stage gives the client back the stream it would have had:
 * the extra usage-only chunk (`"choices":[]` with a usage object) is dropped and the `"usage":null`
 * field that include_usage adds to every other chunk is removed. It works on whole frames and on
 * bytes, never decoding or re-serialising JSON.
 */

const USAGE_NULL = Buffer.from(',"usage":null');
const EMPTY_CHOICES = Buffer.from('"choices":[]');
const USAGE_OBJECT = Buffer.from('"usage":{');

/** The frame the client would have received without Sluice's request for usage; null = none. */
export function stripInjectedUsage(frame: Buffer): Buffer | null {
  if (frame.indexOf(EMPTY_CHOICES) !== -1 && frame.indexOf(USAGE_OBJECT) !== -1) return null;
  const at = frame.indexOf(USAGE_NULL);
  if (at === -1) return frame;
  return Buffer.concat([frame.subarray(0, at), frame.subarray(at + USAGE_NULL.length)]);
}

export interface UsageStripper {
  /** Bytes ready for the client (possibly empty) for one upstream chunk. */
  push(chunk: Buffer): Buffer;
  /** Whatever is left at the end of the stream (an unterminated frame), unchanged. */
  end(): Buffer;
}

/** A byte-stream stripper over a frame splitter (passed in: stages never import each other or build their own framing). */
export function createUsageStripper(splitter: FrameSplitter): UsageStripper {
  let dropped = false; // the last frame was taken out
  return {
    push(chunk) {
      const out: Buffer[] = [];
      for (const frame of splitter.push(chunk)) {
        // The LF completing a dropped frame's CRLF goes with it.
        if (frame.lf === true && dropped) continue;
        // A fragment of an oversized frame is passed on as it is.
        const kept = frame.whole ? stripInjectedUsage(frame.bytes) : frame.bytes;
        dropped = kept === null;
        if (kept !== null) out.push(kept);
      }
      return out.length === 1 ? out[0]! : Buffer.concat(out);
    },
    end: () => {
      const rest = splitter.end();
      // The last frame, which the stream ended inside, reaches an SDK that reads it (pendingAtEnd):
      // it is stripped like any other; a fragment of an oversized one passes as it is.
      return rest === null
        ? Buffer.alloc(0)
        : rest.whole || rest.last === true
          ? (stripInjectedUsage(rest.bytes) ?? Buffer.alloc(0))
          : rest.bytes;
    },
  };
}
