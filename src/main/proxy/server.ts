import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { guessFormat, matchRoute, type RouteMatch } from '../../shared/api-format';
import { detectClient } from '../../shared/client-app';
import { errorMessage } from '../../shared/errors';
import { adapterFor } from './formats/registry';
import { checkHost, checkOrigin } from './guard';
import { runPipeline, type PipelineDeps } from './pipeline';
import { parseJsonBody, readBody } from './read-body';
import { sendError } from './respond';
import { needsInjectedUsage } from './rewrite-body';
import type { RequestContext } from './request-context';
import { UpstreamPools } from './upstream';
import { HealthBook } from './health';
import { RateLimiter, type LimitStateStore } from './rate-limit';

export type GatewayDeps = Omit<PipelineDeps, 'pools' | 'health' | 'limiter'> & {
  /** Where rate-limiter state lives (default: memory). Tests pass a failing one. */
  limitStore?: LimitStateStore;
};

/** A handler the app may mount under `/_sluice/` (the control API and dashboard, later). */
export type ExtraHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The gateway's HTTP server: guards, routing, bounded body reading, then the pipeline. */
export class Gateway {
  private readonly server: http.Server;
  private readonly pools = new UpstreamPools();
  /** Per-provider circuit breakers and cooldowns: read by the control API, resettable. */
  readonly health: HealthBook;
  private readonly limiter: RateLimiter;
  private readonly inFlight = new Set<RequestContext>();
  private port = 0;
  private extra: ExtraHandler | null = null;
  /** While paused, API requests get a 503 in their format; the control API still answers. */
  paused = false;

  constructor(private readonly deps: GatewayDeps) {
    this.health = new HealthBook(() => deps.clock.now());
    this.limiter = new RateLimiter(deps.limitStore, () => deps.clock.now());
    this.server = http.createServer(
      { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 },
      (req, res) => {
        this.handle(req, res).catch((err: unknown) => {
          if (!res.headersSent) {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`Sluice internal error: ${errorMessage(err)}`);
          } else res.destroy();
        });
      },
    );
  }

  /** Requests currently in flight. */
  get activeRequests(): number {
    return this.inFlight.size;
  }

  mount(handler: ExtraHandler): void {
    this.extra = handler;
  }

  /** Listens; resolves with the bound port. A port in use rejects with a one-line message. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(
          new Error(
            err.code === 'EADDRINUSE'
              ? `port ${port} on ${host} is already in use (pick another with --port, or --port 0 for any free one)`
              : `cannot listen on ${host}:${port}: ${err.message}`,
          ),
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        this.port = (this.server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  /** Stops accepting; lets in-flight requests finish for `graceMs`, then aborts them (recorded as aborted). */
  async close(graceMs = 5_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ctx of this.inFlight) ctx.abort.abort();
    while (this.inFlight.size > 0) await new Promise((r) => setTimeout(r, 10));
    this.server.closeAllConnections();
    await closed;
    await this.pools.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = this.deps.clock.now();
    const startMono = this.deps.clock.mono();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const fallback = adapterFor(guessFormat(path, req.headers));

    const refused = checkHost(req.headers, this.port) ?? checkOrigin(req.headers, this.port);
    if (refused !== null) {
      sendError(res, fallback, 403, 'forbidden', `Sluice refused this request: ${refused}`);
      return;
    }
    if (path.startsWith('/_sluice/') && this.extra?.(req, res)) return;

    if (this.paused) {
      sendError(res, fallback, 503, 'no_provider', 'Sluice is paused: resume it from the tray or the app');
      return;
    }
    let route: RouteMatch | null = matchRoute(req.method ?? 'GET', path);
    if (route === null) {
      sendError(res, fallback, 404, 'not_found', `Sluice does not serve ${req.method ?? ''} ${path}`);
      return;
    }
    if (
      route.op === 'list-models' &&
      route.format === 'openai-chat' &&
      req.headers['anthropic-version'] !== undefined
    ) {
      route = { ...route, format: 'anthropic', upstreamPath: '/v1/models' };
    }
    const adapter = adapterFor(route.format);
    const settings = this.deps.source.settings();

    let body: Buffer | null = null;
    let json: Record<string, unknown> | null = null;
    if (req.method === 'POST') {
      const read = await readBody(req, settings.maxRequestBodyBytes);
      if (!read.ok) {
        if (read.reason === 'too-large') {
          res.shouldKeepAlive = false;
          sendError(
            res,
            adapter,
            413,
            'payload_too_large',
            `request body is larger than ${settings.maxRequestBodyBytes} bytes`,
            { connection: 'close' },
          );
        }
        return;
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
        return;
      }
      json = parsed.value as Record<string, unknown>;
    }

    const model = route.urlModel ?? (typeof json?.model === 'string' ? json.model : null);
    const stream = route.format === 'gemini' ? route.urlStreams : json?.stream === true;
    const ctx: RequestContext = {
      id: randomBytes(16).toString('hex'),
      startedAt,
      startMono,
      route,
      format: route.format,
      adapter,
      method: req.method ?? 'GET',
      query,
      headers: req.headers,
      client: detectClient(req.headers),
      settings,
      req,
      res,
      abort: new AbortController(),
      body,
      json,
      model,
      stream,
      injectedUsage: route.op === 'generate' && needsInjectedUsage(route.format, json),
    };
    const onClose = (): void => {
      if (!res.writableFinished) ctx.abort.abort();
    };
    res.on('close', onClose);
    this.inFlight.add(ctx);
    try {
      await runPipeline(ctx, { ...this.deps, pools: this.pools, health: this.health, limiter: this.limiter });
    } finally {
      res.off('close', onClose);
      this.inFlight.delete(ctx);
    }
  }
}
