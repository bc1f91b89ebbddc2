/**
 * A stand-in for a JSON text too large to read whole (an event carrying a base64 image), made from its
 * first and last characters. The facts an observer needs sit at the two ends: type, id and status
 * before the payload, finish reason and usage after it. Joined, the two ends parse when both cuts fall
 * inside strings at the same depth (one long string: the usual case); otherwise the structure is
 * repaired: what the head left open is closed down to what the tail goes on to close, and what the
 * tail closes but the head never opened is opened, under a placeholder name.
 */

type Opener = '{' | '[';

/** The head, ended where it can be continued: its open containers (outer first), the innermost one empty or not. */
interface ClosedHead {
  text: string;
  stack: Opener[];
  empty: boolean;
  /** The marker is in the text already (the head was cut inside a string). */
  marked: boolean;
}

const NAME = '"…"';

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\r' || c === '\t';
}

/**
 * Reads the head (the start of a JSON text) to its cut and ends it there validly: a string it was cut
 * inside is closed after `marker`, an unfinished number or literal is dropped, a key without a value
 * or a dangling comma gets a null. Null if the head is not the start of a JSON object or array.
 */
function closeHead(head: string, marker: string): ClosedHead | null {
  const stack: Opener[] = [];
  let string: 'key' | 'value' | null = null;
  let expectKey = false; // the next string in the innermost object is a key
  let afterKey = false; // a key was read, its colon not yet
  let escapeAt = -1; // an unfinished escape starts here
  let hexLeft = 0;
  let tokenAt = -1; // an unfinished number or literal starts here
  for (let i = 0; i < head.length; i++) {
    const c = head[i]!;
    if (string !== null) {
      if (hexLeft > 0) {
        if (--hexLeft === 0) escapeAt = -1;
      } else if (escapeAt !== -1) {
        if (c === 'u') hexLeft = 4;
        else escapeAt = -1;
      } else if (c === '\\') escapeAt = i;
      else if (c === '"') {
        afterKey = string === 'key';
        string = null;
      }
      continue;
    }
    if (tokenAt !== -1) {
      if (!isSpace(c) && !',:]}'.includes(c)) continue;
      tokenAt = -1;
    }
    if (isSpace(c)) continue;
    afterKey = false;
    if (c === '"') {
      string = expectKey ? 'key' : 'value';
      expectKey = false;
    } else if (c === '{' || c === '[') {
      stack.push(c);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      if (stack.pop() !== (c === '}' ? '{' : '[')) return null;
      expectKey = false;
    } else if (c === ',') expectKey = stack.at(-1) === '{';
    else if (c !== ':') tokenAt = i;
  }
  if (stack.length === 0) return null;
  if (string !== null) {
    const text = escapeAt === -1 ? head : head.slice(0, escapeAt);
    return { text: `${text}${marker}"${string === 'key' ? ':null' : ''}`, stack, empty: false, marked: true };
  }
  const text = tokenAt === -1 ? head : head.slice(0, tokenAt);
  const last = text.trimEnd().at(-1);
  if (last === '{' || last === '[') return { text, stack, empty: true, marked: false };
  // A dangling comma, colon or key gets what it waits for.
  const fill =
    last === ':'
      ? 'null'
      : last === ','
        ? stack.at(-1) === '{'
          ? `${NAME}:null`
          : 'null'
        : afterKey
          ? ':null'
          : '';
  return { text: `${text}${fill}`, stack, empty: false, marked: false };
}

/**
 * The containers the tail closes without opening them (outer first): the stack it expects at `from`,
 * read outside a string. Null if from there it is not the end of a JSON text.
 */
function wantedStack(tail: string, from: number): Opener[] | null {
  const own: Opener[] = [];
  const closes: Opener[] = [];
  let inString = false;
  for (let i = from; i < tail.length; i++) {
    const c = tail[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') own.push(c);
    else if (c === '}' || c === ']') {
      const opener: Opener = c === '}' ? '{' : '[';
      if (own.length === 0) closes.push(opener);
      else if (own.pop() !== opener) return null;
    }
  }
  return inString || own.length > 0 ? null : closes.reverse();
}

/** Index of the quote that ends the string the tail starts inside, or -1. */
function endOfOpenString(tail: string): number {
  for (let i = 0; i < tail.length; i++) {
    const c = tail[i];
    if (c === '\\') i++;
    else if (c === '"') return i;
  }
  return -1;
}

/**
 * What goes between the closed head and a tail that expects `want` open: closers for what the tail
 * does not continue, openers (named by a placeholder in objects) for what it closes but the head never
 * opened, ending where a member may begin. Null when the two ends do not share their outer container.
 */
function bridge(head: ClosedHead, want: readonly Opener[]): { text: string; empty: boolean } | null {
  if (want[0] !== head.stack[0]) return null;
  let common = 0;
  while (common < head.stack.length && common < want.length && head.stack[common] === want[common]) common++;
  let text = '';
  let empty = head.empty;
  for (let i = head.stack.length - 1; i >= common; i--) {
    text += head.stack[i] === '{' ? '}' : ']';
    empty = false;
  }
  for (let i = common; i < want.length; i++) {
    if (!empty) text += ',';
    if (want[i - 1] === '{') text += `${NAME}:`;
    text += want[i]!;
    empty = true;
  }
  return { text, empty };
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A JSON text standing in for one whose middle was not kept: `head` (its start) and `tail` (its end)
 * with `marker` (no quote, backslash or control character) where text is missing, so that it parses.
 * Null when no repair does.
 */
export function elidedJson(head: string, tail: string, marker: string): string | null {
  const joined = `${head}${marker}${tail}`;
  if (parses(joined)) return joined;
  const closed = closeHead(head, marker);
  if (closed === null) return null;
  const candidates: string[] = [];
  // The tail starts inside a string (the long payload), a value's or a key's.
  const quote = endOfOpenString(tail);
  const want = quote === -1 ? null : wantedStack(tail, quote + 1);
  const join = want === null ? null : bridge(closed, want);
  if (want !== null && join !== null) {
    const isKey = /^\s*:/.test(tail.slice(quote + 1));
    const name = want.at(-1) === '{' && !isKey ? `${NAME}:` : '';
    const sep = join.empty ? '' : ',';
    candidates.push(`${closed.text}${join.text}${sep}${name}"${closed.marked ? '' : marker}${tail}`);
  }
  // The tail starts between tokens, or inside a number or literal: from its first comma (a member
  // follows) or its first closer on.
  for (const at of [tail.indexOf(','), tail.search(/[}\]]/)]) {
    if (at === -1) continue;
    const member = tail[at] === ',';
    const rest = tail.slice(member ? at + 1 : at);
    const restWant = wantedStack(rest, 0);
    const restJoin = restWant === null ? null : bridge(closed, restWant);
    if (restJoin === null || restWant === null) continue;
    // Where the text is missing, a member (or element) says so, unless the head's cut string does.
    const note = closed.marked ? '' : `${restWant.at(-1) === '{' ? `${NAME}:` : ''}"${marker}"`;
    const parts = [closed.text, restJoin.text];
    if (note !== '') parts.push(restJoin.empty ? '' : ',', note);
    if (member) parts.push(note !== '' || !restJoin.empty ? ',' : '');
    parts.push(rest);
    candidates.push(parts.join(''));
  }
  for (const c of candidates) if (parses(c)) return c;
  return null;
}
