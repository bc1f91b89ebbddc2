import { errorObject } from '../common/model-not-found';

/** A parsed Gemini error body: an object, or (a streamed answer's) an array holding one. */
function geminiError(body: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(body);
    const first: unknown = Array.isArray(v) ? v[0] : v;
    return typeof first === 'object' && first !== null ? errorObject(first as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Gemini answers both a per-minute rate limit and a spent daily quota with 429 `RESOURCE_EXHAUSTED`;
 * only the quota's `QuotaFailure` detail tells them apart: a violated `quotaId` per day (`…PerDay…`)
 * will not come back within minutes, so the key is benched; anything else is a rate limit (cooled).
 */
export function geminiQuotaExhausted(status: number, body: string): boolean {
  if (status !== 429) return false;
  const e = geminiError(body);
  if (e === null || e.status !== 'RESOURCE_EXHAUSTED' || !Array.isArray(e.details)) return false;
  return e.details.some((d: unknown) => {
    if (typeof d !== 'object' || d === null) return false;
    const violations = (d as { violations?: unknown }).violations;
    if (!Array.isArray(violations)) return false;
    return violations.some((v: unknown) => {
      const id = typeof v === 'object' && v !== null ? (v as { quotaId?: unknown }).quotaId : undefined;
      return typeof id === 'string' && /PerDay/i.test(id);
    });
  });
}
