import type { CallName, CallRequest, CallResults, PushName, Pushes, Result, SluiceApi } from './ipc-contract';

/** Electron IPC channel for calls (`invoke`): args are the call's name and its request. */
export const IPC_CALL_CHANNEL = 'sluice:call';
/** Electron IPC channel for pushes (`send`): args are the push's name and its payload. */
export const IPC_PUSH_CHANNEL = 'sluice:push';

/**
 * The part of Electron's ipcRenderer the preload uses. Structural, so this file stays pure TypeScript
 * (it lives in shared for that reason: the preload imports only electron and shared) and its tests need
 * no Electron.
 */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

type Listener = (payload: unknown) => void;

/**
 * The contract's SluiceApi over Electron IPC, as the preload exposes it to the renderer (`window.sluice`).
 * The renderer never sees ipcRenderer or an IPC event object: only payloads. Calls never reject; a
 * broken channel comes back as an `internal` Result like any other failure.
 */
export function createPreloadApi(ipc: IpcRendererLike): SluiceApi {
  const listeners = new Map<string, Set<Listener>>();
  const onPush = (_event: unknown, name: unknown, payload: unknown): void => {
    if (typeof name !== 'string') return;
    for (const l of listeners.get(name) ?? []) {
      try {
        l(payload);
      } catch (err) {
        // One failing screen must not stop the others from hearing the push.
        console.error('sluice: a push listener threw', err);
      }
    }
  };
  let attached = false;

  return {
    async call<N extends CallName>(name: N, request: CallRequest<N>): Promise<Result<CallResults[N]>> {
      try {
        // Main validates and answers with this call's Result envelope (electron-adapter.ts).
        return (await ipc.invoke(IPC_CALL_CHANNEL, name, request)) as Result<CallResults[N]>;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { ok: false, error: { code: 'internal', message, retryable: true } };
      }
    },
    subscribe<P extends PushName>(push: P, listener: (payload: Pushes[P]) => void): () => void {
      let set = listeners.get(push);
      if (set === undefined) listeners.set(push, (set = new Set()));
      // Pushes arrive named; the name chose this set, so the payload is Pushes[P].
      const l = listener as Listener;
      set.add(l);
      if (!attached) {
        ipc.on(IPC_PUSH_CHANNEL, onPush);
        attached = true;
      }
      return () => {
        set.delete(l);
        if (attached && [...listeners.values()].every((s) => s.size === 0)) {
          ipc.removeListener(IPC_PUSH_CHANNEL, onPush);
          attached = false;
        }
      };
    },
  };
}
