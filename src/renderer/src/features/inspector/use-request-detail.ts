import { useEffect, useState } from 'react';
import type { RequestDetail } from '../../../../shared/usage-query';
import { api } from '../../api';

export type DetailState =
  | { state: 'loading' }
  | { state: 'missing' }
  | { state: 'ready'; detail: RequestDetail }
  | { state: 'failed'; message: string };

const FINAL = new Set(['completed', 'failed', 'aborted', 'interrupted']);
/** While the store has not recorded the end yet, ask again this often, this many times. */
const RETRY_MS = 250;
const RETRIES = 20;

/**
 * The stored detail of a request (attempts, capture, cost). Loaded when opened and again once the
 * request finishes (`finished` flips), retrying briefly until the store has the final row.
 */
export function useRequestDetail(requestId: string | null, finished: boolean): DetailState {
  const [state, setState] = useState<DetailState>({ state: 'loading' });
  useEffect(() => {
    if (requestId === null) return;
    let live = true;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = (): void => {
      void api.call('requests.get', { requestId }).then((r) => {
        if (!live) return;
        if (!r.ok) return setState({ state: 'failed', message: r.error.message });
        const d = r.value;
        if (d === null) {
          setState((s) => (s.state === 'ready' ? s : { state: 'missing' }));
        } else setState({ state: 'ready', detail: d });
        const settled = d !== null && FINAL.has(d.request.status);
        if (finished && !settled && ++tries < RETRIES) timer = setTimeout(load, RETRY_MS);
      });
    };
    load();
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [requestId, finished]);
  useEffect(() => {
    setState({ state: 'loading' });
  }, [requestId]);
  return state;
}
