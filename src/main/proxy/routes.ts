import type { ProviderConfig, RouteConfig } from '../../shared/config';
import type { Failure } from '../../shared/failure';
import { providerFormats, type ApiFormat, type RouteOp } from '../../shared/api-format';
import { globMatches, modelAllowed } from './candidates';

/** The route a model hit: its index in `routes`, the glob that matched, and the route. */
export interface MatchedRoute {
  index: number;
  glob: string;
  route: RouteConfig;
}

/** The first route one of whose `models` globs matches `model`; null when none does (or no model). */
export function matchRoute(routes: readonly RouteConfig[], model: string | null): MatchedRoute | null {
  if (model === null) return null;
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index]!;
    const glob = route.models.find((g) => globMatches(g, model));
    if (glob !== undefined) return { index, glob, route };
  }
  return null;
}

/**
 * A route's chain: its providers in its order, minus those that cannot take this request, each passed
 * to `skip` with why. A provider of another format serves a generation translated (its `models` map
 * names the model there; an unmapped name passes as it is); counting tokens and listing models are not
 * translated, so there it is skipped. A disabled provider, or one whose `allowModels` excludes the
 * model, is skipped too. An id no provider has any more (a built-in default replaced) is left out.
 */
export function routeChain(
  route: RouteConfig,
  format: ApiFormat,
  model: string | null,
  op: RouteOp,
  providers: readonly ProviderConfig[],
  skip: (p: ProviderConfig, failure: Failure) => void,
): ProviderConfig[] {
  const chain: ProviderConfig[] = [];
  for (const id of route.providers) {
    const p = providers.find((q) => q.id === id);
    if (p === undefined) continue;
    if (!p.enabled) skip(p, { code: 'not_servable', detail: 'disabled' });
    else if (op !== 'generate' && !providerFormats(p).includes(format))
      skip(p, {
        code: 'not_servable',
        detail: `${op} is not translated; the provider does not speak ${format}`,
      });
    else if (!modelAllowed(p.allowModels, model)) skip(p, { code: 'model_not_allowed' });
    else chain.push(p);
  }
  return chain;
}
