import { SetupError } from './text-file';

/**
 * One TOML statement of a document, by lines: a `[table]` or `[[array-table]]` header, a `key = value`
 * (which may run over several lines: multi-line strings, arrays), or a blank or comment line.
 */
export interface Statement {
  kind: 'table' | 'array-table' | 'keyval' | 'other';
  /** First and last line (inclusive, 0-based). */
  start: number;
  end: number;
  /** The header's or the key's dotted path, unquoted; empty for `other`. */
  key: string[];
  /** The table a key-value sits in (its header's path; [] at the top level). */
  table: string[];
}

class Cursor {
  pos = 0;
  constructor(
    readonly text: string,
    readonly line: number,
  ) {}
  peek(n = 0): string {
    return this.text[this.pos + n] ?? '';
  }
  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  fail(what: string): never {
    throw new SetupError(`line ${this.line + 1}: ${what}`);
  }
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** A basic (`"…"`) string on one line, escapes decoded; the cursor stands on its opening quote. */
function basicString(c: Cursor): string {
  let out = '';
  c.pos++;
  for (;;) {
    const ch = c.peek();
    if (ch === '') c.fail('unterminated string');
    c.pos++;
    if (ch === '"') return out;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = c.peek();
    c.pos++;
    if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const hex = c.text.slice(c.pos, c.pos + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) c.fail('bad \\u escape');
      out += String.fromCodePoint(parseInt(hex, 16));
      c.pos += n;
    } else if (ESCAPES[e] !== undefined) out += ESCAPES[e];
    else c.fail(`bad escape \\${e}`);
  }
}

function literalString(c: Cursor): string {
  const end = c.text.indexOf("'", c.pos + 1);
  if (end < 0) c.fail('unterminated string');
  const s = c.text.slice(c.pos + 1, end);
  c.pos = end + 1;
  return s;
}

/** A dotted key (`a."b.c".'d'`), each part unquoted. */
function dottedKey(c: Cursor): string[] {
  const parts: string[] = [];
  for (;;) {
    c.skipSpace();
    const ch = c.peek();
    if (ch === '"') parts.push(basicString(c));
    else if (ch === "'") parts.push(literalString(c));
    else {
      const m = /^[A-Za-z0-9_-]+/.exec(c.text.slice(c.pos));
      if (m === null) c.fail('expected a key');
      parts.push(m[0]);
      c.pos += m[0].length;
    }
    c.skipSpace();
    if (c.peek() !== '.') return parts;
    c.pos++;
  }
}

/** State carried from one line to the next inside a value. */
interface ValueState {
  /** Open multi-line string delimiter, if any. */
  multi: '"""' | "'''" | null;
  /** Open brackets and braces. */
  depth: number;
}

/**
 * Scans the value part of a line from the cursor, updating the state; stops at a comment or the end.
 * Returns where the comment starts (the line's length when it has none).
 */
function scanValue(c: Cursor, st: ValueState): number {
  while (c.pos < c.text.length) {
    if (st.multi !== null) {
      const end = c.text.indexOf(st.multi, c.pos);
      if (st.multi === '"""') {
        // Skip escaped characters, so `\"""` does not close the string.
        let i = c.pos;
        let found = -1;
        while (i < c.text.length) {
          if (c.text[i] === '\\') i += 2;
          else if (c.text.startsWith('"""', i)) {
            found = i;
            break;
          } else i++;
        }
        if (found < 0) return (c.pos = c.text.length);
        c.pos = found + 3;
      } else {
        if (end < 0) return (c.pos = c.text.length);
        c.pos = end + 3;
      }
      // Up to two more quotes may belong to the content (`""""` ends with a quote in the string).
      const q = st.multi[0]!;
      let extra = 0;
      while (c.peek() === q && extra < 2) {
        c.pos++;
        extra++;
      }
      st.multi = null;
      continue;
    }
    const ch = c.peek();
    if (ch === '#') {
      const at = c.pos;
      c.pos = c.text.length;
      return at;
    }
    if (ch === '"' || ch === "'") {
      const triple = ch.repeat(3);
      if (c.text.startsWith(triple, c.pos)) {
        c.pos += 3;
        st.multi = triple as '"""' | "'''";
      } else if (ch === '"') basicString(c);
      else literalString(c);
      continue;
    }
    if (ch === '[' || ch === '{') st.depth++;
    else if (ch === ']' || ch === '}') {
      st.depth--;
      if (st.depth < 0) c.fail(`unexpected ${ch}`);
    }
    c.pos++;
  }
  return c.text.length;
}

/** The trailing part of a header line must be blank or a comment. */
function endOfHeader(c: Cursor): void {
  c.skipSpace();
  if (c.pos < c.text.length && c.peek() !== '#') c.fail('text after a table header');
}

/**
 * Splits a TOML document into statements, line by line. It checks only what it must to find them
 * (strings, brackets, headers, keys); throws SetupError naming the line where the text is not TOML.
 */
export function scanToml(lines: readonly string[]): Statement[] {
  const out: Statement[] = [];
  let table: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const c = new Cursor(lines[i]!, i);
    c.skipSpace();
    const first = c.peek();
    if (first === '' || first === '#') {
      out.push({ kind: 'other', start: i, end: i, key: [], table });
      continue;
    }
    if (first === '[') {
      const array = c.peek(1) === '[';
      c.pos += array ? 2 : 1;
      const key = dottedKey(c);
      if (c.peek() !== ']' || (array && c.peek(1) !== ']')) c.fail('unclosed table header');
      c.pos += array ? 2 : 1;
      endOfHeader(c);
      table = key;
      out.push({ kind: array ? 'array-table' : 'table', start: i, end: i, key, table: [] });
      continue;
    }
    const key = dottedKey(c);
    if (c.peek() !== '=') c.fail('expected `=` after a key');
    c.pos++;
    c.skipSpace();
    if (c.pos >= c.text.length || c.peek() === '#') c.fail('a key needs a value');
    const st: ValueState = { multi: null, depth: 0 };
    scanValue(c, st);
    let end = i;
    while (st.multi !== null || st.depth > 0) {
      end++;
      if (end >= lines.length)
        c.fail(st.multi !== null ? 'unterminated multi-line string' : 'unclosed [ or {');
      scanValue(new Cursor(lines[end]!, end), st);
    }
    out.push({ kind: 'keyval', start: i, end, key, table });
    i = end;
  }
  return out;
}

/** The value text of a one-line key-value statement, without its comment (`"sluice"`). */
export function valueText(line: string): string {
  const c = new Cursor(line, 0);
  c.skipSpace();
  dottedKey(c);
  c.pos++;
  c.skipSpace();
  const from = c.pos;
  return line.slice(from, scanValue(c, { multi: null, depth: 0 })).trim();
}
