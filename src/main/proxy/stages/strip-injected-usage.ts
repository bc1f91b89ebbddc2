import type { FrameSplitter } from '../sse-frames';

/**
 * OpenAI Chat: when the client did not ask for `stream_options.include_usage`, Sluice asks upstream
 * for it so usage is always known. This stage gives the client back the stream it would have had:
 * the extra usage-only chunk (a top-level `usage` object, `choices` empty or absent) is dropped and
 * the top-level `"usage": null` member that include_usage adds to every other chunk is cut out, the
 * rest of the frame byte for byte.
 *
 * The decision is made by structure, never by one spelling: any whitespace, member order, escaped key
 * or data split over lines. Only frames that can hold a member named `usage` are looked at: those with
 * `"usage"` in them, or with an escape of an ASCII character (`\u00…`), the only other way to spell
 * that key. The common frame, `…,"usage":null}` or `…,"usage":null,"obfuscation":"…"}`, is proved
 * top-level by a short scan of what follows the member (`nullAtTop`); any other gets a structural
 * scan of the whole frame (`topLevelUsage`), and the usage-only chunk a JSON.parse.
 */

const LF = 10;
const CR = 13;
const USAGE = Buffer.from('"usage"');
const ASCII_ESCAPE = Buffer.from('\\u00');

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09;
}

/** Whether a `data:` field starts at `i` (bytes compared inline: cheaper than a Buffer#compare call). */
function isDataLine(frame: Buffer, i: number): boolean {
  return (
    frame[i] === 0x64 &&
    frame[i + 1] === 0x61 &&
    frame[i + 2] === 0x74 &&
    frame[i + 3] === 0x61 &&
    frame[i + 4] === 0x3a
  );
}

/** Bytes [from, to) of a frame. */
interface Span {
  from: number;
  to: number;
}

/** What becomes of a frame: kept as it is (null), dropped, or kept without a span. */
type Verdict = null | 'drop' | Span;

/**
 * The common spelling: `"usage"` at `at` is a member of the top-level object whose value is null, when
 * the member starts a token (after `,` or `{`), and what follows it to the end of its line holds no
 * bracket but the `}` that ends the data (then the member and that `}` are at the same depth). Returns
 * the bytes to cut, or null to leave the decision to the full scan. Proof: in valid JSON a `"`
 * after `,` or `{` opens a string, and `"usage"` then closes it; the data's last `}` closes the top-level
 * object, and with no bracket between, the member is that object's.
 */
function nullAtTop(frame: Buffer, at: number): Span | null {
  let p = at - 1;
  while (isSpace(frame[p])) p--;
  const before = frame[p];
  if (before !== 0x2c && before !== 0x7b) return null; // , {
  const lineStart = Math.max(frame.lastIndexOf(LF, at), frame.lastIndexOf(CR, at)) + 1;
  if (!isDataLine(frame, lineStart)) return null;
  let i = at + USAGE.length;
  while (isSpace(frame[i])) i++;
  if (frame[i++] !== 0x3a) return null; // :
  while (isSpace(frame[i])) i++;
  if (frame[i] !== 0x6e || frame[i + 1] !== 0x75 || frame[i + 2] !== 0x6c || frame[i + 3] !== 0x6c)
    return null;
  const valueEnd = i + 4;
  let close = -1;
  let inString = false;
  for (let j = valueEnd; j < frame.length; j++) {
    const c = frame[j]!;
    if (inString) {
      if (c === 0x5c) j++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      if (close !== -1) return null;
      inString = true;
    } else if (c === LF || c === CR) break;
    else if (c === 0x7b || c === 0x5b || c === 0x5d)
      return null; // { [ ]
    else if (c === 0x7d) {
      if (close !== -1) return null;
      close = j;
    } else if (close !== -1 && !isSpace(c)) return null;
  }
  if (close === -1) return null;
  if (before === 0x2c) return { from: p, to: valueEnd };
  // The first member: its following comma (and the spaces after it) go with it.
  let next = valueEnd;
  while (isSpace(frame[next])) next++;
  if (frame[next] !== 0x2c) return { from: at, to: valueEnd };
  next++;
  while (isSpace(frame[next])) next++;
  return { from: at, to: next };
}

/**
 * The top-level `usage` member of a frame's JSON data: from its separating comma (or its key, when
 * first) to the end of its value (the comma after it included, when first), and its value's kind.
 */
interface UsageMember extends Span {
  value: 'null' | 'object' | 'other';
}

/**
 * Reads the JSON data of a frame (its `data:` lines, joined by line ends that are whitespace in valid
 * JSON) for the top-level object's `usage` member. Keys with escapes are decoded. Null when there is
 * no such member, or the data is no JSON object.
 */
function topLevelUsage(frame: Buffer): UsageMember | null {
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  let escaped = false;
  let expectKey = false;
  let lastComma = -1; // the last comma at depth 1
  let member: { key: number; comma: number } | null = null; // the usage key just read
  let valueStart = -1;
  let i = 0;
  let lineStart = true;
  for (; i < frame.length; i++) {
    if (lineStart) {
      lineStart = false;
      if (frame[i] === LF || frame[i] === CR) break; // the blank line: the data is over
      if (!isDataLine(frame, i)) {
        while (i < frame.length && frame[i] !== LF && frame[i] !== CR) i++;
      } else {
        i += 5;
        if (frame[i] !== 0x20) i--;
        continue;
      }
    }
    const c = frame[i]!;
    if (c === LF || c === CR) {
      if (inString) return null;
      if (c === CR && frame[i + 1] === LF) i++;
      lineStart = true;
      continue;
    }
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) {
        inString = false;
        if (depth === 1 && expectKey) {
          expectKey = false;
          const raw = frame.toString('latin1', stringStart, i + 1);
          const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
          if (key === 'usage') member = { key: stringStart, comma: lastComma };
        }
      }
      continue;
    }
    if (c === 0x22) {
      inString = true;
      stringStart = i;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === 1 && member !== null && valueStart === -1) valueStart = i;
      depth++;
      expectKey = depth === 1 && c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) break;
    } else if (c === 0x3a) {
      if (depth === 1 && member !== null && valueStart === -1) valueStart = i + 1;
    } else if (c === 0x2c && depth === 1) {
      if (member !== null)
        return { ...spanOf(frame, member, valueStart, i, true), value: kindOf(frame, valueStart) };
      lastComma = i;
      expectKey = true;
    }
  }
  if (member === null || depth !== 0) return null;
  return { ...spanOf(frame, member, valueStart, i, false), value: kindOf(frame, valueStart) };
}

/** The bytes the usage member spans, ending at `end` (a comma, when `comma`, or the object's `}`). */
function spanOf(
  frame: Buffer,
  member: { key: number; comma: number },
  valueStart: number,
  end: number,
  comma: boolean,
): { from: number; to: number } {
  let to = end;
  while (to > valueStart && (isSpace(frame[to - 1]) || frame[to - 1] === LF || frame[to - 1] === CR)) to--;
  if (member.comma !== -1) return { from: member.comma, to };
  if (!comma) return { from: member.key, to };
  // The first member of several: its comma and the spaces after it go with it.
  let next = end + 1;
  while (isSpace(frame[next])) next++;
  return { from: member.key, to: next };
}

function kindOf(frame: Buffer, valueStart: number): UsageMember['value'] {
  let i = valueStart;
  while (isSpace(frame[i]) || frame[i] === LF || frame[i] === CR) i++;
  if (frame[i] === 0x7b) return 'object';
  return frame.toString('latin1', i, i + 4) === 'null' ? 'null' : 'other';
}

/** The JSON data of a frame: its `data:` lines joined with LF. */
function dataOf(frame: Buffer): string {
  const data: string[] = [];
  for (const line of frame.toString('utf8').split(/\r\n|\r|\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(line.charCodeAt(5) === 0x20 ? 6 : 5));
  }
  return data.join('\n');
}

/** Whether the frame is the usage-only chunk: a usage object, and `choices` empty or absent. */
function usageOnly(frame: Buffer): boolean {
  let chunk: unknown;
  try {
    chunk = JSON.parse(dataOf(frame));
  } catch {
    return false;
  }
  if (typeof chunk !== 'object' || chunk === null) return false;
  const { usage, choices } = chunk as { usage?: unknown; choices?: unknown };
  if (typeof usage !== 'object' || usage === null) return false;
  return choices === undefined || (Array.isArray(choices) && choices.length === 0);
}

/** What becomes of one whole frame (see the top of this file). */
function verdict(frame: Buffer): Verdict {
  const at = frame.indexOf(USAGE);
  if (at === -1 && frame.indexOf(ASCII_ESCAPE) === -1) return null;
  if (at !== -1) {
    const fast = nullAtTop(frame, at);
    if (fast !== null) return fast;
  }
  const member = topLevelUsage(frame);
  if (member === null) return null;
  if (member.value === 'object') return usageOnly(frame) ? 'drop' : null;
  return member.value === 'null' ? member : null;
}

/** The frame the client would have received without Sluice's request for usage; null = none. */
export function stripInjectedUsage(frame: Buffer): Buffer | null {
  const v = verdict(frame);
  if (v === null) return frame;
  if (v === 'drop') return null;
  return Buffer.concat([frame.subarray(0, v.from), frame.subarray(v.to)]);
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
        const v = frame.whole ? verdict(frame.bytes) : null;
        dropped = v === 'drop';
        if (v === null) out.push(frame.bytes);
        else if (v !== 'drop') out.push(frame.bytes.subarray(0, v.from), frame.bytes.subarray(v.to));
      }
      // One copy for the chunk, however many frames lost a member.
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
