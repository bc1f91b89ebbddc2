import { errorJson, errorObject } from './model-not-found';

/**
 * OpenAI (Chat Completions and Responses share it) says an account is out of credit with a 429 whose
 * `error.code` (and `type`) is `insufficient_quota` — unlike a rate limit, waiting does not help;
 * another key of the pool may.
 */
export function openAiQuotaExhausted(status: number, body: string): boolean {
  if (status !== 429 && status !== 403) return false;
  const e = errorObject(errorJson(body));
  return e !== null && (e.code === 'insufficient_quota' || e.type === 'insufficient_quota');
}
