import type { ProviderConfig } from '../../shared/config';
import type { ProviderHealth, ProviderView } from '../../shared/ipc-contract';
import type { Settings } from '../../shared/settings';
import { maskKey } from '../config/key-vault';
import type { ProviderInput } from '../config/runtime-config';
import type { GatewayControl } from './deps';

// Extra headers can carry credentials too (a gateway's `Authorization`, a vendor's `api-key`): they get
// the same write-only treatment as `apiKey`.
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|key|token|secret|auth/i;

/** True when a provider header's value is a credential the UI must never see. */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

function maskedValue(value: string): string {
  return maskKey(value) ?? '••••';
}

/** A provider as the UI sees it: no key, credential headers masked, its circuit's health. */
export function toProviderView(
  provider: ProviderConfig,
  gateway: GatewayControl,
  settings: Settings,
): ProviderView {
  const { apiKey, headers, ...rest } = provider;
  const { provider: _id, ...health } = gateway.health.view(provider.id, settings);
  const shownHealth: ProviderHealth = health;
  return {
    ...rest,
    headers: Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, isCredentialHeader(k) ? maskedValue(v) : v]),
    ),
    hasKey: apiKey !== undefined,
    keyPreview: maskKey(apiKey),
    health: shownHealth,
  };
}

/**
 * The UI sends back what it was shown: a credential header whose value is still the masked preview of
 * the saved one keeps the saved value, so editing another field never overwrites a secret with its mask.
 */
export function restoreMaskedHeaders(
  input: ProviderInput,
  existing: ProviderConfig | undefined,
): ProviderInput {
  if (existing === undefined) return input;
  const headers = Object.fromEntries(
    Object.entries(input.headers).map(([k, v]) => {
      const saved = existing.headers[k];
      return [k, saved !== undefined && isCredentialHeader(k) && v === maskedValue(saved) ? saved : v];
    }),
  );
  return { ...input, headers };
}

/** Every credential the providers hold (keys and credential headers), for redacting messages. */
export function providerSecrets(providers: readonly ProviderConfig[]): string[] {
  const out: string[] = [];
  for (const p of providers) {
    if (p.apiKey !== undefined) out.push(p.apiKey);
    for (const [k, v] of Object.entries(p.headers)) if (isCredentialHeader(k)) out.push(v);
  }
  return out;
}
