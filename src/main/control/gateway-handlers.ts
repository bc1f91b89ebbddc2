import { errorMessage } from '../../shared/errors';
import { ConfigError } from '../config/runtime-config';
import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';

/** What the gateway handlers tell the rest of the control layer. */
export interface GatewayEvents {
  /** The status (its port and URL) moved: push it. */
  statusChanged(): void;
  /** The token changed: whatever was let in with the old one must come back with the new one. */
  tokenRotated(): void;
}

/**
 * How the gateway is reached, changed while it runs: `gateway.setPort` moves the listeners and saves
 * the port for the next start; `token.rotate` replaces the control and API tokens.
 */
export function gatewayHandlers(
  deps: ControlDeps,
  events: GatewayEvents,
): Pick<ControlHandlers, 'gateway.setPort' | 'token.rotate'> {
  return {
    'gateway.setPort': async ({ port }) => {
      const from = deps.port();
      let bound: number;
      try {
        bound = await deps.gateway.rebind(port);
      } catch (err) {
        // The gateway still listens where it was; the reason is the user's to act on (another port).
        throw new ConfigError(errorMessage(err));
      }
      if (bound !== from) {
        deps.log(
          `Sluice listening on ${deps.url()} (moved from port ${from}); dashboard: ${deps.url()}/_sluice/`,
        );
        events.statusChanged();
      }
      try {
        deps.config.updateSettings({ port: bound });
      } catch (err) {
        throw new ConfigError(
          `Sluice now listens on port ${bound}, but could not save it for the next start: ${errorMessage(err)}`,
        );
      }
      return { port: bound, url: deps.url() };
    },
    'token.rotate': () => {
      const tokens = deps.rotateToken();
      deps.log('Sluice: the local and API tokens were rotated; the old ones no longer work');
      events.tokenRotated();
      return tokens;
    },
  };
}
