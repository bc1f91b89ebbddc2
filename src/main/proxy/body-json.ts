import { isUtf8 } from 'node:buffer';
import { errorMessage, type ErrorCode } from '../../shared/errors';
import { hasDuplicateModel, jsonMembers } from '../http/json-members';
import { parseJsonBody } from '../http/read-body';

/*
 * Reading a request body as JSON on arrival: parsed whole when small; when large, only its top-level
 * members are read from the bytes, and the whole is parsed the first time something asks for it.
 */

/** Longest model name Sluice takes, in characters; a longer one is refused before anything is recorded. */
export const MAX_MODEL_CHARS = 256;
/**
 * Bodies from this size on are not parsed whole on arrival: their top-level members are read from the
 * bytes (`jsonMembers`), and the whole JSON is parsed only if something asks for `ctx.json` (a rewrite).
 * Parsing held the body three times over (bytes, text, objects) on the way to the first byte.
 */
export const LAZY_JSON_BYTES = 1024 * 1024;
/** Top-level values of a large body up to this size are read on arrival (`model`, `stream`, options); larger ones wait. */
const SMALL_VALUE_BYTES = 64 * 1024;

/** A refusal intake answers with (in the client's format): its status, code and words. */
export type Refusal = { status: number; code: ErrorCode; message: string };

export const notJson = (message: string): Refusal => ({ status: 400, code: 'bad_request', message });

/**
 * The parsed body of a small request, or the members of a large one: the view intake decides with
 * (`model`, `stream`, usage injection) and the JSON the pipeline gets (lazy for a large body).
 */
export type ReadJson =
  | { ok: true; view: Record<string, unknown>; json: () => Record<string, unknown> | null }
  | { ok: false; refusal: Refusal };

export function readJson(body: Buffer): ReadJson {
  if (body.length < LAZY_JSON_BYTES) {
    const parsed = parseJsonBody(body);
    if (!parsed.ok) return { ok: false, refusal: notJson(parsed.message) };
    if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value))
      return { ok: false, refusal: notJson('request body must be a JSON object') };
    if (hasDuplicateModel(body)) return { ok: false, refusal: duplicateModel() };
    const json = parsed.value as Record<string, unknown>;
    return { ok: true, view: json, json: () => json };
  }
  if (!isUtf8(body)) return { ok: false, refusal: notJson('request body is not valid UTF-8') };
  const members = jsonMembers(body);
  if (members === null) return { ok: false, refusal: notJson('request body must be a JSON object') };
  const view: Record<string, unknown> = {};
  let models = 0;
  for (const m of members) {
    if (m.key === null) continue;
    if (m.key === 'model' && ++models > 1) return { ok: false, refusal: duplicateModel() };
    if (m.end - m.start > SMALL_VALUE_BYTES) {
      if (m.key === 'model') return { ok: false, refusal: longModel() };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8', m.start, m.end));
    } catch (err) {
      return { ok: false, refusal: notJson(`request body is not valid JSON: ${errorMessage(err)}`) };
    }
    // defineProperty: a member named `__proto__` stays a member, as JSON.parse keeps it.
    Object.defineProperty(view, m.key, { value, enumerable: true, writable: true, configurable: true });
  }
  let whole: Record<string, unknown> | null | undefined;
  const json = (): Record<string, unknown> | null => {
    if (whole === undefined) {
      const parsed = parseJsonBody(body);
      whole =
        parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value)
          ? (parsed.value as Record<string, unknown>)
          : null;
    }
    return whole;
  };
  return { ok: true, view, json };
}

function duplicateModel(): Refusal {
  return notJson('request body names "model" more than once; name it once');
}

export function longModel(): Refusal {
  return notJson(`model name is longer than ${MAX_MODEL_CHARS} characters`);
}
