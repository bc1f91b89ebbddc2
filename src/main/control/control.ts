import type {
  CallName,
  CallRequest,
  CallResults,
  PushName,
  Pushes,
  Result,
  SluiceApi,
} from '../../shared/ipc-contract';
import type { ControlDeps } from './deps';
import { dispatch, type ControlHandlers, type Dispatched } from './dispatch';
import { createHandlers } from './handlers';
import { createHttpAdapter, type HttpAdapter } from './http-adapter';
import { providerSecrets } from '../../shared/provider-secrets';
import { PushHub } from './push-hub';
import { statusView } from './status-handlers';

/** The control layer of a running Sluice: handlers, pushes and the HTTP adapter built on them. */
export interface Control {
  readonly handlers: ControlHandlers;
  readonly pushes: PushHub;
  /** The contract's API in-process (the tray uses it; so can tests): same validation, same envelope. */
  readonly api: SluiceApi;
  /** Validates and runs one call from any transport. */
  dispatch(name: unknown, payload: unknown): Promise<Dispatched>;
  readonly http: HttpAdapter;
  close(): void;
}

export interface ControlOptions {
  /** The built renderer the dashboard serves (out/renderer); absent → a "not built" page. */
  dashboardDir?: string;
}

export function createControl(deps: ControlDeps, opts: ControlOptions = {}): Control {
  const hub = new PushHub(deps, () => statusView(deps));
  const handlers = createHandlers(deps, {
    statusChanged: () => hub.statusChanged(),
    // Sessions and push streams were let in with the old token: they end, and only a caller holding the
    // new one returns. (`http` is built below, on the dispatcher; a handler runs only once createControl
    // has returned.)
    tokenRotated: () => http.tokenRotated(),
  });
  // Messages from handlers can quote what a provider said; none may carry a credential or the token.
  const secrets = (): string[] => [
    ...providerSecrets(deps.config.providers()),
    deps.token(),
    deps.apiToken(),
  ];
  const run = (name: unknown, payload: unknown): Promise<Dispatched> =>
    dispatch(handlers, name, payload, secrets);

  const api: SluiceApi = {
    async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<Result<CallResults[N]>> {
      // The dispatcher ran this call's own handler, so the value is this call's result type.
      return (await run(name, request)).result as Result<CallResults[N]>;
    },
    subscribe<P extends PushName>(push: P, listener: (payload: Pushes[P]) => void): () => void {
      return hub.subscribe((m) => {
        // `m.name === push` ties the payload to the push named P.
        if (m.name === push) listener(m.payload as Pushes[P]);
      });
    },
  };

  const http = createHttpAdapter({
    dispatch: run,
    pushes: hub,
    token: () => deps.token(),
    port: () => deps.port(),
    dashboardDir: opts.dashboardDir,
    log: (line) => deps.log(line),
  });

  return {
    handlers,
    pushes: hub,
    api,
    dispatch: run,
    http,
    close() {
      http.close();
      hub.close();
    },
  };
}
