/**
 * Body rewrites shared by the formats whose body names the model (all but Gemini, whose URL does).
 * The client's bytes go upstream unchanged unless something must change; only then is the JSON
 * re-serialised.
 */

type Json = Readonly<Record<string, unknown>>;

/** Whether the body's `model` must be replaced by `upstreamModel` (the provider maps it to another name). */
export function remapsModel(json: Json, upstreamModel: string | null): boolean {
  return typeof json.model === 'string' && upstreamModel !== null && upstreamModel !== json.model;
}

/** The body with its `model` mapped to `upstreamModel`; null when it needs no change. */
export function rewriteBodyModel(json: Json, upstreamModel: string | null): string | null {
  if (!remapsModel(json, upstreamModel)) return null;
  return JSON.stringify({ ...json, model: upstreamModel });
}

/** The body for a format that carries the model in the URL: never rewritten. */
export function keepBody(): null {
  return null;
}
