import type { ApiFormat } from '../../shared/api-format';
import type { ProviderConfig, RouteConfig } from '../../shared/config';
import { failureText } from '../../shared/failure';
import type { RouteTest } from '../../shared/routes-view';
import { planChain } from './candidates';

/**
 * The Routes tester: which route a generation of `model` in `format` hits and the chain it would walk,
 * from the very function the gateway plans its chain with (planChain). Affinity and weighted turns,
 * which change from request to request, are not part of it.
 */
export function explainRoute(
  deps: { config: { providers(): readonly ProviderConfig[]; routes(): readonly RouteConfig[] } },
  format: ApiFormat,
  model: string,
): Omit<RouteTest, 'model' | 'format'> {
  const skipped: RouteTest['chain'] = [];
  const { chain, matched } = planChain(
    format,
    model,
    'generate',
    deps.config.providers(),
    deps.config.routes(),
    (p, failure) => skipped.push({ provider: p.id, status: 'skipped', reason: failureText(failure) }),
  );
  return {
    route: matched === null ? null : { index: matched.index, glob: matched.glob },
    chain: [
      ...chain.map((p) => ({
        provider: p.id,
        status: 'candidate' as const,
        reason: matched === null ? `priority ${p.priority}` : `listed by routes[${matched.index}]`,
      })),
      ...skipped,
    ],
  };
}
