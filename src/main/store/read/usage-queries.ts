import type BetterSqlite3 from 'better-sqlite3';
import type { RequestFilter, UsageQuery, UsageRow } from '../../../shared/usage';
import type {
  BodyFramer,
  RequestDetail,
  RequestPage,
  RequestPageQuery,
  SummaryQuery,
  SummaryRow,
} from '../../../shared/usage-query';
import { createAttemptsRepo } from '../write/attempts-repo';
import { createCapturesRepo } from '../write/captures-repo';
import { createPricingRepo } from '../write/pricing-repo';
import { createRequestsQuery } from './requests-query';
import { createSummaryRepo } from './summary-repo';

/**
 * Every read the UI and the CLI make, as named functions over one connection: the control layer
 * and `sluice usage` call these and write no SQL of their own.
 */
export interface UsageQueries {
  /** Matching requests, newest first, at most `limit` (default 1000). */
  listRequests(query?: UsageQuery): UsageRow[];
  /** The request list, one keyset page at a time (default 50 rows). */
  pageRequests(query?: RequestPageQuery): RequestPage;
  /** Every matching request, newest first, streamed (exports). */
  iterateRequests(filter?: RequestFilter): IterableIterator<UsageRow>;
  /** One request with its attempts, price and captured frames; undefined when unknown. */
  getRequest(requestId: string): RequestDetail | undefined;
  /** Totals by time bucket and group (dashboards, `sluice usage --group-by`). */
  summarize(query: SummaryQuery): SummaryRow[];
}

/** `framer` turns captured response bytes into the frames a request's detail shows (see createCapturesRepo). */
export function createUsageQueries(db: BetterSqlite3.Database, framer?: BodyFramer): UsageQueries {
  const requests = createRequestsQuery(db);
  const attempts = createAttemptsRepo(db);
  const captures = createCapturesRepo(db, framer);
  const pricing = createPricingRepo(db);
  const summary = createSummaryRepo(db);
  return {
    listRequests: (q = {}) => requests.list(q),
    pageRequests: (q = {}) => requests.page(q),
    iterateRequests: (f = {}) => requests.iterate(f),
    getRequest(requestId) {
      const found = requests.get(requestId);
      if (found === undefined) return undefined;
      return {
        request: found.row,
        pricing: found.pricingId === null ? null : (pricing.byId(found.pricingId) ?? null),
        attempts: attempts.forRequest(requestId),
        capture: captures.forRequest(requestId),
      };
    },
    summarize: (q) => summary.summarize(q),
  };
}
