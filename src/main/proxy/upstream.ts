import { Pool, type Dispatcher } from 'undici';
import type { ProviderConfig } from '../../shared/config';
import type { RouteMatch } from '../../shared/api-format';
import type { FormatAdapter } from '../../formats';
import type { Settings } from '../../shared/settings';
import { userAgentHeaders } from '../../shared/user-agents';
import { versionlessBase } from '../../shared/base-url';
import type { RequestContext } from './request-context';
import { CREDENTIAL_HEADERS } from '../http/guard';

/** Hop-by-hop and per-connection headers never forwarded in either direction (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/**
 * What a browser adds about the page and the user, never the upstream's business: the page's Origin and
 * Referer, and cookies (of Sluice's own origin, or of any other local port: cookies ignore ports).
 */
const BROWSER_ONLY = new Set(['cookie', 'origin', 'referer']);

/** Client credentials, removed when the provider carries its own key. */
const CREDENTIALS: ReadonlySet<string> = new Set(CREDENTIAL_HEADERS);

/** Encodings Sluice can decode on Node 20 (no zstd); asking for these keeps `br, zstd` clients parseable. */
export const ACCEPTED_ENCODINGS = 'gzip, deflate, br';

/** A request dispatched to a pool: the answer to come, and whether it waits for a socket first. */
export interface Dispatched {
  response: Promise<Dispatcher.ResponseData>;
  /** Every socket to the origin was busy at `upstreamConnections`: the request waits in undici's queue. */
  waiting: boolean;
}

/** Keep-alive pools, one per provider origin, reused across requests. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  /** Requests sent and not yet over, per pool: only near its cap is undici asked whether one queued. */
  private readonly open = new Map<Pool, number>();
  /** The operator's log (the gateway's throttled one): a request that waits for a socket says so. */
  log: (kind: string, line: string) => void = () => {};

  /** The pool for a provider's origin (`https://host:port`), created on first use. */
  get(providerId: string, origin: string, settings: Settings): Pool {
    // Keyed by what shapes the pool, so a changed setting applies to the next request.
    const key = `${providerId}|${origin}|${settings.connectTimeoutMs}|${settings.upstreamConnections}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        connections: settings.upstreamConnections,
        connect: { timeout: settings.connectTimeoutMs },
        keepAliveTimeout: 30_000,
        pipelining: 1,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /**
   * Sends a request through the provider's pool. When every socket the pool may open is busy the
   * request waits for one (undici's queue, invisible otherwise): `waiting` says so, and the operator
   * log gets a line (throttled), so a cap that holds requests back is never silent.
   */
  request(
    providerId: string,
    origin: string,
    settings: Settings,
    opts: Dispatcher.RequestOptions,
  ): Dispatched {
    const pool = this.get(providerId, origin, settings);
    const open = (this.open.get(pool) ?? 0) + 1;
    this.open.set(pool, open);
    const response = pool.request(opts);
    const done = (): void => {
      const left = (this.open.get(pool) ?? 1) - 1;
      if (left <= 0) this.open.delete(pool);
      else this.open.set(pool, left);
    };
    response.then((r) => r.body.once('close', done), done);
    // Below the cap a socket is free or opens for it; only at the cap is the (costlier) count read.
    const waiting = open >= settings.upstreamConnections && pool.stats.queued > 0;
    if (waiting) {
      this.log(
        `upstream-queue:${providerId}`,
        `Sluice: requests to ${providerId} wait for a connection: all ${settings.upstreamConnections} sockets to ${origin} are busy (upstreamConnections)`,
      );
    }
    return { response, waiting };
  }

  /** Closes every pool; in-flight requests are destroyed after `graceMs`. */
  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    this.open.clear();
    await Promise.all(all.map((p) => p.destroy()));
  }
}

export interface UpstreamTarget {
  origin: string;
  /** Path with query, relative to the origin. */
  path: string;
  /** The URL with any `key=` query value redacted, for logs and live events. */
  displayUrl: string;
}

/** Builds the upstream URL: the provider's base URL + the route's path (model substituted) + the inbound query. */
/** Parsed base URLs by their text: every request of a provider shares one. */
const BASES = new Map<string, { origin: string; basePath: string }>();
const MAX_BASES = 256;

function parsedBase(baseUrl: string): { origin: string; basePath: string } {
  let base = BASES.get(baseUrl);
  if (base === undefined) {
    const url = new URL(baseUrl);
    base = { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
    if (BASES.size >= MAX_BASES) BASES.clear();
    BASES.set(baseUrl, base);
  }
  return base;
}

export function buildTarget(
  provider: ProviderConfig,
  route: RouteMatch,
  upstreamModel: string | null,
  query: string,
): UpstreamTarget {
  const { origin, basePath: written } = parsedBase(provider.baseUrl);
  const routePath = route.upstreamPath.replace('{model}', encodeURIComponent(upstreamModel ?? ''));
  // Never a doubled version (`/v1` + `/v1/messages`), whatever base URL was saved.
  const basePath = versionlessBase(written, route.upstreamPath);
  if (query === '') {
    const path = `${basePath}${routePath}`;
    return { origin, path, displayUrl: `${origin}${path}` };
  }
  const params = new URLSearchParams(query);
  if (provider.apiKey !== undefined) params.delete('key');
  const qs = params.toString();
  const path = `${basePath}${routePath}${qs ? `?${qs}` : ''}`;
  const shown = new URLSearchParams(params);
  if (shown.has('key')) shown.set('key', '***');
  const shownQs = shown.toString();
  return {
    origin,
    path,
    displayUrl: `${origin}${basePath}${routePath}${shownQs ? `?${shownQs}` : ''}`,
  };
}

/**
 * Inbound headers → upstream headers: hop-by-hop and browser-only ones (Cookie, Origin, Referer) dropped,
 * credentials swapped for the provider's key in its vendor's style (`authHeaders`, the request format's).
 * Identity, later wins: the client's own headers < the provider's User-Agent preset (with its companion
 * headers) < the provider's explicit `headers`.
 */
export function buildHeaders(
  inbound: Readonly<Record<string, string | string[] | undefined>>,
  provider: ProviderConfig,
  bodyLength: number | null,
  authHeaders: FormatAdapter['authHeaders'],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(inbound)) {
    if (value === undefined || HOP_BY_HOP.has(name) || BROWSER_ONLY.has(name)) continue;
    if (provider.apiKey !== undefined && CREDENTIALS.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (inbound['accept-encoding'] !== undefined) out['accept-encoding'] = ACCEPTED_ENCODINGS;
  if (provider.apiKey !== undefined) Object.assign(out, authHeaders(provider.apiKey));
  Object.assign(out, userAgentHeaders(provider.userAgent));
  for (const [name, value] of Object.entries(provider.headers)) out[name.toLowerCase()] = value;
  if (bodyLength !== null) out['content-length'] = String(bodyLength);
  return out;
}

/**
 * Response headers worth passing to the client: everything but hop-by-hop, cookies, what decoding
 * changed, and CORS: only Sluice says which pages may read its answers (an upstream's
 * `access-control-allow-origin: *` would open them to every page).
 */
export function clientHeaders(
  upstream: Dispatcher.ResponseData['headers'],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (name === 'content-encoding' || name === 'set-cookie' || name === 'alt-svc') continue;
    if (name.length > 15 && name.slice(0, 15).toLowerCase() === 'access-control-') continue;
    out[name] = value;
  }
  return out;
}

/**
 * Whether this attempt asks `provider` for usage the client did not ask for: the request would want it
 * (`ctx.injectedUsage`, a Chat stream without include_usage) and the provider takes it. Per attempt: a
 * failover may go from a provider that does to one that does not.
 */
export function injectsUsage(ctx: RequestContext, provider: ProviderConfig): boolean {
  return ctx.injectedUsage && provider.injectStreamUsage !== false;
}

/**
 * The body sent upstream: the client's bytes unchanged unless the format must rewrite them (model
 * mapped, usage injected when `inject`: see `injectsUsage`); only then is the JSON re-serialised.
 */
export function upstreamBody(
  ctx: RequestContext,
  upstreamModel: string | null,
  inject: boolean,
): Buffer | null {
  if (ctx.body === null) return null;
  // Nothing to change: the JSON is not even looked at (a large body's is parsed only when read).
  if (upstreamModel === ctx.model && !inject) return ctx.body;
  if (ctx.json === null) return ctx.body;
  const rewritten = ctx.adapter.rewriteBody(ctx.json, upstreamModel, inject);
  return rewritten === null ? ctx.body : Buffer.from(rewritten);
}
