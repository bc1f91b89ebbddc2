import { useSyncExternalStore } from 'react';
import type { StatusView } from '../../../shared/ipc-contract';
import { api } from '../api';

/** The gateway's status: loaded once, then kept current by `status` pushes (and a slow poll as backup). */
const listeners = new Set<() => void>();
let status: StatusView | null = null;
let error: string | null = null;
let started = false;

function set(next: StatusView | null, err: string | null): void {
  status = next ?? status;
  error = err;
  for (const l of listeners) l();
}

async function load(): Promise<void> {
  const r = await api.call('status.get', {});
  if (r.ok) set(r.value, null);
  else set(null, r.error.message);
}

function start(): void {
  if (started) return;
  started = true;
  api.subscribe('status', (s) => set(s, null));
  void load();
  setInterval(() => void load(), 10_000);
}

function subscribe(l: () => void): () => void {
  start();
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The latest status outside React (null before the first answer). */
export function currentStatus(): StatusView | null {
  return status;
}

/** Pushes a fresh status (after a call that returns one, e.g. gateway.setPaused). */
export function setStatus(s: StatusView): void {
  set(s, null);
}

/** The latest status, or null before the first answer; `error` when the gateway cannot be reached. */
export function useStatus(): { status: StatusView | null; error: string | null } {
  const s = useSyncExternalStore(subscribe, () => status);
  const e = useSyncExternalStore(subscribe, () => error);
  return { status: s, error: e };
}
