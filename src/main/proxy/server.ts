import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RouteMatch } from '../../shared/api-format';
import { errorMessage } from '../../shared/errors';
import { adapterFor, escapesDecode, guessFormat, matchRoute } from '../../formats';
import { BodyBudget } from '../http/body-budget';
import { ThrottledLog } from '../http/throttled-log';
import { checkHost, checkOrigin } from '../http/guard';
import { SignatureBook } from './signature-book';
import { runPipeline, type PipelineDeps } from './pipeline';
import { sendError } from '../http/respond';
import { intake } from './intake';
import type { RequestContext } from './request-context';
import { UpstreamPools } from './upstream';
import { HealthBook } from './health';
import { AffinityBook } from './affinity';
import { WeightedTurns } from './weights';
import { KeyPool } from './key-pool';
import { RateLimiter, type LimitStateStore } from './rate-limit';
import { closeServer, ListenError, listenOn, NO_IPV6 } from '../http/listeners';
import type { ExtraHandler } from '../http/extra-handler';

export type GatewayDeps = Omit<PipelineDeps, 'pools' | 'health' | 'limiter'> & {
  /** Where rate-limiter state lives (default: memory). Tests pass a failing one. */
  limitStore?: LimitStateStore;
  /** Per-provider circuit breakers and cooldowns; app.ts builds it (default: a new one on `clock`). */
  health?: HealthBook;
  /** Per-provider rpm / concurrency limits; app.ts builds it (default: a new one over `limitStore`). */
  limiter?: RateLimiter;
  /** The undici pools to upstreams; app.ts builds them (default: new ones). Closed with the gateway. */
  pools?: UpstreamPools;
  /** The local token (for `requireLocalToken`); null/absent when there is none. */
  localToken?: () => string | null;
  /**
   * Bound beyond loopback. Then the Host check cannot name the machine's addresses and is off, and
   * every API request must carry the local token instead (refused while `requireLocalToken` is off).
   */
  exposed?: boolean;
  /** One-line messages for the operator (a bound the gateway enforces was hit). Default: stderr. */
  log?: (line: string) => void;
};

/** The gateway's HTTP server: guards, routing, bounded body reading, then the pipeline. */
export class Gateway {
  /** The listeners in force (one per address, all on `boundPort`). */
  private servers: http.Server[] = [];
  /** Listeners left behind by a rebind: closed to new connections, finishing what they carry. */
  private readonly draining = new Map<http.Server, Promise<void>>();
  private host = '127.0.0.1';
  /** Rebinds run one after another: the second starts from where the first left the gateway. */
  private moving: Promise<unknown> = Promise.resolve();
  private closing = false;
  private readonly pools: UpstreamPools;
  /** Per-provider circuit breakers and cooldowns: read by the control API, resettable. */
  readonly health: HealthBook;
  /** Per-key turns, benches and cooldowns of providers' key pools: read by the control API, resettable. */
  readonly keys: KeyPool;
  private readonly limiter: RateLimiter;
  /** Gemini signatures translated clients cannot carry, kept for their next turns (bounded). */
  private readonly signatures = new SignatureBook();
  /** Whose weighted turn it is, per set of providers sharing requests. */
  private readonly turns: WeightedTurns;
  /** Which provider served each conversation's last turn (session affinity; bounded). */
  readonly affinity: AffinityBook;
  private readonly inFlight = new Set<RequestContext>();
  private boundPort = 0;
  private extra: ExtraHandler | null = null;
  /** Bytes of request bodies held now, all listeners together (`maxBodiesInFlightBytes`). */
  readonly bodies = new BodyBudget();
  /** Client connections open now, all listeners together (`maxClientConnections`). */
  private connections = 0;
  /** Connections refused at `maxClientConnections`: answered with a 503 before any request, never served. */
  private readonly turnedAway = new WeakSet<Socket>();
  private readonly log: ThrottledLog;
  /** While paused, API requests get a 503 in their format; the control API still answers. */
  paused = false;

  constructor(private readonly deps: GatewayDeps) {
    this.pools = deps.pools ?? new UpstreamPools();
    this.health = deps.health ?? new HealthBook(() => deps.clock.now());
    this.affinity = deps.affinity ?? new AffinityBook(() => deps.clock.now());
    this.turns = deps.turns ?? new WeightedTurns();
    this.keys = deps.keys ?? new KeyPool(() => deps.clock.now());
    this.limiter = deps.limiter ?? new RateLimiter(deps.limitStore, () => deps.clock.now());
    this.log = new ThrottledLog(deps.log ?? ((line) => console.error(line)));
    this.pools.log = (kind, line) => this.log.line(kind, line);
  }

  /** One listener; the gateway may have two (127.0.0.1 and ::1) sharing one handler. */
  private createServer(): http.Server {
    // Node's own requestTimeout stays off: the body's time is bounded by intake (`requestBodyTimeoutMs`),
    // which answers in the client's format and reads the setting per request; a response may stream for long.
    const server = http.createServer(
      { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 },
      (req, res) => {
        if (this.turnedAway.has(req.socket)) return; // answered already: over maxClientConnections
        if (this.draining.has(server)) res.shouldKeepAlive = false;
        // A rebind leaves the old listener open until its requests finish; a kept-alive connection it
        // still holds must not keep it open (and answering) once idle.
        res.once('finish', () => {
          if (this.draining.has(server)) setImmediate(() => server.closeIdleConnections());
        });
        this.handle(req, res).catch((err: unknown) => {
          if (!res.headersSent) {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`Sluice internal error: ${errorMessage(err)}`);
          } else res.destroy();
        });
      },
    );
    server.on('connection', (socket: Socket) => this.admit(socket));
    // Node answers oversized headers with a bare 431; give the client a body that says why.
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
      const body = JSON.stringify({
        error: {
          message: tooLarge
            ? 'request headers are larger than Sluice accepts (16 KiB)'
            : `malformed HTTP request: ${err.message}`,
          type: 'invalid_request_error',
        },
      });
      socket.end(
        `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
    return server;
  }

  /**
   * Counts a new client connection; past `maxClientConnections` it gets a 503 (no request is read, so
   * in a neutral JSON shape) and is closed. Counted across listeners, so the bound is the gateway's.
   */
  private admit(socket: Socket): void {
    const max = this.deps.source.settings().maxClientConnections;
    if (this.connections >= max) {
      this.log.line(
        'connections',
        `Sluice: ${this.connections} client connections are open, as many as maxClientConnections allows; new ones get a 503 and are closed`,
      );
      const body = JSON.stringify({
        error: {
          message: `Sluice has as many open connections as maxClientConnections (${max}) allows; retry shortly`,
          type: 'overloaded',
        },
      });
      this.turnedAway.add(socket);
      socket.on('error', () => {});
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nretry-after: 1\r\nconnection: close\r\n\r\n${body}`,
      );
      setTimeout(() => socket.destroy(), 1_000).unref();
      return;
    }
    this.connections++;
    socket.once('close', () => this.connections--);
  }

  /** Client connections open now. */
  get openConnections(): number {
    return this.connections;
  }

  /** Requests currently in flight. */
  get activeRequests(): number {
    return this.inFlight.size;
  }

  mount(handler: ExtraHandler): void {
    this.extra = handler;
  }

  /** The port the gateway listens on now (0 before it listens). */
  get port(): number {
    return this.boundPort;
  }

  /**
   * Listens; resolves with the bound port. On 127.0.0.1 it also listens on ::1 with the same port when
   * the machine has IPv6 loopback (clients that resolve `localhost` to ::1 then reach it too).
   * A port in use rejects with a one-line message.
   */
  async listen(port: number, host: string): Promise<number> {
    this.host = host;
    this.servers = await this.bindAll(port, 'lenient');
    this.boundPort = (this.servers[0]!.address() as AddressInfo).port;
    return this.boundPort;
  }

  /**
   * Moves the gateway to `port` (0 = any free one) on the same addresses, and resolves with the new
   * port. It listens on the new port first: when any address fails (in use, not permitted) it closes
   * what it opened, keeps listening where it was and rejects with a one-line reason. Then the old
   * listeners stop accepting; requests and streams they carry finish normally, and from then on the
   * Host/Origin guards expect the new port.
   */
  rebind(port: number): Promise<number> {
    const moved = this.moving.then(() => this.move(port));
    this.moving = moved.catch(() => {});
    return moved;
  }

  private async move(port: number): Promise<number> {
    if (this.closing) throw new Error('Sluice is shutting down');
    if (port === this.boundPort && port !== 0) return port;
    const next = await this.bindAll(port, 'strict');
    const old = this.servers;
    this.servers = next;
    this.boundPort = (next[0]!.address() as AddressInfo).port;
    for (const server of old) {
      this.draining.set(
        server,
        closeServer(server).then(() => {
          this.draining.delete(server);
        }),
      );
      server.closeIdleConnections();
    }
    return this.boundPort;
  }

  /**
   * Opens the listeners for `port` on the gateway's host (and ::1 beside 127.0.0.1). `lenient` (at
   * start): ::1 is optional, whatever the reason it fails. `strict` (a rebind): ::1 may be missing only
   * when the machine has no IPv6 loopback, and a free port (0) is retried when ::1 holds the one IPv4 got.
   */
  private async bindAll(port: number, mode: 'lenient' | 'strict'): Promise<http.Server[]> {
    const tries = mode === 'strict' && port === 0 ? 5 : 1;
    for (let attempt = 1; ; attempt++) {
      const first = this.createServer();
      const bound = await listenOn(first, port, this.host, mode);
      if (this.host !== '127.0.0.1') return [first];
      const v6 = this.createServer();
      try {
        await listenOn(v6, bound, '::1', mode);
        return [first, v6];
      } catch (err) {
        const code = (err as ListenError).code;
        if (mode === 'lenient' || NO_IPV6.has(code)) return [first];
        await closeServer(first);
        if (code !== 'EADDRINUSE' || attempt >= tries) throw err;
      }
    }
  }

  /** Stops accepting; lets in-flight requests finish for `graceMs`, then aborts them (recorded as aborted). */
  async close(graceMs = 5_000): Promise<void> {
    this.closing = true;
    await this.moving;
    const all = [...this.servers, ...this.draining.keys()];
    const closed = [...this.servers.map((server) => closeServer(server)), ...this.draining.values()];
    for (const server of all) server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ctx of this.inFlight) ctx.abort.abort();
    while (this.inFlight.size > 0) await new Promise((r) => setTimeout(r, 10));
    for (const server of all) server.closeAllConnections();
    await Promise.all(closed);
    await this.pools.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = { startedAt: this.deps.clock.now(), startMono: this.deps.clock.mono() };
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const fallback = adapterFor(guessFormat(path, req.headers));
    const settings = this.deps.source.settings();

    const refused =
      (this.deps.exposed === true
        ? settings.requireLocalToken
          ? null
          : 'Sluice listens beyond loopback but requireLocalToken is off'
        : checkHost(req.headers, this.boundPort)) ??
      checkOrigin(req.headers, this.boundPort, settings.allowedOrigins);
    if (refused !== null) {
      sendError(res, fallback, 403, 'forbidden', `Sluice refused this request: ${refused}`);
      return;
    }
    if (path === '/_sluice') {
      res.writeHead(308, { location: `/_sluice/${query ? `?${query}` : ''}` });
      res.end();
      return;
    }
    if (path.startsWith('/_sluice/') && this.extra?.(req, res)) return;
    // Only an allowed page (checked above) gets CORS headers; a preflight is answered here.
    const origin = req.headers.origin;
    if (origin !== undefined) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'OPTIONS' && origin !== undefined) {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (this.paused) {
      sendError(res, fallback, 503, 'no_provider', 'Sluice is paused: resume it from the tray or the app');
      return;
    }
    if (!escapesDecode(path)) {
      sendError(
        res,
        fallback,
        400,
        'bad_request',
        `Sluice cannot read the path ${JSON.stringify(path.slice(0, 200))}: it holds a malformed %-escape`,
      );
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
    const admitted = await intake(
      req,
      res,
      route,
      query,
      settings,
      this.deps.localToken?.() ?? null,
      arrived,
      { budget: this.bodies, log: this.log },
    );
    if (admitted === null) return;
    const { ctx, release } = admitted;
    const onClose = (): void => {
      if (!res.writableFinished) ctx.abort.abort();
    };
    res.on('close', onClose);
    this.inFlight.add(ctx);
    try {
      await runPipeline(ctx, {
        ...this.deps,
        pools: this.pools,
        health: this.health,
        limiter: this.limiter,
        signatures: this.signatures,
        keys: this.keys,
        turns: this.turns,
        affinity: this.affinity,
      });
    } finally {
      res.off('close', onClose);
      this.inFlight.delete(ctx);
      release();
    }
  }
}
