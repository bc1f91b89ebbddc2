import { errorJson, errorObject } from '../common/model-not-found';

/**
 * Anthropic says a key's credit is spent with a 400 `invalid_request_error` "Your credit balance is too
 * low to access the Anthropic API…", or a `billing_error` (402): this key will not work again until
 * someone pays, another key of the pool may.
 */
export function anthropicQuotaExhausted(status: number, body: string): boolean {
  if (status !== 400 && status !== 402 && status !== 403) return false;
  const e = errorObject(errorJson(body));
  if (e === null) return false;
  if (e.type === 'billing_error') return true;
  return typeof e.message === 'string' && /credit balance is too low/i.test(e.message);
}
