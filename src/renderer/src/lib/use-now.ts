import { useSyncExternalStore } from 'react';

/**
 * One shared clock for everything that ticks (TTFB of waiting requests, cooldowns): a single
 * interval that runs only while something is subscribed.
 */
const TICK_MS = 100;
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;
let now = Date.now();

function subscribe(l: () => void): () => void {
  listeners.add(l);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const f of listeners) f();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(l);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const noop = (): (() => void) => () => {};

/** The current time in ms, re-rendering every 100 ms while `active`; a fixed value otherwise. */
export function useNow(active = true): number {
  return useSyncExternalStore(active ? subscribe : noop, () => (active ? now : 0));
}
