/** Shapes of credentials that must never be shown or stored, whoever's they are. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI / Anthropic style keys
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Replaces the given secrets and anything shaped like a credential with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  // Only the Bearer pattern has a group; for the others the second argument is the match offset.
  for (const re of SECRET_PATTERNS)
    out = out.replace(re, (_m, bearer: unknown) =>
      typeof bearer === 'string' ? `${bearer} [redacted]` : '[redacted]',
    );
  return out;
}
