import { SluiceError } from '../../shared/errors';
import type { ProviderView } from '../../shared/ipc-contract';
import type { ProviderConfig } from '../../shared/config';
import { baseUrlProblem } from '../../shared/base-url';
import type { ControlDeps } from './deps';
import type { ControlHandlers } from './dispatch';
import { testProvider } from './provider-test';
import { providerSecrets } from '../../shared/provider-secrets';
import { toProviderView, withoutEchoedMasks } from './provider-view';

type ProviderCalls =
  | 'providers.list'
  | 'providers.save'
  | 'providers.remove'
  | 'providers.reorder'
  | 'providers.test'
  | 'providers.resetHealth';

/** The Providers screen: list, save (keys write-only), remove, reorder, test, reset a circuit. */
export function providersHandlers(deps: ControlDeps): Pick<ControlHandlers, ProviderCalls> {
  const view = (p: ProviderConfig): ProviderView =>
    toProviderView(p, deps.gateway, deps.config.settings(), deps.config.isBuiltin(p.id));
  const list = (): ProviderView[] => deps.config.providers().map(view);
  const find = (id: string): ProviderConfig => {
    const found = deps.config.providers().find((p) => p.id === id);
    if (found === undefined) throw new SluiceError('not_found', `no provider "${id}"`);
    return found;
  };

  return {
    'providers.list': list,
    'providers.save': ({ provider: shown }) => {
      // What the view adds (a pool's state, the built-in mark) may come back with it: not config.
      const { keys: _keys, builtin: _builtin, ...provider } = shown;
      const problem = baseUrlProblem(provider.kind, provider.baseUrl);
      if (problem !== null) throw new SluiceError('config_invalid', `baseUrl: ${problem}`);
      const existing = deps.config.providers().find((p) => p.id === provider.id);
      return view(deps.config.saveProvider(withoutEchoedMasks(provider, existing)));
    },
    'providers.remove': ({ id }) => {
      find(id);
      if (deps.config.isBuiltin(id))
        throw new SluiceError(
          'config_invalid',
          `"${id}" is a built-in default: switch it off, or add a provider of its kind to replace it`,
        );
      deps.config.removeProvider(id);
      // A provider added again later under the same id starts with a clean circuit.
      deps.gateway.health.reset(id);
      deps.gateway.keys.reset(id);
      return null;
    },
    'providers.reorder': ({ ids }) => {
      deps.config.reorder(ids);
      return list();
    },
    'providers.test': ({ id }) =>
      testProvider(
        find(id),
        deps.config.credentialOrigin(id),
        deps.version,
        providerSecrets(deps.config.providers()),
        deps.upstreamHeaders,
      ),
    'providers.resetHealth': ({ id }) => {
      const provider = find(id);
      deps.gateway.health.reset(id);
      deps.gateway.keys.reset(id); // benched keys get another chance too
      return view(provider);
    },
  };
}
