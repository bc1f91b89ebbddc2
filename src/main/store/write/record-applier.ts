import type BetterSqlite3 from 'better-sqlite3';
import { costUsd, promptTokens, type PriceBook } from '../../../shared/pricing';
import type { AttemptRecord, RequestFinish, RequestStart } from '../../../shared/usage';
import { createAttemptsRepo } from './attempts-repo';
import { createPricingRepo } from './pricing-repo';
import { createRequestsRepo, NO_CHARGE, type Charge } from './requests-repo';

/** One queued lifecycle record, as the proxy reported it. */
export type UsageRecord =
  | { kind: 'start'; start: RequestStart }
  | { kind: 'streaming'; requestId: string }
  | { kind: 'finish'; finish: RequestFinish }
  | { kind: 'attempt'; attempt: AttemptRecord };

/** Applies queued records to the tables; the writer calls it inside its batch transaction. */
export interface RecordApplier {
  /**
   * Applies records in order until `deadline` (performance.now() ms) passes, at least one; returns how
   * many it applied. Picks up price edits made since the previous call.
   */
  applyUntil(records: readonly UsageRecord[], deadline: number): number;
}

// The clock is read every few records only: it costs about what a small statement does.
const CLOCK_EVERY = 8;

/**
 * Prices a finish at record time, with the prices in force now: the row stores the cost and the
 * rule, so a later price change never rewrites what a request cost. The billed model is the upstream
 * one when the provider mapped it, else the one the client asked for.
 */
export function charge(book: PriceBook, f: RequestFinish, requestedModel: string | null): Charge {
  const rule = book.match(f.upstreamModel ?? requestedModel, f.provider, promptTokens(f));
  if (rule === null) return NO_CHARGE;
  const cost = costUsd(rule, f);
  return cost === null ? NO_CHARGE : { costUsd: cost, pricingId: rule.id };
}

export function createRecordApplier(db: BetterSqlite3.Database): RecordApplier {
  const requests = createRequestsRepo(db);
  const attempts = createAttemptsRepo(db);
  const pricing = createPricingRepo(db);
  const apply = (r: UsageRecord, book: PriceBook, finishing: ReadonlySet<string>): void => {
    switch (r.kind) {
      case 'start':
        requests.insertStarted(r.start);
        return;
      case 'streaming':
        // Its finish is in the same batch: the row goes straight from pending to final.
        if (!finishing.has(r.requestId)) requests.markStreaming(r.requestId);
        return;
      case 'finish': {
        // Unknown (its start was dropped from a full queue, a loss already counted) or already
        // final: nothing to record, and nothing to count twice.
        const open = requests.openRequest(r.finish.requestId);
        if (open === undefined) return;
        requests.applyFinish(r.finish, charge(book, r.finish, open.model), open);
        return;
      }
      case 'attempt':
        attempts.insert(r.attempt);
        return;
    }
  };
  return {
    applyUntil(records, deadline) {
      const book = pricing.book();
      const finishing = new Set<string>();
      for (const r of records) if (r.kind === 'finish') finishing.add(r.finish.requestId);
      return requests.batched(() => {
        let n = 0;
        while (n < records.length) {
          apply(records[n]!, book, finishing);
          n++;
          if (n % CLOCK_EVERY === 0 && performance.now() > deadline) break;
        }
        return n;
      });
    },
  };
}
