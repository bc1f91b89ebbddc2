import type { ClientApp } from '../../shared/usage';
import type { Database } from '../store/schema/db';
import { createRequestsQuery } from '../store/read/requests-query';
import type { UsageQueries } from '../store/read/usage-queries';
import type { UsageReads } from './deps';

/**
 * The control API's reads over the store's queries. Each first writes whatever the usage writer still
 * holds (`flush`, synchronous and cheap when nothing is queued), so a request the UI just saw finish
 * is never missing from the list or stale in the inspector.
 */
export function usageReads(db: Database, queries: UsageQueries, flush: () => void): UsageReads {
  // A bare row for the `request-row` push: getRequest would also decode the request's captured frames.
  const requests = createRequestsQuery(db);
  const newest = (client: ClientApp): number | null => {
    const top = queries.pageRequests({ client, limit: 1 }).rows[0];
    return top === undefined ? null : Date.parse(top.startedAt);
  };
  return {
    page(query) {
      flush();
      return queries.pageRequests(query);
    },
    detail(requestId) {
      flush();
      return queries.getRequest(requestId) ?? null;
    },
    row(requestId) {
      flush();
      return requests.get(requestId)?.row ?? null;
    },
    summary(query) {
      flush();
      return queries.summarize(query);
    },
    rows(filter) {
      flush();
      return queries.iterateRequests(filter);
    },
    lastSeenMs(clients) {
      flush();
      let best: number | null = null;
      for (const c of clients) {
        const at = newest(c);
        if (at !== null && (best === null || at > best)) best = at;
      }
      return best;
    },
  };
}
