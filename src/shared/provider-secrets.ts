import type { ProviderConfig } from './config';
import { isSecretHeaderName } from './header-redact';

/**
 * True when the value of `provider`'s header `name` is a credential: its name says so (the rule the
 * captured request headers are masked by) or the user listed it in `secretHeaders`. Such values are
 * sealed at rest, masked in every view and redacted from every text, exactly like `apiKey`.
 */
export function isSecretHeader(provider: Pick<ProviderConfig, 'secretHeaders'>, name: string): boolean {
  if (isSecretHeaderName(name)) return true;
  const n = name.toLowerCase();
  return (provider.secretHeaders ?? []).some((m) => m.toLowerCase() === n);
}

/**
 * Header values shorter than this are not redacted by value: a header the name rule calls secret may
 * hold `none` or `on` (`x-auth-mode`), which would be cut out of every text it happens to appear in, and
 * no credential is that short. They are still sealed and masked.
 */
const MIN_REDACTED_CHARS = 8;

/** A credential header value's scheme (`Bearer sk-…`): the bare token after it is a secret of its own. */
const SCHEME = /^\s*(?:bearer|basic|token)\s+(\S+)/i;

/**
 * Every secret the providers carry: their keys (`apiKey` and the pool's `apiKeys`), and the values of their credential headers (with the
 * bare token after a `Bearer`/`Basic`/`Token` scheme) of at least 8 characters, for redacting texts by
 * value.
 */
export function providerSecrets(providers: readonly ProviderConfig[]): string[] {
  const out: string[] = [];
  for (const p of providers) {
    out.push(...poolKeys(p));
    for (const [name, value] of Object.entries(p.headers)) {
      if (!isSecretHeader(p, name)) continue;
      if (value.length >= MIN_REDACTED_CHARS) out.push(value);
      const bare = SCHEME.exec(value)?.[1];
      if (bare !== undefined && bare.length >= MIN_REDACTED_CHARS) out.push(bare);
    }
  }
  return out;
}

/**
 * A provider's own keys, in the order they take turns: `apiKey` first, then `apiKeys`, each once. Empty
 * when it has none (the client's credentials pass through).
 */
export function poolKeys(p: Pick<ProviderConfig, 'apiKey' | 'apiKeys'>): string[] {
  if (p.apiKeys === undefined) return p.apiKey === undefined ? [] : [p.apiKey];
  return [...new Set([...(p.apiKey === undefined ? [] : [p.apiKey]), ...p.apiKeys])];
}

/** The origin (scheme, host, port) a base URL names; credentials are bound to it. */
export function originOf(baseUrl: string): string {
  return new URL(baseUrl).origin;
}
