import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { RouteMatch } from '../../shared/api-format';
import { detectClient } from '../../shared/client-app';
import type { Settings } from '../../shared/settings';
import { adapterFor, type FormatAdapter } from '../../formats';
import { presentedCredential, tokenMatches, withoutCredentials } from '../http/guard';
import type { BodyBudget } from '../http/body-budget';
import { readBody } from '../http/read-body';
import type { ThrottledLog } from '../http/throttled-log';
import { MAX_MODEL_CHARS, longModel, readJson, type ReadJson, type Refusal } from './body-json';
import type { RequestContext } from './request-context';
import { sendError } from '../http/respond';

/** Request ids: 128 random bits as hex, cut from a pool refilled 256 ids at a time (one system call each). */
const ID_BYTES = 16;
const ID_POOL = 256;
let idPool = Buffer.alloc(0);
let idAt = 0;
export function newRequestId(): string {
  if (idAt >= idPool.length) {
    idPool = randomBytes(ID_BYTES * ID_POOL);
    idAt = 0;
  }
  idAt += ID_BYTES;
  return idPool.toString('hex', idAt - ID_BYTES, idAt);
}

/** What intake shares across requests: the memory budget of bodies in flight, and the operator's log. */
export interface IntakeDeps {
  budget: BodyBudget;
  log: ThrottledLog;
}

/** An admitted request, and how to give back what its body holds of the budget (once, when it ends). */
export interface Admitted {
  ctx: RequestContext;
  release: () => void;
}

/** Sends `refusal` and closes the connection once it is out (bounded: a client that keeps sending is cut). */
function refuseAndClose(res: ServerResponse, adapter: FormatAdapter, refusal: Refusal): void {
  res.shouldKeepAlive = false;
  sendError(res, adapter, refusal.status, refusal.code, refusal.message, { connection: 'close' });
  const socket = res.req.socket;
  res.once('finish', () => setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref());
}
/** How long a refused connection may linger after its answer before it is cut. */
const CLOSE_GRACE_MS = 1_000;

function contentLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * Turns an inbound API request into a RequestContext: local-token check, a share of the bodies-in-flight
 * budget, bounded body read (size and time), JSON read, model checks. Answers the client itself (in its
 * format) and returns null when the request goes no further.
 */
export async function intake(
  req: IncomingMessage,
  res: ServerResponse,
  route: RouteMatch,
  query: string,
  settings: Settings,
  localToken: string | null,
  arrived: { startedAt: number; startMono: number },
  deps: IntakeDeps,
): Promise<Admitted | null> {
  const adapter = adapterFor(route.format);
  let headers = req.headers;
  if (settings.requireLocalToken) {
    if (localToken === null || !tokenMatches(presentedCredential(req.headers, query), localToken)) {
      sendError(
        res,
        adapter,
        401,
        'forbidden',
        "Sluice requires its local token as the API key (see the app's Setup screen)",
      );
      return null;
    }
    // The token opened Sluice's door; it must not travel on to a provider.
    const clean = withoutCredentials(req.headers, query);
    headers = clean.headers;
    query = clean.query;
  }

  let held = 0;
  const release = (): void => {
    deps.budget.release(held);
    held = 0;
  };
  let body: Buffer | null = null;
  let read: ReadJson | null = null;
  if (req.method === 'POST') {
    const limit = settings.maxBodiesInFlightBytes;
    const overloaded: Refusal = {
      status: 503,
      code: 'overloaded',
      message: `Sluice holds as many request bodies as maxBodiesInFlightBytes (${limit} bytes) allows; retry shortly`,
    };
    const declared = contentLength(req);
    if (declared !== null && declared > 0 && declared <= settings.maxRequestBodyBytes) {
      const took = await deps.budget.take(declared, limit, settings.bodiesInFlightWaitMs);
      if (took === null) {
        deps.log.line(
          'bodies',
          `Sluice: ${overloaded.message} (a request waited ${settings.bodiesInFlightWaitMs} ms and got a 503)`,
        );
        refuseAndClose(res, adapter, overloaded);
        return null;
      }
      held = took;
    }
    const result = await readBody(req, settings.maxRequestBodyBytes, {
      timeoutMs: settings.requestBodyTimeoutMs,
      ...(declared === null
        ? {
            take: (bytes: number) => {
              if (!deps.budget.tryTake(bytes, limit)) return false;
              held += bytes;
              return true;
            },
          }
        : {}),
    });
    if (!result.ok) {
      release();
      if (result.reason === 'too-large') {
        const message = `request body is larger than ${settings.maxRequestBodyBytes} bytes`;
        refuseAndClose(res, adapter, { status: 413, code: 'payload_too_large', message });
      } else if (result.reason === 'timeout') {
        const message = `request body did not arrive whole within requestBodyTimeoutMs (${settings.requestBodyTimeoutMs} ms)`;
        deps.log.line('body-timeout', `Sluice: a ${message}; answered 408 and closed its connection`);
        refuseAndClose(res, adapter, { status: 408, code: 'request_timeout', message });
      } else if (result.reason === 'over-budget') {
        deps.log.line('bodies', `Sluice: ${overloaded.message} (a body of unknown length got a 503)`);
        refuseAndClose(res, adapter, overloaded);
      }
      return null;
    }
    body = result.body;
    read = readJson(body);
    if (!read.ok) {
      release();
      sendError(res, adapter, read.refusal.status, read.refusal.code, read.refusal.message);
      return null;
    }
  }

  const view = read?.ok === true ? read.view : null;
  const model = route.urlModel ?? (typeof view?.model === 'string' ? view.model : null);
  if (model !== null && model.length > MAX_MODEL_CHARS) {
    release();
    const refusal = longModel();
    sendError(res, adapter, refusal.status, refusal.code, refusal.message);
    return null;
  }
  const json = read?.ok === true ? read.json : () => null;
  let replaced: { value: Record<string, unknown> | null } | null = null;
  const ctx: RequestContext = {
    id: newRequestId(),
    startedAt: arrived.startedAt,
    startMono: arrived.startMono,
    route,
    format: route.format,
    adapter,
    method: req.method ?? 'GET',
    query,
    headers,
    client: detectClient(req.headers),
    settings,
    req,
    res,
    abort: new AbortController(),
    body,
    // A large body is parsed only when something reads it (a rewrite), once.
    get json() {
      return replaced === null ? json() : replaced.value;
    },
    set json(value) {
      replaced = { value };
    },
    view,
    model,
    stream: adapter.requestStreams(route, view),
    injectedUsage: route.op === 'generate' && adapter.needsInjectedUsage(view),
  };
  return { ctx, release };
}
