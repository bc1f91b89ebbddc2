import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { RouteMatch } from '../../shared/api-format';
import { detectClient } from '../../shared/client-app';
import type { Settings } from '../../shared/settings';
import { adapterFor } from '../../formats';
import { presentedCredential, tokenMatches, withoutCredentials } from '../http/guard';
import { parseJsonBody, readBody } from '../http/read-body';
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

/**
 * Turns an inbound API request into a RequestContext: local-token check, bounded body read, JSON
 * parse. Answers the client itself (in its format) and returns null when the request goes no further.
 */
export async function intake(
  req: IncomingMessage,
  res: ServerResponse,
  route: RouteMatch,
  query: string,
  settings: Settings,
  localToken: string | null,
  arrived: { startedAt: number; startMono: number },
): Promise<RequestContext | null> {
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

  let body: Buffer | null = null;
  let json: Record<string, unknown> | null = null;
  if (req.method === 'POST') {
    const read = await readBody(req, settings.maxRequestBodyBytes);
    if (!read.ok) {
      if (read.reason === 'too-large') {
        res.shouldKeepAlive = false;
        const message = `request body is larger than ${settings.maxRequestBodyBytes} bytes`;
        sendError(res, adapter, 413, 'payload_too_large', message, { connection: 'close' });
      }
      return null;
    }
    body = read.body;
    const parsed = parseJsonBody(body);
    if (
      !parsed.ok ||
      typeof parsed.value !== 'object' ||
      parsed.value === null ||
      Array.isArray(parsed.value)
    ) {
      sendError(
        res,
        adapter,
        400,
        'bad_request',
        parsed.ok ? 'request body must be a JSON object' : parsed.message,
      );
      return null;
    }
    json = parsed.value as Record<string, unknown>;
  }

  return {
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
    json,
    model: route.urlModel ?? (typeof json?.model === 'string' ? json.model : null),
    stream: adapter.requestStreams(route, json),
    injectedUsage: route.op === 'generate' && adapter.needsInjectedUsage(json),
  };
}
