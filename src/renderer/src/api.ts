import type {
  CallName,
  CallRequest,
  CallResults,
  PushName,
  Pushes,
  Result,
  SluiceApi,
} from '../../shared/ipc-contract';

/**
 * The only file that talks to main. In Electron the preload exposes `window.sluice` (a SluiceApi);
 * in a browser the headless gateway serves this page under `/_sluice/` and answers the same calls
 * over HTTP (POST JSON) and pushes over one EventSource.
 */

declare global {
  interface Window {
    /** Present in the Electron window (the preload); absent when the gateway serves the page. */
    readonly sluice?: Partial<SluiceApi>;
  }
}

const BASE = '/_sluice/api/';
const PUSHES: readonly PushName[] = ['live', 'status', 'request-row'];

function failure<T>(message: string, retryable: boolean): Result<T> {
  return { ok: false, error: { code: 'internal', message, retryable } };
}

function isEnvelope(v: unknown): v is Result<unknown> {
  return typeof v === 'object' && v !== null && 'ok' in v && typeof v.ok === 'boolean';
}

type Listener = (payload: unknown) => void;

/** Whether pushes are flowing (the EventSource is open); always true in Electron. */
let pushesOpen = false;
const connectionListeners = new Set<() => void>();
function setPushesOpen(open: boolean): void {
  if (open === pushesOpen) return;
  pushesOpen = open;
  for (const l of connectionListeners) l();
}

/**
 * The HTTP transport: the page's HttpOnly cookie (set when it was opened with `?token=`, renewed by the
 * answer to `token.rotate`) authorises it.
 */
function createHttpApi(): SluiceApi {
  const listeners = new Map<PushName, Set<Listener>>();
  let source: EventSource | null = null;

  const ensureSource = (): void => {
    if (source !== null) return;
    // EventSource reconnects on its own after a network error; an auth failure closes it for good.
    source = new EventSource(`${BASE}events`);
    source.addEventListener('open', () => setPushesOpen(true));
    source.addEventListener('error', () => setPushesOpen(false));
    for (const name of PUSHES) {
      source.addEventListener(name, (e: MessageEvent<string>) => {
        let payload: unknown;
        try {
          payload = JSON.parse(e.data);
        } catch {
          return;
        }
        for (const l of listeners.get(name) ?? []) l(payload);
      });
    }
  };

  return {
    async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<Result<CallResults[N]>> {
      let res: Response;
      try {
        res = await fetch(`${BASE}${name}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
        });
      } catch (err) {
        return failure(`Sluice is not reachable (${err instanceof Error ? err.message : String(err)})`, true);
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        return failure(`${name}: HTTP ${res.status} without a JSON answer`, res.status >= 500);
      }
      if (isEnvelope(body)) return body as Result<CallResults[N]>;
      return failure(`${name}: HTTP ${res.status}, unexpected answer`, false);
    },
    subscribe<P extends PushName>(push: P, listener: (payload: Pushes[P]) => void): () => void {
      ensureSource();
      let set = listeners.get(push);
      if (set === undefined) listeners.set(push, (set = new Set()));
      const l = listener as Listener;
      set.add(l);
      return () => {
        set.delete(l);
      };
    },
  };
}

function preloadApi(): SluiceApi | null {
  const s = window.sluice;
  if (s === undefined || typeof s.call !== 'function' || typeof s.subscribe !== 'function') return null;
  pushesOpen = true;
  return { call: s.call.bind(s), subscribe: s.subscribe.bind(s) };
}

const preload = preloadApi();

/** The API the whole renderer uses. */
export const api: SluiceApi = preload ?? createHttpApi();

/**
 * After `gateway.setPort`: a page the gateway serves came from the old port, which no longer answers,
 * so it reopens itself on the new one, on the same screen, carrying the token (which trades for that
 * port's own cookie). The Electron window talks over IPC and stays where it is. True when the page is
 * leaving.
 */
export function followGateway(port: number, token: string): boolean {
  if (preload !== null) return false;
  const next = new URL(window.location.href);
  next.port = String(port);
  next.pathname = '/_sluice/';
  next.search = `?${new URLSearchParams({ token }).toString()}`;
  window.location.assign(next.toString());
  return true;
}

/** Calls and unwraps: resolves with the value, rejects with an Error carrying the envelope's message. */
export async function callOrThrow<N extends CallName>(
  name: N,
  request: CallRequest<N>,
): Promise<CallResults[N]> {
  const r = await api.call(name, request);
  if (r.ok) return r.value;
  throw new Error(r.error.message);
}

/** Subscribes to changes of {@link pushesAreOpen}. */
export function onPushConnection(listener: () => void): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

/** True while live pushes arrive (false while the browser's EventSource reconnects). */
export function pushesAreOpen(): boolean {
  return pushesOpen;
}
