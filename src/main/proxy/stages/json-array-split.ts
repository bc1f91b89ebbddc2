import { createUtf8Stream } from '../utf8-stream';
import { elidedJson } from '../elided-json';
import { endBytes } from '../oversized-event';

/**
 * Incremental splitter for Gemini's streaming body without `alt=sse`: one JSON array whose elements
 * (`[{…}\r\n,\r\n{…}]`) arrive in arbitrary chunks. Each element's text is emitted as soon as its
 * closing brace arrives, so observation keeps pace with the relay instead of waiting for the end.
 * A bare top-level object (an error body `{"error":{…}}`) is emitted as one element.
 *
 * Only structure is tracked (depth, string, escape); elements are not validated, the caller parses them.
 * An element past its bound is not held: only its first and last characters are, and at its end a
 * stand-in made of them (`elided-json.ts`) is reported instead.
 */

export interface JsonArraySplitterOptions {
  /** Longest element held, in UTF-16 code units (default 16 Mi). */
  maxElementChars?: number;
  /**
   * An element longer than `maxElementChars`, at its end: a stand-in for it made of its two ends (null
   * when none parses) and its length. It is not passed to `onElement`; splitting goes on.
   */
  onOversized?: (standIn: string | null, chars: number) => void;
  /** Called once when the body is not a JSON array or object (an HTML page, junk between elements); splitting stops. */
  onMalformed?: () => void;
}

export interface JsonArraySplitter {
  /** Feeds raw body bytes, split anywhere. */
  push(chunk: Uint8Array): void;
  /** End of body: an unfinished element is dropped (the stream was cut). */
  end(): void;
}

const DEFAULT_MAX_ELEMENT_CHARS = 16 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * Where the scanner stands between elements: before the first significant character, after `[`
 * (an element or `]`), after an element (`,` or `]`), after `,` (an element), after the top-level
 * value (only whitespace may follow), or stopped (overflow, malformed input, end()).
 */
type Mode = 'start' | 'array-open' | 'after-element' | 'after-comma' | 'done' | 'stopped';

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Creates a splitter that calls `onElement` with each top-level element's JSON text. */
export function createJsonArraySplitter(
  onElement: (json: string) => void,
  opts: JsonArraySplitterOptions = {},
): JsonArraySplitter {
  const maxChars = opts.maxElementChars ?? DEFAULT_MAX_ELEMENT_CHARS;
  const decoder = createUtf8Stream();
  let mode: Mode = 'start';
  // Element state; an element spanning chunks keeps its earlier pieces in `parts` and joins them once.
  let inElement = false;
  let bare = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  const parts: string[] = [];
  let partsChars = 0;
  // An element past the bound: its first characters, its last ones (a few pieces), its length.
  const keep = endBytes(maxChars);
  let oversized: { head: string; tail: string[]; tailChars: number; chars: number } | null = null;

  function stop(): void {
    mode = 'stopped';
    inElement = false;
    parts.length = 0;
    partsChars = 0;
    oversized = null;
  }

  function malformed(): void {
    stop();
    opts.onMalformed?.();
  }

  /** More of an oversized element: only its last `keep` characters stay. */
  function keepTail(o: NonNullable<typeof oversized>, text: string): void {
    o.chars += text.length;
    o.tail.push(text);
    o.tailChars += text.length;
    while (o.tail.length > 1 && o.tailChars - o.tail[0]!.length >= keep)
      o.tailChars -= o.tail.shift()!.length;
    if (o.tailChars > keep) {
      o.tail = [o.tail.join('').slice(-keep)];
      o.tailChars = keep;
    }
  }

  /** The held element passes the bound with `more`: keep its ends only from now on. */
  function beginOversized(more: string): void {
    const all = parts.join('') + more;
    parts.length = 0;
    partsChars = 0;
    oversized = { head: all.slice(0, keep), tail: [], tailChars: 0, chars: keep };
    keepTail(oversized, all.slice(keep));
  }

  function endOversized(o: NonNullable<typeof oversized>): void {
    oversized = null;
    const tail = o.tail.join('');
    const marker = `…[${o.chars - o.head.length - tail.length} characters not read]…`;
    opts.onOversized?.(elidedJson(o.head, tail, marker), o.chars);
  }

  function scan(text: string): void {
    const n = text.length;
    let start = 0;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (inElement) {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) inString = false;
        } else if (c === QUOTE) {
          inString = true;
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          depth++;
        } else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) {
          const piece = text.slice(start, i + 1);
          inElement = false;
          mode = bare ? 'done' : 'after-element';
          if (oversized === null && partsChars + piece.length > maxChars) beginOversized(piece);
          else if (oversized !== null) keepTail(oversized, piece);
          if (oversized !== null) {
            endOversized(oversized);
          } else {
            let json = piece;
            if (parts.length > 0) {
              parts.push(piece);
              json = parts.join('');
              parts.length = 0;
              partsChars = 0;
            }
            onElement(json);
          }
        }
        i++;
        continue;
      }
      if (!isJsonSpace(c)) {
        const opens = c === OPEN_BRACE || c === OPEN_BRACKET;
        if (mode === 'start' && c === OPEN_BRACKET) {
          mode = 'array-open';
        } else if (mode === 'start' && c === OPEN_BRACE) {
          bare = true;
          beginElement();
          start = i;
        } else if ((mode === 'array-open' || mode === 'after-comma') && opens) {
          beginElement();
          start = i;
        } else if (mode === 'after-element' && c === COMMA) {
          mode = 'after-comma';
        } else if ((mode === 'array-open' || mode === 'after-element') && c === CLOSE_BRACKET) {
          mode = 'done';
        } else {
          // Scalars as elements are legal JSON but never sent by Gemini; treating them as junk keeps this small.
          return malformed();
        }
      }
      i++;
    }
    if (inElement) {
      const rest = start === 0 ? text : text.slice(start);
      if (oversized !== null) keepTail(oversized, rest);
      else if (partsChars + rest.length > maxChars) beginOversized(rest);
      else if (rest.length > 0) {
        parts.push(rest);
        partsChars += rest.length;
      }
    }
  }

  function beginElement(): void {
    inElement = true;
    depth = 1;
    inString = false;
    escaped = false;
  }

  return {
    push(chunk) {
      if (mode === 'stopped') return;
      const text = decoder.write(chunk);
      if (text.length > 0) scan(text);
    },
    end() {
      if (mode === 'stopped') return;
      const text = decoder.end();
      if (text.length > 0) scan(text);
      stop();
    },
  };
}
