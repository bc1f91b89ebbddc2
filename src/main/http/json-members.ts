/*
 * The top-level members of a JSON object body, read from its bytes without building any value: keys and
 * the byte range of each value. Strings are skipped with Buffer#indexOf (native), so a 30 MB prompt
 * costs a few native scans, not a JS loop over every byte. It checks the shape of the top level, not the
 * validity of what is nested (that stays the upstream's business, or JSON.parse's when a value is read).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Keys longer than this (as bytes) are never decoded: no key Sluice reads is anywhere near it. */
const MAX_KEY_BYTES = 256;

/** One top-level member: its key (null when longer than Sluice ever reads) and its value's bytes `[start, end)`. */
export interface JsonMember {
  key: string | null;
  start: number;
  end: number;
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Buffer, at: number): number {
  while (isSpace(b[at])) at++;
  return at;
}

/** `at` is an opening quote; returns the index after the closing one, or -1. */
function skipString(b: Buffer, at: number): number {
  for (let from = at + 1; ;) {
    const quote = b.indexOf(QUOTE, from);
    if (quote === -1) return -1;
    let slashes = 0;
    while (b[quote - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** `at` starts a value; returns the index after it, or -1. */
function skipValue(b: Buffer, at: number): number {
  const c = b[at];
  if (c === QUOTE) return skipString(b, at);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    while (at < b.length) {
      const d = b[at]!;
      if (d === QUOTE) {
        at = skipString(b, at);
        if (at === -1) return -1;
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return at + 1;
      }
      at++;
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  const start = at;
  while (at < b.length) {
    const d = b[at];
    if (isSpace(d) || d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET) break;
    at++;
  }
  return at === start ? -1 : at;
}

function decodeKey(b: Buffer, start: number, end: number): string | null {
  if (end - start > MAX_KEY_BYTES) return null;
  const raw = b.toString('utf8', start + 1, end - 1);
  if (!raw.includes('\\')) return raw;
  try {
    const key: unknown = JSON.parse(b.toString('utf8', start, end));
    return typeof key === 'string' ? key : null;
  } catch {
    return null;
  }
}

/**
 * The members of the JSON object `body` is, in order (a UTF-8 byte order mark is skipped); null when the
 * top level is not an object of members (or its strings and brackets do not close).
 */
export function jsonMembers(body: Buffer): JsonMember[] | null {
  const out: JsonMember[] = [];
  let at = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  at = skipSpace(body, at);
  if (body[at] !== OPEN_BRACE) return null;
  at = skipSpace(body, at + 1);
  if (body[at] === CLOSE_BRACE) return skipSpace(body, at + 1) === body.length ? out : null;
  for (;;) {
    if (body[at] !== QUOTE) return null;
    const keyEnd = skipString(body, at);
    if (keyEnd === -1) return null;
    const key = decodeKey(body, at, keyEnd);
    at = skipSpace(body, keyEnd);
    if (body[at] !== COLON) return null;
    const start = skipSpace(body, at + 1);
    const end = skipValue(body, start);
    if (end === -1) return null;
    out.push({ key, start, end });
    at = skipSpace(body, end);
    if (body[at] === COMMA) {
      at = skipSpace(body, at + 1);
      continue;
    }
    if (body[at] !== CLOSE_BRACE) return null;
    return skipSpace(body, at + 1) === body.length ? out : null;
  }
}

const MODEL_KEY = Buffer.from('"model"');
/** Every spelling of `model` with an escaped letter holds `\u006` (m o d e l are U+006D, 6F, 64, 65, 6C). */
const ESCAPED_LETTER = Buffer.from('\\u006');

/**
 * True when the JSON object `body` names the top-level key `model` more than once (JSON.parse keeps the
 * last; a provider may read the first). A native screen first: a body with fewer than two `"model"` and
 * no escaped letter cannot, and most bodies stop there.
 */
export function hasDuplicateModel(body: Buffer): boolean {
  const first = body.indexOf(MODEL_KEY);
  const twice = first !== -1 && body.indexOf(MODEL_KEY, first + MODEL_KEY.length) !== -1;
  if (!twice && body.indexOf(ESCAPED_LETTER) === -1) return false;
  const members = jsonMembers(body);
  if (members === null) return false;
  let seen = 0;
  for (const m of members) if (m.key === 'model' && ++seen > 1) return true;
  return false;
}
