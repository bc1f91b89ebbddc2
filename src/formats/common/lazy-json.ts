/**
 * Reads the one fact of a plain text-delta event — the bulk of every stream — without parsing the
 * whole event: each format matches its delta events against one anchored pattern of the exact
 * compact shape its providers send, and only the string literal is decoded. A match leaves no doubt
 * about what a full parse would find; anything else (another field order, usage, a finish, a tool
 * call, whitespace) does not match and gets the full parse. One regular-expression pass over the
 * event costs a fraction of JSON.parse and builds no object tree.
 */

/** A JSON string literal without raw control characters, captured with its quotes. */
export const STRING_LITERAL = '("(?:[^"\\\\\\u0000-\\u001f]|\\\\.)*")';

/**
 * A member whose value is a scalar (null, boolean, number or a string without escapes), whose name is
 * not one of `except`. Such members carry no fact the adapters read, unless named in `except`.
 */
export function scalarMember(except: readonly string[]): string {
  const not = except.map((k) => `${k}"`).join('|');
  return `"(?!${not})[A-Za-z0-9_]+":(?:null|true|false|-?\\d+(?:\\.\\d+)?|"[^"\\\\]*")`;
}

/** The value of a captured string literal (quotes included); null when it is not valid JSON. */
export function literalValue(literal: string): string | null {
  if (!literal.includes('\\')) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return null;
  }
}
