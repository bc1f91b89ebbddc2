import type { SetupInfo } from '../../shared/ipc-contract';
import { defaultDataDir } from '../config/data-dir';
import { DEFAULT_PORT, setupTools } from '../setup/plans';
import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';

/** What `sluice setup` needs to reach this very gateway: its port and data dir, when not the defaults. */
function commandArgs(deps: ControlDeps): string[] {
  return [
    ...(deps.port() === DEFAULT_PORT ? [] : ['--port', String(deps.port())]),
    ...(deps.dataDir === defaultDataDir() ? [] : ['--data-dir', deps.dataDir]),
  ];
}

/**
 * `setup.get`: the gateway URL, the control and API tokens, and per tool the lines to use (the same
 * text `sluice setup --print` gives; with `requireLocalToken` on they carry the API token as the API
 * key, never the control token), the one-step command, and when the tool was last seen.
 */
export function setupHandlers(deps: ControlDeps): Pick<ControlHandlers, 'setup.get'> {
  return {
    'setup.get': (): SetupInfo => {
      const ctx = {
        url: deps.url(),
        token: deps.apiToken(),
        requireToken: deps.config.settings().requireLocalToken,
      };
      return {
        url: ctx.url,
        token: deps.token(),
        apiToken: ctx.token,
        tools: setupTools(ctx, commandArgs(deps)).map((t) => ({
          ...t,
          lastSeenAt: deps.usage.lastSeenMs(t.clients),
        })),
      };
    },
  };
}
