import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Result } from '../../shared/ipc-contract';
import { errorMessage, type SerializedError } from '../../shared/errors';
import { tokenMatches } from '../config/local-token';
import { checkOrigin } from '../http/guard';
import { parseJsonBody, readBody } from '../http/read-body';
import type { ExtraHandler } from '../http/extra-handler';
import { dashboardHeaders, serveDashboardFile } from './dashboard-files';
import type { Dispatched } from './dispatch';
import {
  DashboardSessions,
  SESSION_HEADER,
  crossSiteReason,
  hasControlToken,
  staleTokenCookies,
  type DashboardSession,
} from './http-auth';
import type { PushHub } from './push-hub';
import { SseStream } from './sse-stream';

export const CONTROL_PREFIX = '/_sluice/';
/** Largest control call body; every contract payload is far smaller. */
export const MAX_CONTROL_BODY_BYTES = 1024 * 1024;

export interface HttpAdapterOptions {
  dispatch(name: string, payload: unknown): Promise<Dispatched>;
  pushes: PushHub;
  /** The control token now (it may be rotated while Sluice runs). */
  token(): string;
  port(): number;
  /** The built renderer (out/renderer); undefined → the page says it is not built. */
  dashboardDir: string | undefined;
  log(line: string): void;
  /** Clock for session expiry (tests); default Date.now. */
  now?: () => number;
}

export interface HttpAdapter {
  /** Mount on the gateway: it runs after the gateway's Host/Origin guard, for paths under `/_sluice/`. */
  readonly handle: ExtraHandler;
  /**
   * The tokens were rotated: every dashboard session ends, and every open push stream ends after what
   * it has queued, asking its client to reconnect at once (only one holding a live credential returns).
   */
  tokenRotated(): void;
  /** Ends every open push stream. */
  close(): void;
}

/** How soon a client reconnects to a push stream ended by {@link HttpAdapter.tokenRotated}. */
const RECONNECT_MS = 100;

const SIGN_IN =
  'Open the Sluice dashboard with the link Sluice prints at start (it carries the local token).';

function sendJson(
  res: ServerResponse,
  status: number,
  body: Result<unknown>,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(text);
}

function refusal(code: SerializedError['code'], message: string): Result<never> {
  return { ok: false, error: { code, message, retryable: false } };
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...dashboardHeaders('text/plain; charset=utf-8'),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(text);
}

/** Who a control call comes from: a script holding the control token, or a dashboard page's session. */
type Caller = { kind: 'token' } | { kind: 'session'; session: DashboardSession };

/**
 * The control API and dashboard over HTTP:
 * - `GET /_sluice/…` → the built renderer with a strict CSP. The files hold no secret and are served to
 *   anyone (a reload must work without a cookie); a `?token=` that is not the control token gets a 401
 *   that says so. The page itself trades the token for a session and drops it from the address bar.
 * - `POST /_sluice/api/session` with `Authorization: Bearer <control token>` and the page's own Origin
 *   → `{ session }`: a secret the page sends as `X-Sluice-Session` (DashboardSessions says why).
 * - `POST /_sluice/api/<call>` with a JSON body → the call's Result as JSON (200), or 400 for a payload
 *   that fails its schema, 404 for an unknown call, 401 without a credential, 413 past 1 MiB;
 * - `GET|POST /_sluice/api/events` → server-sent events `live`, `status`, `request-row` (data = JSON).
 * Every API request proves itself with the control token (`Authorization: Bearer`, scripts) or a
 * session that must come with the Origin it was made for; a browser request must come from Sluice's
 * own origin (Origin, Sec-Fetch-Site). Cookies open nothing.
 */
export function createHttpAdapter(opts: HttpAdapterOptions): HttpAdapter {
  const streams = new Set<SseStream>();
  const sessions = new DashboardSessions(opts.now);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The raw path, not a normalised one: `/_sluice/../x` must not turn into another route here.
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q === -1 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
    const rest = pathname.slice(CONTROL_PREFIX.length);
    const isApi = rest.startsWith('api/');
    const method = req.method ?? 'GET';
    // The gateway's guard may let an allow-listed page call the API routes; the control API and the
    // dashboard answer only Sluice's own pages (and non-browser clients, which send no Origin).
    const foreign = checkOrigin(req.headers, opts.port());
    if (foreign !== null) {
      req.resume();
      sendJson(res, 403, refusal('forbidden', `Sluice refused this request: ${foreign}`));
      return;
    }
    if (!isApi) {
      req.resume();
      await page(req, res, rest, query, method);
      return;
    }
    const crossSite = crossSiteReason(req);
    if (crossSite !== null) {
      req.resume();
      sendJson(res, 403, refusal('forbidden', `Sluice refused ${crossSite}`));
      return;
    }
    const name = rest.slice('api/'.length);
    if (name === 'session') {
      req.resume();
      openSession(req, res, method);
      return;
    }
    const caller = authenticate(req);
    if (caller === null) {
      req.resume();
      const sent = req.headers[SESSION_HEADER] !== undefined;
      sendJson(
        res,
        401,
        refusal(
          'forbidden',
          sent
            ? `This dashboard session has ended (Sluice restarted, the tokens were rotated, or it sat unused). ${SIGN_IN}`
            : 'the Sluice local token is missing or wrong',
        ),
        { 'www-authenticate': 'Bearer realm="sluice"' },
      );
      return;
    }
    if (name === 'events') {
      req.resume();
      if (method !== 'GET' && method !== 'POST') {
        res.writeHead(405, { allow: 'GET, POST' });
        res.end();
        return;
      }
      openEvents(res, req.socket.localPort ?? opts.port(), caller);
      return;
    }
    await call(req, res, name, method, caller);
  }

  async function page(
    req: IncomingMessage,
    res: ServerResponse,
    rest: string,
    query: URLSearchParams,
    method: string,
  ): Promise<void> {
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return;
    }
    // The cookie an older Sluice set holds the token itself, and every local port is sent it: clear it.
    const stale = staleTokenCookies(req);
    if (stale.length > 0)
      res.setHeader(
        'set-cookie',
        stale.map((n) => `${n}=; Path=/_sluice/; Max-Age=0; HttpOnly; SameSite=Strict`),
      );
    const given = query.get('token');
    if (given !== null && !tokenMatches(opts.token(), given)) {
      sendText(res, 401, `This link's token is not (or no longer) Sluice's local token. ${SIGN_IN}`);
      return;
    }
    await serveDashboardFile(opts.dashboardDir, rest, method === 'HEAD', res);
  }

  /** Trades the control token for a session bound to the page's origin. */
  function openSession(req: IncomingMessage, res: ServerResponse, method: string): void {
    if (method !== 'POST') {
      sendJson(res, 405, refusal('bad_request', 'a session is opened with POST'), { allow: 'POST' });
      return;
    }
    if (!hasControlToken(req, opts.token())) {
      sendJson(res, 401, refusal('forbidden', `the Sluice local token is missing or wrong. ${SIGN_IN}`), {
        'www-authenticate': 'Bearer realm="sluice"',
      });
      return;
    }
    // checkOrigin passed: an Origin here is Sluice's own. Sessions are for pages, which always send one on POST.
    const origin = req.headers.origin;
    if (origin === undefined) {
      sendJson(
        res,
        400,
        refusal('bad_request', 'sessions are for the dashboard page; scripts send the token itself'),
      );
      return;
    }
    sendJson(res, 200, { ok: true, value: { session: sessions.create(origin) } });
  }

  function authenticate(req: IncomingMessage): Caller | null {
    if (hasControlToken(req, opts.token())) return { kind: 'token' };
    const header = req.headers[SESSION_HEADER];
    const session = sessions.use(typeof header === 'string' ? header : undefined, req.headers.origin);
    return session === null ? null : { kind: 'session', session };
  }

  async function call(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    method: string,
    caller: Caller,
  ): Promise<void> {
    if (method !== 'POST') {
      req.resume();
      sendJson(res, 405, refusal('bad_request', 'control calls are POST'), { allow: 'POST' });
      return;
    }
    // A JSON content type cannot be sent cross-site without a CORS preflight, which Sluice never grants.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      sendJson(res, 415, refusal('bad_request', 'control calls take Content-Type: application/json'));
      return;
    }
    const read = await readBody(req, MAX_CONTROL_BODY_BYTES);
    if (!read.ok) {
      if (read.reason === 'too-large') {
        res.shouldKeepAlive = false;
        sendJson(
          res,
          413,
          refusal('payload_too_large', `control calls take at most ${MAX_CONTROL_BODY_BYTES} bytes`),
          {
            connection: 'close',
          },
        );
      }
      return;
    }
    let payload: unknown = {};
    if (read.body.length > 0) {
      const parsed = parseJsonBody(read.body);
      if (!parsed.ok) {
        sendJson(res, 400, refusal('bad_request', parsed.message));
        return;
      }
      payload = parsed.value;
    }
    const outcome = await opts.dispatch(name, payload);
    const status = outcome.kind === 'invalid' ? 400 : outcome.kind === 'unknown-call' ? 404 : 200;
    // Rotating ended every session; the page that rotated keeps signed in with a new one, in the same answer.
    const renewed =
      name === 'token.rotate' && outcome.result.ok && caller.kind === 'session'
        ? { [SESSION_HEADER]: sessions.create(caller.session.origin) }
        : undefined;
    sendJson(res, status, outcome.result, renewed);
  }

  /** `port`: where the stream came in; once the gateway moved elsewhere it ends after saying where. */
  function openEvents(res: ServerResponse, port: number, caller: Caller): void {
    let ended = false;
    let unsubscribe = (): void => {};
    const release = caller.kind === 'session' ? sessions.hold(caller.session) : (): void => {};
    const stream = new SseStream(res, () => {
      ended = true;
      streams.delete(stream);
      unsubscribe();
      release();
    });
    streams.add(stream);
    unsubscribe = opts.pushes.subscribe((m) => {
      stream.send(m.name, m.payload, m.name === 'live');
      // The old port's listener closes once its connections end: this one must, too.
      if (m.name === 'status' && m.payload.port !== port) stream.end();
    });
    // The first status arrives within subscribe(): it may already have ended the stream.
    if (ended) unsubscribe();
  }

  return {
    handle(req, res) {
      route(req, res).catch((err: unknown) => {
        opts.log(`Sluice: control API: ${errorMessage(err)}`);
        if (!res.headersSent) sendJson(res, 500, refusal('internal', 'Sluice internal error'));
        else res.destroy();
      });
      return true;
    },
    tokenRotated() {
      sessions.clear();
      for (const s of [...streams]) s.end(RECONNECT_MS);
    },
    close() {
      for (const s of [...streams]) s.close();
    },
  };
}
