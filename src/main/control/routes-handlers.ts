import type { RouteTest } from '../../shared/routes-view';
import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';

/**
 * `routes.get` / `routes.save`: the routes in force, replaced as a whole; RuntimeConfig validates them
 * (a ConfigError names the bad field, `routes[1].providers[0]: no provider "x"`) and the next request
 * follows them. `routes.test`: which route a model name hits and the chain it would walk, from the very
 * planner the proxy chooses its chain with (deps.explainRoute), so the tester and the gateway cannot
 * disagree.
 */
export function routesHandlers(
  deps: ControlDeps,
): Pick<ControlHandlers, 'routes.get' | 'routes.save' | 'routes.test'> {
  return {
    'routes.get': () => [...deps.config.routes()],
    'routes.save': ({ routes }) => [...deps.config.setRoutes(routes)],
    'routes.test': ({ model, format }): RouteTest => ({ model, format, ...deps.explainRoute(format, model) }),
  };
}
