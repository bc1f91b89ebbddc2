import type { StatusView } from '../../shared/ipc-contract';
import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';

/** The gateway's state as the tray, the window and the dashboard show it. */
export function statusView(deps: ControlDeps): StatusView {
  return {
    version: deps.version,
    url: deps.url(),
    port: deps.port(),
    inFlight: deps.gateway.activeRequests,
    paused: deps.gateway.paused,
    smoothingEnabled: deps.config.settings().smoothing.enabled,
    dataDir: deps.dataDir,
    keyVault: deps.vaultKind,
  };
}

/** `status.get`, `gateway.setPaused`; `changed` tells the pushes that the status moved. */
export function statusHandlers(
  deps: ControlDeps,
  changed: () => void,
): Pick<ControlHandlers, 'status.get' | 'gateway.setPaused'> {
  return {
    'status.get': () => statusView(deps),
    'gateway.setPaused': ({ paused }) => {
      if (deps.gateway.paused !== paused) {
        deps.gateway.paused = paused;
        deps.log(`Sluice: gateway ${paused ? 'paused' : 'resumed'}`);
        changed();
      }
      return statusView(deps);
    },
  };
}
