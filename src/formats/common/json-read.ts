/**
 * Typed reads of parsed JSON without casts at every use. Provider payloads are untrusted: every
 * field may be missing or of another type, and a wrong type reads as absent.
 */

export type JsonObject = Record<string, unknown>;

/** The value as a plain object, else null (arrays and null are not objects here). */
export function asObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

/** The value if it is a string, else null. */
export function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The value if it is a finite number, else null. */
export function asNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The value if it is an array, else null. */
export function asArray(value: unknown): readonly unknown[] | null {
  return Array.isArray(value) ? (value as unknown[]) : null;
}

/** Parses JSON text; undefined when it is not JSON (a provider's junk must not throw into the relay). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Parses JSON text that should hold an object; null otherwise. */
export function parseObject(text: string): JsonObject | null {
  return asObject(parseJson(text));
}
