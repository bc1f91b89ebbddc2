/**
 * What every vendor's "no such model" answer has in common: the status, and the words. Each format's
 * `isModelNotFound` adds its own structured shape (an error code, type or status name) to these.
 */

/** "model … does not exist / not found / not supported", within one sentence. */
const MODEL_THEN_MISSING =
  /\bmodels?\b(?:(?!\.\s)[^\n]){0,160}?\b(?:does not exist|doesn't exist|do not exist|not exists?|not found|is not supported|are not supported|not supported for|is unsupported|is not available|not available for)/i;
/** "invalid / unknown / not a valid model". */
const MISSING_MODEL = /\b(?:not a valid|invalid|unknown|unsupported|nonexistent|non-existent) model\b/i;

/** Whether an error message says the model is missing or not served here. */
export function saysModelMissing(message: string): boolean {
  return MODEL_THEN_MISSING.test(message) || MISSING_MODEL.test(message);
}

/** An error body's JSON, when it is a JSON object; null otherwise. */
export function errorJson(body: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The `error` object of a parsed error body (`{"error":{…}}`), or null. */
export function errorObject(json: Record<string, unknown> | null): Record<string, unknown> | null {
  const e = json?.error;
  return typeof e === 'object' && e !== null && !Array.isArray(e) ? (e as Record<string, unknown>) : null;
}

/** The human messages an error body carries, wherever compatible servers put them. */
export function errorMessages(json: Record<string, unknown> | null): string[] {
  const out: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
  };
  add(errorObject(json)?.message);
  add(json?.error);
  add(json?.message);
  add(json?.detail);
  return out;
}

/**
 * The shared rule: a 404 always (this provider has no such model, or no such route); a 400 when the
 * format's own shape says so (`shaped`) or its message does.
 */
export function modelNotFound(
  status: number,
  body: string,
  shaped: (json: Record<string, unknown> | null) => boolean,
): boolean {
  if (status === 404) return true;
  if (status !== 400) return false;
  const json = errorJson(body);
  return shaped(json) || errorMessages(json).some(saysModelMissing);
}
