/**
 * Shapes of credentials that must never be shown or stored, whoever's they are, each with a literal
 * that every match contains: most texts (SSE frames, captured bodies) hold none of them, and looking
 * for a literal costs a fraction of running the pattern, so the pattern runs only where it can match.
 */
const SECRET_PATTERNS: readonly { hint: RegExp | string; re: RegExp }[] = [
  { hint: 'sk-', re: /\bsk-[A-Za-z0-9_-]{8,}/g }, // OpenAI / Anthropic style keys
  { hint: 'AIza', re: /\bAIza[0-9A-Za-z_-]{20,}/g }, // Google API keys
  { hint: /bearer/i, re: /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi },
];

function mayContain(text: string, hint: RegExp | string): boolean {
  return typeof hint === 'string' ? text.includes(hint) : hint.test(text);
}

/** Replaces the given secrets and anything shaped like a credential with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  for (const { hint, re } of SECRET_PATTERNS) {
    if (!mayContain(out, hint)) continue;
    // Only the Bearer pattern has a group; for the others the second argument is the match offset.
    out = out.replace(re, (_m, bearer: unknown) =>
      typeof bearer === 'string' ? `${bearer} [redacted]` : '[redacted]',
    );
  }
  return out;
}
