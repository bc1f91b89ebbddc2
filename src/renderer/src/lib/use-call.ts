import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallName, CallRequest, CallResults } from '../../../shared/ipc-contract';
import { api } from '../api';

export type Loaded<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; message: string };

/**
 * Loads one call's result and reloads when `key` changes or `reload()` is called. A stale answer
 * (the key changed meanwhile) is dropped. The previous value stays visible while reloading.
 */
export function useCall<N extends CallName>(
  name: N,
  request: CallRequest<N>,
  key: string = JSON.stringify(request),
): [Loaded<CallResults[N]>, () => void, (value: CallResults[N]) => void] {
  const [loaded, setLoaded] = useState<Loaded<CallResults[N]>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const req = useRef(request);
  req.current = request;
  useEffect(() => {
    let live = true;
    void api.call(name, req.current).then((r) => {
      if (!live) return;
      setLoaded(r.ok ? { state: 'ready', value: r.value } : { state: 'failed', message: r.error.message });
    });
    return () => {
      live = false;
    };
  }, [name, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((value: CallResults[N]) => setLoaded({ state: 'ready', value }), []);
  return [loaded, reload, set];
}
