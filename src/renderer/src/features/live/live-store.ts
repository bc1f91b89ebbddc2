import { useSyncExternalStore } from 'react';
import { api } from '../../api';
import { LiveFeed } from './live-feed';
import { startReconciling } from './live-reconcile';
import type { LiveRow } from './live-row';
import { MAX_LIVE_ROWS, type LiveSnapshot } from './live-table';
import type { RequestTrace } from './request-trace';

/** The page's one live feed: pushes in, coalesced snapshots out. */
export const liveFeed = new LiveFeed();

const PAGE_SIZE = 500;
let started = false;
let nextCursor: string | null = null;
let loadingOlder = false;

function loadNewest(first: boolean): void {
  void api.call('requests.page', { limit: PAGE_SIZE }).then((r) => {
    if (!r.ok) return;
    if (first) nextCursor = r.value.nextCursor;
    liveFeed.pushRows(r.value.rows);
    liveFeed.flush();
  });
}

/** Subscribes to pushes first, then loads the newest page, so nothing falls between the two. */
export function startLive(): void {
  if (started) return;
  started = true;
  api.subscribe('live', (events) => liveFeed.pushEvents(events));
  api.subscribe('request-row', (row) => liveFeed.pushRows([row]));
  loadNewest(true);
  startReconciling(liveFeed, () => loadNewest(false));
}

/** Loads the next older page (at the end of the list); resolves false when there is none. */
export async function loadOlder(): Promise<boolean> {
  // Older rows than the list holds would fall off its end at once.
  if (nextCursor === null || loadingOlder || liveFeed.snapshot().rows.length >= MAX_LIVE_ROWS) return false;
  loadingOlder = true;
  try {
    const r = await api.call('requests.page', { limit: PAGE_SIZE, cursor: nextCursor });
    if (!r.ok) return false;
    nextCursor = r.value.nextCursor;
    liveFeed.pushRows(r.value.rows);
    return true;
  } finally {
    loadingOlder = false;
  }
}

export function hasOlder(): boolean {
  return nextCursor !== null;
}

const subscribe = (l: () => void): (() => void) => liveFeed.subscribe(l);

/** The Live list, re-rendering at most 20 times a second. */
export function useLiveSnapshot(): LiveSnapshot {
  startLive();
  return useSyncExternalStore(subscribe, () => liveFeed.snapshot());
}

/** One request's live trace (frames, attempts, smoothing), or undefined when none was seen. */
export function useTrace(requestId: string | null): RequestTrace | undefined {
  startLive();
  return useSyncExternalStore(subscribe, () => (requestId === null ? undefined : liveFeed.trace(requestId)));
}

/** One row of the Live list by id (undefined when not held), updated with the list. */
export function useLiveRow(requestId: string | null): LiveRow | undefined {
  startLive();
  return useSyncExternalStore(subscribe, () =>
    requestId === null ? undefined : liveFeed.table.row(requestId),
  );
}
