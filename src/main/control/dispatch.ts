import { describeConfigIssues } from '../../shared/config';
import { SluiceError, errorMessage, type SerializedError } from '../../shared/errors';
import {
  CALLS,
  type CallName,
  type CallRequest,
  type CallResults,
  type Result,
} from '../../shared/ipc-contract';
import { redactSecrets } from '../../shared/redact';
import { ConfigError } from '../config/runtime-config';

/** One handler per call; may answer synchronously or not. */
export type Handler<N extends CallName> = (
  request: CallRequest<N>,
) => CallResults[N] | Promise<CallResults[N]>;

export type ControlHandlers = { [N in CallName]: Handler<N> };

/**
 * How a call went, for the transport: `invalid` (the payload failed its schema) and `unknown-call`
 * are the caller's mistakes and map to HTTP 400 / 404; `done` carries the handler's Result, ok or not.
 */
export type Dispatched =
  { kind: 'done'; result: Result<unknown> } | { kind: 'invalid' | 'unknown-call'; result: Result<never> };

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(CALLS, name);
}

function failure(code: SerializedError['code'], message: string): { ok: false; error: SerializedError } {
  return { ok: false, error: { code, message, retryable: false } };
}

/** Any thrown value as data: a stable code and a message, never a stack, with known secrets redacted. */
export function toSerializedError(err: unknown, secrets: readonly string[] = []): SerializedError {
  if (err instanceof SluiceError) {
    const out = err.toJSON();
    return { ...out, message: redactSecrets(out.message, secrets) };
  }
  if (err instanceof ConfigError)
    return { code: 'config_invalid', message: redactSecrets(err.message, secrets), retryable: false };
  return { code: 'internal', message: redactSecrets(errorMessage(err), secrets), retryable: false };
}

/**
 * Validates a call's name and payload against the contract, runs its handler and wraps the outcome in
 * the Result envelope. Never throws: errors cross every transport only as data.
 */
export async function dispatch(
  handlers: ControlHandlers,
  name: unknown,
  payload: unknown,
  secrets: () => readonly string[] = () => [],
): Promise<Dispatched> {
  if (!isCallName(name)) {
    const shown = typeof name === 'string' ? `"${name.slice(0, 64)}"` : typeof name;
    return { kind: 'unknown-call', result: failure('not_found', `no control call ${shown}`) };
  }
  const parsed = CALLS[name].safeParse(payload ?? {});
  if (!parsed.success) {
    const issues = describeConfigIssues(parsed.error.issues).join('; ');
    return {
      kind: 'invalid',
      result: failure('bad_request', redactSecrets(`${name}: ${issues}`, secrets())),
    };
  }
  // The schema just checked the payload against this very call, so the handler gets its own request type.
  const handler = handlers[name] as (request: unknown) => unknown;
  try {
    const value = await handler(parsed.data);
    return { kind: 'done', result: { ok: true, value } };
  } catch (err) {
    return { kind: 'done', result: { ok: false, error: toSerializedError(err, secrets()) } };
  }
}
