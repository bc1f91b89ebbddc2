/**
 * Shapes of credentials that must never be shown or stored, whoever's they are, each with a literal
 * that every match contains: most texts (SSE frames, captured bodies) hold none of them, and looking
 * for a literal costs a fraction of running the pattern, so the pattern runs only where it can match.
 */
const SECRET_PATTERNS: readonly { hint: readonly string[] | string; re: RegExp }[] = [
  { hint: 'sk-', re: /\bsk-[A-Za-z0-9_-]{8,}/g }, // OpenAI / Anthropic style keys
  { hint: 'AIza', re: /\bAIza[0-9A-Za-z_-]{20,}/g }, // Google API keys
  // The shape check is case-insensitive; its hint catches `Bearer`, `bearer` and `BEARER` (what clients
  // and servers write) by their tail, without a case-insensitive scan of every text.
  { hint: ['earer', 'EARER'], re: /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi },
];

function mayContain(text: string, hint: readonly string[] | string): boolean {
  return typeof hint === 'string' ? text.includes(hint) : hint.some((h) => text.includes(h));
}

/** Literals every credential shape contains: a text holding none of them (and none of the given secrets) holds no secret. */
export const SECRET_HINTS: readonly string[] = SECRET_PATTERNS.flatMap(({ hint }) =>
  typeof hint === 'string' ? [hint] : hint,
);

/** Screens by secret list (a few lists are in use at once: each caller's providers' keys). */
const screens = new Map<string, RegExp>();
const MAX_SCREENS = 16;

/**
 * One scan that says whether `text` can hold any secret or credential shape at all: an alternation of
 * the literals (the secrets themselves and each pattern's hint) runs in a single pass, several times
 * faster over a large capture than looking for each literal in turn. Rebuilt when the secrets change.
 */
function mayHoldSecret(text: string, secrets: readonly string[]): boolean {
  const key = secrets.join('\n');
  let screen = screens.get(key);
  if (screen === undefined) {
    const literals = [...secrets.filter((s) => s.length >= 4), ...SECRET_HINTS];
    screen = new RegExp(literals.map((l) => l.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|'));
    if (screens.size >= MAX_SCREENS) screens.clear();
    screens.set(key, screen);
  }
  return screen.test(text);
}

/** Replaces the given secrets and anything shaped like a credential with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  if (!mayHoldSecret(text, secrets)) return text;
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

/** A stretch `[start, end)` of a text that holds a secret. */
export type SecretSpan = readonly [start: number, end: number];

/**
 * Where `text` holds the given secrets or anything shaped like a credential, as sorted, disjoint spans;
 * replacing each with `[redacted]` gives what redactSecrets gives (the Bearer pattern's span starts after
 * `Bearer `). For texts whose pieces must keep their places, such as raw captured bytes read as Latin-1,
 * one byte a character.
 */
export function secretSpans(text: string, secrets: readonly string[] = []): SecretSpan[] {
  if (!mayHoldSecret(text, secrets)) return [];
  const spans: [number, number][] = [];
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + secret.length))
      spans.push([at, at + secret.length]);
  }
  for (const { hint, re } of SECRET_PATTERNS) {
    if (!mayContain(text, hint)) continue;
    for (const m of text.matchAll(re)) {
      const skip = m[1] === undefined ? 0 : m[0].length - m[0].slice(m[1].length).trimStart().length;
      spans.push([m.index + skip, m.index + m[0].length]);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}
