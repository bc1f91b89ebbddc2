/**
 * The headers Sluice adds to every answer it gives, whoever wrote the body: the request id, the count
 * of attempts and, when nothing was served, Sluice's one-line account of them (`x-sluice-summary`).
 */
export function sluiceHeaders(requestId: string, attempts: number, summary?: string): Record<string, string> {
  const out: Record<string, string> = {
    'x-sluice-request-id': requestId,
    'x-sluice-attempts': String(attempts),
    // Answers come from Sluice's own origin, where the dashboard keeps its session: whatever a
    // provider sends (an HTML error page, say) must never run there as a page.
    'content-security-policy': "sandbox; default-src 'none'",
    'x-content-type-options': 'nosniff',
  };
  if (summary !== undefined) out['x-sluice-summary'] = summary;
  return out;
}

/** A request header's value as one string (repeated ones joined as HTTP folds them), or null. */
export function headerString(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}
