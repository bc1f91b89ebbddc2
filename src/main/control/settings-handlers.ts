import type { Settings } from '../../shared/settings';
import { ConfigError } from '../config/runtime-config';
import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A patch replaces top-level settings whole, except `smoothing`, which merges field by field: a
 * toggle that sends `{ smoothing: { enabled: true } }` must not reset the chunk size to its default.
 */
function mergePatch(current: Settings, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const smoothing = patch.smoothing;
  if (!isPlainObject(smoothing)) return { ...patch };
  return { ...patch, smoothing: { ...current.smoothing, ...smoothing } };
}

/**
 * `settings.get`; `settings.update` validates and applies to the next request (RuntimeConfig). The
 * saved port is not among what it changes: only `gateway.setPort`, which moves the listener with it.
 */
export function settingsHandlers(
  deps: ControlDeps,
): Pick<ControlHandlers, 'settings.get' | 'settings.update'> {
  return {
    'settings.get': () => deps.config.settings(),
    'settings.update': ({ patch }) => {
      if (Object.hasOwn(patch, 'port'))
        throw new ConfigError('port: change it with gateway.setPort, which moves the gateway there too');
      return deps.config.updateSettings(mergePatch(deps.config.settings(), patch));
    },
  };
}
