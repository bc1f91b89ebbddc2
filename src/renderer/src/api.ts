import type {
  CallName,
  CallRequest,
  CallResults,
  PushName,
  Pushes,
  Result,
  SluiceApi,
} from '../../shared/ipc-contract';
import { readPushes } from './lib/push-reader';
import type { ParsedPush } from './lib/sse-read';

/**
 * The only file that talks to main. In Electron the preload exposes `window.sluice` (a SluiceApi);
 * in a browser the headless gateway serves this page under `/_sluice/` and answers the same calls
 * over HTTP (POST JSON) and pushes over one streamed response (server-sent events read by fetch).
 */

declare global {
  interface Window {
    /** Present in the Electron window (the preload); absent when the gateway serves the page. */
    readonly sluice?: Partial<SluiceApi>;
  }
}

const BASE = '/_sluice/api/';
const PUSHES: readonly PushName[] = ['live', 'status', 'request-row'];
/** The header the session travels in; the gateway answers `token.rotate` with the next one in it. */
const SESSION_HEADER = 'x-sluice-session';
const SESSION_KEY = 'sluice-session';
/** Wait before reconnecting pushes, until the server says otherwise (`retry:`). */
const DEFAULT_RETRY_MS = 2000;
const SIGN_IN =
  'Not signed in: open the Sluice dashboard with the link Sluice prints at start (it carries the local token).';

function failure<T>(message: string, retryable: boolean): Result<T> {
  return { ok: false, error: { code: 'internal', message, retryable } };
}

function isEnvelope(v: unknown): v is Result<unknown> {
  return typeof v === 'object' && v !== null && 'ok' in v && typeof v.ok === 'boolean';
}

type Listener = (payload: unknown) => void;

/** Whether pushes are flowing (the event stream is open); always true in Electron. */
let pushesOpen = false;
const connectionListeners = new Set<() => void>();
function setPushesOpen(open: boolean): void {
  if (open === pushesOpen) return;
  pushesOpen = open;
  for (const l of connectionListeners) l();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The page's session secret, in sessionStorage: only pages of this very origin (scheme, host and port)
 * can read it, and it survives a reload of this tab. Never a cookie: cookies ignore ports, so any other
 * local program serving a page on another port would be sent it. Memory only where storage is refused.
 */
let memorySession: string | null = null;
function readSession(): string | null {
  try {
    return sessionStorage.getItem(SESSION_KEY);
  } catch {
    return memorySession;
  }
}
function writeSession(value: string | null): void {
  memorySession = value;
  try {
    if (value === null) sessionStorage.removeItem(SESSION_KEY);
    else sessionStorage.setItem(SESSION_KEY, value);
  } catch {
    // storage refused: the session lives in memory, for this page load
  }
}

/** The `?token=` the page was opened with, taken out of the address bar (and its history entry) at once. */
function takeToken(): string | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return null;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return token;
}

/** Trades the control token for a session bound to this page's origin; null when refused. */
async function exchange(token: string): Promise<string | null> {
  try {
    const res = await fetch(`${BASE}session`, {
      method: 'POST',
      credentials: 'omit',
      cache: 'no-store',
      headers: { authorization: `Bearer ${token}` },
    });
    const body: unknown = await res.json();
    if (isEnvelope(body) && body.ok) {
      const session = (body.value as { session?: unknown }).session;
      if (typeof session === 'string') {
        writeSession(session);
        return session;
      }
    }
  } catch {
    // unreachable or not JSON: fall back to a session this tab already holds
  }
  return readSession();
}

/**
 * The HTTP transport. The page trades its `?token=` for a session (above) and sends it in a header on
 * every call and on the push stream, from its own origin; the answer to `token.rotate` carries the next
 * one. The push stream is a fetch rather than an EventSource, which cannot send a header.
 */
function createHttpApi(): SluiceApi {
  const listeners = new Map<PushName, Set<Listener>>();
  const token = takeToken();
  const ready: Promise<string | null> = token === null ? Promise.resolve(readSession()) : exchange(token);
  const session = async (): Promise<string | null> => {
    await ready;
    return readSession();
  };
  let pumping = false;

  const deliver = ({ name, payload }: ParsedPush): void => {
    if (!(PUSHES as readonly string[]).includes(name)) return;
    for (const l of listeners.get(name as PushName) ?? []) l(payload);
  };

  /** Keeps the push stream open, reconnecting after each end, until the session is refused. */
  const pump = async (): Promise<void> => {
    let retryMs = DEFAULT_RETRY_MS;
    for (;;) {
      const current = await session();
      if (current === null) break;
      try {
        const res = await fetch(`${BASE}events`, {
          method: 'POST',
          credentials: 'omit',
          cache: 'no-store',
          headers: { [SESSION_HEADER]: current },
        });
        if (res.status === 401 || res.status === 403) {
          // This page may have just rotated the tokens and be about to hold the next session.
          await sleep(retryMs);
          if ((await session()) !== current) continue;
          writeSession(null);
          break;
        }
        if (res.ok && res.body !== null) {
          setPushesOpen(true);
          await readPushes(res.body, deliver, (ms) => (retryMs = ms));
        }
      } catch {
        // the network or the server went away: reconnect below
      }
      setPushesOpen(false);
      await sleep(retryMs);
    }
    setPushesOpen(false);
  };

  return {
    async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<Result<CallResults[N]>> {
      const current = await session();
      if (current === null) return failure(SIGN_IN, false);
      let res: Response;
      try {
        res = await fetch(`${BASE}${name}`, {
          method: 'POST',
          credentials: 'omit',
          headers: { 'content-type': 'application/json', [SESSION_HEADER]: current },
          body: JSON.stringify(request),
        });
      } catch (err) {
        return failure(`Sluice is not reachable (${err instanceof Error ? err.message : String(err)})`, true);
      }
      const next = res.headers.get(SESSION_HEADER);
      if (next !== null) writeSession(next);
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
      if (!pumping) {
        pumping = true;
        void pump();
      }
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
 * so it reopens itself on the new one, on the same screen, carrying the token (which trades for a
 * session of that origin: the old one's sessionStorage is not the new one's). The Electron window talks over IPC and stays where it is. True when the page is
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

/** True while live pushes arrive (false while the push stream reconnects). */
export function pushesAreOpen(): boolean {
  return pushesOpen;
}
