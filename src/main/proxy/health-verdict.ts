import type { Failure } from '../../shared/failure';
import { failureText } from '../../shared/failure';
import type { Settings } from '../../shared/settings';
import type { HealthBook } from './health';

/**
 * Failures that say nothing about the provider's health: the client left; the provider has no such model;
 * the request carried another provider's thinking signatures; a non-streaming answer was merely slow.
 */
const NO_VERDICT: ReadonlySet<Failure['code']> = new Set([
  'client_aborted',
  'model_not_found',
  'thinking_signature',
  'non_stream_timeout',
  'untranslatable',
]);

/** Statuses that say the provider's credentials are wrong: no use trying the same key again. */
export function isCredentialFailure(status: number | null): boolean {
  return status === 401 || status === 403;
}

/** What happened to one attempt, as far as the provider's health is concerned. */
export interface AttemptOutcome {
  /** Null: it did its job. */
  failure: Failure | null;
  status: number | null;
  retryAfterMs: number | null;
  /** The failing body's first bytes, already redacted. */
  bodyHead: string | null;
}

/**
 * A provider's health from one attempt's outcome. A failure that says nothing either way
 * (`NO_VERDICT`: the client left, no such model, a slow non-stream answer) gives a half-open probe slot
 * back; bad credentials are marked so the Providers screen says so; a Retry-After on 429/503/529
 * cools the provider down. `redact` is the ledger's: the health text reaches the renderer.
 */
export function judgeHealth(
  health: HealthBook,
  s: Settings,
  providerId: string,
  o: AttemptOutcome,
  redact: (text: string) => string,
): void {
  const { failure, status } = o;
  if (failure === null) return health.record(providerId, s, true);
  if (NO_VERDICT.has(failure.code)) return health.release(providerId, s);
  if (isCredentialFailure(status)) {
    health.markCredentials(providerId, s, `HTTP ${status}: ${o.bodyHead?.slice(0, 200) ?? 'no body'}`);
  }
  health.record(providerId, s, false, redact(failureText(failure)));
  if (o.retryAfterMs !== null && (status === 429 || status === 503 || status === 529)) {
    health.cooldown(providerId, s, o.retryAfterMs);
  }
}
