import type { ProviderConfig } from '../../shared/config';
import type { ProviderHealth, ProviderView } from '../../shared/ipc-contract';
import { isSecretHeader } from '../../shared/provider-secrets';
import type { Settings } from '../../shared/settings';
import { maskKey } from '../config/key-vault';
import type { ProviderInput } from '../config/runtime-config';
import type { GatewayControl } from './deps';

function maskedValue(value: string): string {
  return maskKey(value) ?? '••••';
}

/** A provider as the UI sees it: no key (its keys by fingerprint, with their pool state), secret headers masked (write-only like the key), its circuit's health. */
export function toProviderView(
  provider: ProviderConfig,
  gateway: GatewayControl,
  settings: Settings,
  builtin: boolean,
): ProviderView {
  const { apiKey, apiKeys: _pool, headers, ...rest } = provider;
  const { provider: _id, ...health } = gateway.health.view(provider.id, settings);
  const shownHealth: ProviderHealth = health;
  return {
    ...rest,
    headers: Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, isSecretHeader(provider, k) ? maskedValue(v) : v]),
    ),
    hasKey: apiKey !== undefined,
    keyPreview: maskKey(apiKey),
    health: shownHealth,
    keys: gateway.keys.view(provider),
    builtin,
  };
}

/**
 * A client that sends back what it was shown must not overwrite a secret with its mask: a secret header
 * whose value is still the masked preview of the saved one is left out, which keeps the saved value
 * (while the origin stays the same: RuntimeConfig.saveProvider).
 */
export function withoutEchoedMasks(
  input: ProviderInput,
  existing: ProviderConfig | undefined,
): ProviderInput {
  if (existing === undefined || input.headers === undefined) return input;
  const headers = Object.fromEntries(
    Object.entries(input.headers).filter(([k, v]) => {
      const saved = existing.headers[k];
      return !(saved !== undefined && isSecretHeader(existing, k) && v === maskedValue(saved));
    }),
  );
  return { ...input, headers };
}
