/** Narrow readers for untyped JSON, so decoders stay free of `any` and of casts. */

export type Json = Record<string, unknown>;

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function obj(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Follows a path of keys and indexes: `at(x, 'choices', 0, 'delta')`. */
export function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) {
    if (typeof k === 'number') cur = arr(cur)[k];
    else cur = obj(cur)?.[k];
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Pretty-prints JSON text (2 spaces); anything that is not JSON comes back as it was. */
export function prettyJson(text: string): string {
  const v = parseJson(text);
  return v === undefined ? text : JSON.stringify(v, null, 2);
}
