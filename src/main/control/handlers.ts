import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';
import { gatewayHandlers, type GatewayEvents } from './gateway-handlers';
import { providersHandlers } from './providers-handlers';
import { requestsHandlers } from './requests-handlers';
import { routesHandlers } from './routes-handlers';
import { settingsHandlers } from './settings-handlers';
import { setupHandlers } from './setup-handlers';
import { statusHandlers } from './status-handlers';
import { usageHandlers } from './usage-handlers';

/** Every call of the contract, transport-agnostic; `events.statusChanged` nudges the status push. */
export function createHandlers(deps: ControlDeps, events: GatewayEvents): ControlHandlers {
  return {
    ...statusHandlers(deps, () => events.statusChanged()),
    ...gatewayHandlers(deps, events),
    ...requestsHandlers(deps),
    ...usageHandlers(deps),
    ...providersHandlers(deps),
    ...routesHandlers(deps),
    ...settingsHandlers(deps),
    ...setupHandlers(deps),
  };
}
