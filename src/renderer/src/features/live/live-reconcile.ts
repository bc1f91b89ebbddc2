import { api, onPushConnection, pushesAreOpen } from '../../api';
import { currentStatus } from '../../lib/status-store';
import type { LiveFeed } from './live-feed';
import { isFinal } from './live-row';

/** How often the page checks its in-flight rows against the gateway's count. */
const CHECK_MS = 5_000;
/** Rows refreshed per check, oldest first. */
const MAX_PER_CHECK = 20;

/**
 * Live batches are droppable (a slow page loses some rather than slowing the gateway), and pushes
 * stop while the EventSource reconnects. So a request's end can go missing, leaving a row that
 * looks in flight forever. This puts such rows right from the store: when the page counts more
 * requests in flight than the gateway does, the oldest are fetched again; after a reconnect the
 * newest page is reloaded.
 */
export function startReconciling(feed: LiveFeed, reloadNewest: () => void): void {
  let busy = false;
  setInterval(() => {
    const status = currentStatus();
    const snap = feed.snapshot();
    if (busy || status === null || snap.inFlight <= status.inFlight) return;
    busy = true;
    const stale = snap.rows.filter((r) => !isFinal(r.status)).slice(-MAX_PER_CHECK);
    void Promise.all(
      stale.map((r) =>
        api.call('requests.get', { requestId: r.id }).then((res) => {
          if (res.ok && res.value !== null) feed.pushRows([res.value.request]);
        }),
      ),
    ).finally(() => {
      busy = false;
    });
  }, CHECK_MS);

  let wasOpen = pushesAreOpen();
  onPushConnection(() => {
    const open = pushesAreOpen();
    if (open && !wasOpen && feed.snapshot().version > 0) reloadNewest();
    wasOpen = open;
  });
}
