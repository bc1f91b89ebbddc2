import type { ProviderConfig } from '../../shared/config';
import type { CaptureSink, Clock, LiveSink, SettingsSource, UsageSink } from './ports';
import type { RequestContext } from './request-context';
import type { UpstreamPools } from './upstream';
import type { HealthBook } from './health';
import type { RateLimiter } from './rate-limit';
import type { SignatureBook } from './signature-book';
import { servedKey, type KeyPool } from './key-pool';
import type { AffinityBook } from './affinity';
import type { WeightedTurns } from './weights';
import { chooseCandidates, type Routing } from './candidates';
import { attemptUntilCommitted, type Serve } from './failover';
import { RequestLedger, type Ending } from './ledger';
import { relay } from './relay';
import { answerInternalError, answerUnserved } from './unserved';

export interface PipelineDeps {
  source: SettingsSource;
  usage: UsageSink;
  live: LiveSink;
  clock: Clock;
  pools: UpstreamPools;
  health: HealthBook;
  limiter: RateLimiter;
  /** Gemini tool-call signatures a translated client cannot carry, for its next turns. */
  signatures?: SignatureBook;
  /** Per-key turns and benches of providers' key pools (absent: each provider's `apiKey` as it is). */
  keys?: KeyPool;
  /** Raw frames and (optionally) request bodies for the inspector. */
  capture?: CaptureSink;
  /** Whose weighted turn it is, per set of providers sharing requests (absent: no balancing). */
  turns?: WeightedTurns;
  /** Which provider served each conversation's last turn (absent: no session affinity). */
  affinity?: AffinityBook;
}

/** What choosing a chain reads besides the providers; null when the gateway keeps no turn state. */
function routingOf(ctx: RequestContext, deps: PipelineDeps): Routing | null {
  if (deps.turns === undefined || deps.affinity === undefined) return null;
  return {
    routes: deps.source.routes?.() ?? [],
    turns: deps.turns,
    affinity: deps.affinity,
    available: (p) => deps.health.check(p.id, ctx.settings, false) === null && !deps.limiter.atLimit(p),
  };
}

/**
 * One request's life, top to bottom — the map of the proxy (DESIGN.md §1). What is recorded about it
 * (usage row, attempts, live events, capture, health, redaction) is the ledger's business, not the flow's.
 */
export async function runPipeline(ctx: RequestContext, deps: PipelineDeps): Promise<void> {
  const providers = deps.source.providers();
  const ledger = new RequestLedger(ctx, deps, providers); // 1. on record from arrival
  let ending: Ending;
  try {
    // 2. who may serve it, in order: a route or the default chain; affinity or a weighted turn first
    const { chain, choice, conversation } = chooseCandidates(ctx, providers, ledger, routingOf(ctx, deps));
    ledger.routed(choice);
    const serve: Serve = (committed, attempts) => {
      const p = committed.provider; // the provider with the one key this attempt carried
      if (conversation !== null) deps.affinity?.served(conversation, p.id, servedKey(p));
      return relay(ctx, committed, attempts, ledger, deps.clock);
    };
    // The key that served the conversation's last turn on a provider goes first in its pool.
    const preferKey = (p: ProviderConfig): string | undefined =>
      conversation === null ? undefined : deps.affinity?.keyFor(conversation, p.id);
    // 3. attempt after attempt until one commits (failover before the first byte), 4. then relay it
    const walk = await attemptUntilCommitted(ctx, chain, deps, ledger, serve, preferKey);
    ending = walk.kind === 'served' ? walk.ending : answerUnserved(ctx, walk, providers, ledger, deps.clock);
  } catch (err) {
    ending = answerInternalError(ctx, err, ledger);
  }
  ledger.finish(ending); // 5. exactly one ending, recorded once
}
