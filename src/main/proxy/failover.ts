import type { ProviderConfig } from '../../shared/config';
import { kindForFormat, type ApiFormat } from '../../shared/api-format';

/** Enabled providers that serve this format, lowest priority number first; ties keep config order. */
export function candidatesFor(format: ApiFormat, providers: readonly ProviderConfig[]): ProviderConfig[] {
  const kind = kindForFormat(format);
  return providers
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.enabled && p.kind === kind)
    .sort((a, b) => a.p.priority - b.p.priority || a.i - b.i)
    .map(({ p }) => p);
}

/** Why nothing could be tried, in words a user can act on. */
export function noProviderMessage(format: ApiFormat, providers: readonly ProviderConfig[]): string {
  const kind = kindForFormat(format);
  const ofKind = providers.filter((p) => p.kind === kind);
  if (ofKind.length === 0) {
    return `Sluice has no provider of kind "${kind}" for ${format} requests: add one to the config (providers[].kind = "${kind}").`;
  }
  return `Sluice's ${kind} providers (${ofKind.map((p) => p.id).join(', ')}) are all disabled: enable one.`;
}
