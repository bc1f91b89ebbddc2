import type { ApiFormat } from '../../shared/api-format';
import type { ProviderConfig } from '../../shared/config';
import { failureText, type Failure } from '../../shared/failure';
import { providerSecrets } from '../../shared/provider-secrets';
import { redactSecrets } from '../../shared/redact';
import { settleUsage } from '../../shared/settle-usage';
import { EMPTY_USAGE, type AttemptRecord, type RequestFinish, type RequestOutcome } from '../../shared/usage';
import type { BodyMode } from '../../shared/usage-query';
import type { RouteChoice } from '../../shared/route-choice';
import { judgeHealth } from './health-verdict';
import { servedKey } from './key-pool';
import type { AttemptFailure, BodyLog, Ending, LedgerDeps } from './ledger-types';
import { nullCaptureSink, type CaptureSink } from './ports';
import { headerString, sluiceHeaders } from './sluice-headers';
import type { RequestContext } from './request-context';

export type { AttemptFailure, BodyLog, Ending, LedgerDeps } from './ledger-types';

/** What an attempt row says of an attempt that never started (relayed as is, no key of Sluice's). */
const NOT_STARTED = { translatedTo: null, keyFingerprint: null } as const;
export { isCredentialFailure } from './health-verdict';

/**
 * Everything recorded about one request, in one place: its usage row, its attempts, its live events,
 * its capture, the health verdicts its attempts earn, and the redaction every text gets on the way
 * out, whatever the phase. The pipeline says what happened; the ledger decides what that means for
 * the record. Created when the request arrives; `finish` is called exactly once.
 */
export class RequestLedger implements BodyLog {
  /** Candidates not tried, first reason each, in the order they were passed over. */
  readonly skips: { provider: string; failure: Failure }[] = [];
  private attemptSeq = 0;
  /** Per started attempt, how it was sent (translation target, key fingerprint), for its attempt row. */
  private readonly sent = new Map<number, Pick<AttemptRecord, 'translatedTo' | 'keyFingerprint'>>();
  private captured = false;
  /** How the chain was chosen, for the request's row. */
  private choice: RouteChoice | null = null;
  /** The committed attempt's verdict was given at its commit (a half-open provider's probe). */
  private judgedAtCommit = false;
  private framesPublished = 0;
  /** The work kept for after the first byte (see `committed`), while it is still to run. */
  private deferred: NodeJS.Immediate | null = null;
  private afterCommit: (() => void) | null = null;
  /** The providers' secrets, gathered at the first text to redact (most requests have none). */
  private secrets: readonly string[] | null = null;
  private readonly capture: CaptureSink;

  constructor(
    private readonly ctx: RequestContext,
    private readonly deps: LedgerDeps,
    private readonly providers: readonly ProviderConfig[],
  ) {
    this.capture = deps.capture ?? nullCaptureSink;
    deps.usage.requestStarted({
      requestId: ctx.id,
      startedAtMs: ctx.startedAt,
      client: ctx.client,
      userAgent: headerString(ctx.headers['user-agent']),
      format: ctx.format,
      model: ctx.model,
      stream: ctx.stream,
    });
    deps.live.publish({
      type: 'request-started',
      requestId: ctx.id,
      at: ctx.startedAt,
      format: ctx.format,
      model: ctx.model,
      client: ctx.client,
      stream: ctx.stream,
    });
  }

  /** Redacts every provider secret and credential shape: the one path out for any text. */
  redact(text: string): string {
    this.secrets ??= providerSecrets(this.providers);
    return redactSecrets(text, this.secrets);
  }

  /** The headers Sluice adds to every answer it gives (sluice-headers.ts). */
  headers(attempts: number, summary?: string): Record<string, string> {
    return sluiceHeaders(this.ctx.id, attempts, summary);
  }

  /** Milliseconds since the request arrived, rounded. */
  offsetMs(): number {
    return Math.round(this.deps.clock.mono() - this.ctx.startMono);
  }

  /** An attempt is on its way; `translatedTo` = the provider's format when it is not the client's. */
  attemptStarted(
    attemptNo: number,
    provider: ProviderConfig,
    displayUrl: string,
    translatedTo: ApiFormat | null = null,
  ): void {
    // The provider an attempt is given carries the one key it sends (the pool's pick: failover.ts).
    const keyFingerprint = servedKey(provider);
    this.sent.set(attemptNo, { translatedTo, keyFingerprint });
    this.deps.live.publish({
      type: 'attempt-started',
      requestId: this.ctx.id,
      at: this.deps.clock.now(),
      attempt: attemptNo,
      provider: provider.id,
      url: displayUrl,
      translatedTo,
      keyFingerprint,
    });
  }

  /**
   * What a translated attempt is about to send its provider (its format, the model mapped), for the
   * inspector; the store keeps it only when request bodies are captured, redacted like the rest.
   */
  upstreamRequest(attemptNo: number, body: Uint8Array): void {
    this.capture.upstreamRequestBody(this.ctx.id, attemptNo, body);
  }

  /** The attempt waits for a socket: every one the pool may open to `provider` is busy. */
  waitingForConnection(attemptNo: number, provider: ProviderConfig, connections: number): void {
    this.deps.live.publish({
      type: 'attempt-waiting',
      requestId: this.ctx.id,
      at: this.deps.clock.now(),
      attempt: attemptNo,
      provider: provider.id,
      connections,
    });
  }

  /**
   * How the chain was chosen (route, affinity, weighted turn): kept on the row, and shown live when it
   * was anything but the default chain in its plain order.
   */
  routed(choice: RouteChoice): void {
    this.choice = choice;
    if (choice.route === null && choice.affinity === null && choice.weighted === null) return;
    this.deps.live.publish({
      type: 'request-routed',
      requestId: this.ctx.id,
      at: this.deps.clock.now(),
      choice,
    });
  }

  /** A candidate that was not tried, and why (once per provider: its first reason). */
  skipped(provider: ProviderConfig, failure: Failure): void {
    if (this.skips.some((k) => k.provider === provider.id)) return;
    this.skips.push({ provider: provider.id, failure });
    const reason = failureText(failure);
    this.deps.live.publish({
      type: 'attempt-skipped',
      requestId: this.ctx.id,
      at: this.deps.clock.now(),
      provider: provider.id,
      code: failure.code,
      reason,
    });
    this.recordAttempt({
      provider: provider.id,
      startedAtMs: this.deps.clock.now(),
      phase: 'skipped',
      outcome: 'skipped',
      reason,
      httpStatus: null,
      durationMs: null,
      bodyHead: null,
      translatedTo: null,
      keyFingerprint: null,
    });
  }

  /** An attempt that failed before the commit: recorded, shown, and judged for the provider's health. */
  attemptFailed(a: AttemptFailure): void {
    const bodyHead = a.bodyHead === null ? null : this.redact(a.bodyHead);
    const reason = this.redact(failureText(a.failure));
    this.deps.live.publish({
      type: 'attempt-failed',
      requestId: this.ctx.id,
      at: this.deps.clock.now(),
      attempt: a.attemptNo,
      provider: a.provider.id,
      code: a.failure.code,
      reason,
      status: a.status,
      bodyHead,
    });
    this.recordAttempt({
      provider: a.provider.id,
      startedAtMs: a.startedAtMs,
      phase: a.phase,
      outcome: a.failure.code === 'client_aborted' ? 'aborted' : 'failed',
      reason,
      httpStatus: a.status,
      durationMs: a.durationMs,
      bodyHead,
      ...(this.sent.get(a.attemptNo) ?? NOT_STARTED),
    });
    if (a.keyOnly !== true) this.judge(a.provider, a.failure, a.status, a.retryAfterMs, bodyHead);
  }

  /**
   * The first byte went to the client. A recovering (half-open) provider's verdict is known here, at its
   * first content: it is recorded now, so its probe slot is free while the stream still runs.
   */
  committed(provider: ProviderConfig, status: number, ttfbMs: number): void {
    const at = this.deps.clock.now();
    // Recorded a turn later, when the first bytes are written (the relay calls this right before): what
    // the inspector keeps of the request (masking its headers costs tens of µs), the row's state, the
    // verdict and the live event. Always before the relay's end is recorded (`recordedCommit`).
    this.afterCommit = () => {
      this.captureRequest();
      if (this.deps.health.halfOpen(provider.id)) {
        this.judge(provider, null, status);
        this.judgedAtCommit = true;
      }
      this.deps.usage.requestStreaming(this.ctx.id);
      this.deps.live.publish({
        type: 'committed',
        requestId: this.ctx.id,
        at,
        provider: provider.id,
        status,
        ttfbMs,
      });
    };
    this.deferred = setImmediate(() => this.recordedCommit());
  }

  /** Runs what `committed` left for after the first byte, if it has not run yet. */
  private recordedCommit(): void {
    if (this.deferred !== null) clearImmediate(this.deferred);
    this.deferred = null;
    const work = this.afterCommit;
    this.afterCommit = null;
    work?.();
  }

  /** The committed attempt (`attemptNo`)'s relay is over: its row, and what it says about the provider. */
  relayEnded(
    provider: ProviderConfig,
    startedAtMs: number,
    status: number,
    outcome: RequestOutcome,
    failure: Failure | null,
    attemptNo: number,
  ): void {
    this.recordedCommit();
    this.recordAttempt({
      provider: provider.id,
      startedAtMs,
      phase: 'relay',
      outcome: outcome === 'aborted' ? 'aborted' : 'committed',
      reason: failure === null ? null : this.redact(failureText(failure)),
      httpStatus: status,
      durationMs: this.deps.clock.now() - startedAtMs, // attempt start → end of the relay
      bodyHead: null,
      ...(this.sent.get(attemptNo) ?? NOT_STARTED),
    });
    // A client's own mistake passed through (a 4xx) says nothing against the provider.
    if (outcome === 'completed' || (outcome === 'failed' && status >= 300)) {
      if (!this.judgedAtCommit) this.judge(provider, null, status); // else: counted once, at the commit
    } else this.judge(provider, failure ?? { code: 'client_aborted' }, status);
  }

  /** The request's one ending: usage settled, row finished, live view told, capture closed. */
  finish(e: Ending): void {
    this.recordedCommit();
    this.captureRequest();
    const { ctx, deps } = this;
    const hasUsage = e.facts !== null && e.facts.rawUsage !== null;
    // Reported usage as is; a cut stream's count raised to what was seen; nothing reported → estimated.
    const settled = settleUsage({
      outcome: e.outcome,
      usage: e.facts?.usage ?? EMPTY_USAGE,
      reported: hasUsage,
      text: e.facts?.text ?? '',
      thinking: e.facts?.thinking ?? '',
      toolArguments: e.facts?.toolCalls.map((t) => t.arguments) ?? [],
      partial: (e.facts?.partialEvents ?? 0) > 0,
    });
    const estimated = e.estimatedInputTokens;
    const usage = estimated === undefined ? settled.usage : { ...EMPTY_USAGE, inputTokens: estimated };
    const provenance = estimated === undefined ? settled.provenance : 'estimated';
    const error = e.failure === null ? null : this.redact(failureText(e.failure));
    const row: RequestFinish = {
      requestId: ctx.id,
      status: e.outcome,
      upstreamModel: e.upstreamModel,
      provider: e.provider,
      httpStatus: e.httpStatus,
      ttfbMs: e.ttfbMs === null ? null : Math.round(e.ttfbMs),
      upstreamTtfbMs: e.upstreamTtfbMs === null ? null : Math.round(e.upstreamTtfbMs),
      durationMs: Math.round(deps.clock.mono() - ctx.startMono),
      ...usage,
      usageProvenance: provenance,
      rawUsage: hasUsage ? JSON.stringify(e.facts?.rawUsage) : null,
      error,
      translatedTo: e.translatedTo,
      route: this.choice,
    };
    deps.usage.requestFinished(row);
    deps.live.publish({
      type: 'request-finished',
      requestId: ctx.id,
      at: deps.clock.now(),
      outcome: e.outcome,
      httpStatus: e.httpStatus,
      durationMs: row.durationMs,
      usage: { ...usage },
      code: e.failure?.code ?? null,
      error,
    });
  }

  // BodyLog: the observation side, called per chunk and per frame (keep these cheap).

  watching(): boolean {
    return this.deps.live.active?.() !== false;
  }

  frame(event: string | null, data: string): void {
    const { live, clock } = this.deps;
    // An upstream may echo a key inside an error event: the live view gets the frame redacted.
    live.publish({
      type: 'sse-event',
      requestId: this.ctx.id,
      at: clock.now(),
      offsetMs: this.offsetMs(),
      event,
      data: this.redact(data),
    });
  }

  framesDropped(count: number): void {
    this.deps.live.publish({
      type: 'frames-dropped',
      requestId: this.ctx.id,
      at: this.deps.clock.now(),
      count,
    });
  }

  clientBytes(attempt: number, mode: BodyMode, chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.capture.clientBytes(this.ctx.id, attempt, mode, this.offsetMs(), chunk, 0);
  }

  responseBytes(attempt: number, mode: BodyMode, chunk: Uint8Array, frames: number): void {
    // Bounded and redacted by the store; the relay never changes a chunk after pushing it.
    this.capture.responseBytes(this.ctx.id, attempt, mode, this.offsetMs(), chunk, frames);
  }

  smoothed(arrivedAt: number, deliveredAt: readonly number[]): void {
    // One array of offsets, shared by the store and the live event: neither changes it.
    const start = this.ctx.startMono;
    const upstreamOffsetMs = Math.round(arrivedAt - start);
    const deliveredOffsetsMs = deliveredAt.map((t) => Math.round(t - start));
    this.capture.smoothed(this.ctx.id, upstreamOffsetMs, deliveredOffsetsMs);
    if (this.framesPublished++ >= this.ctx.settings.liveFramesPerRequest) return;
    this.deps.live.publish({
      type: 'smoothed',
      requestId: this.ctx.id,
      at: this.deps.clock.now(),
      upstreamOffsetMs,
      deliveredOffsetsMs,
    });
  }

  /** The one place a provider's health is judged (health-verdict.ts says what each outcome means). */
  private judge(
    provider: ProviderConfig,
    failure: Failure | null,
    status: number | null,
    retryAfterMs: number | null = null,
    bodyHead: string | null = null,
  ): void {
    judgeHealth(
      this.deps.health,
      this.ctx.settings,
      provider.id,
      { failure, status, retryAfterMs, bodyHead },
      (t) => this.redact(t),
    );
  }

  private recordAttempt(a: Omit<AttemptRecord, 'requestId' | 'attemptNo'>): void {
    this.deps.usage.attemptFinished({ ...a, requestId: this.ctx.id, attemptNo: ++this.attemptSeq });
  }

  private captureRequest(): void {
    if (this.captured) return;
    this.captured = true;
    const { ctx, capture } = this;
    capture.requestHeaders(ctx.id, ctx.method, ctx.req.url ?? '/', ctx.headers);
    if (ctx.body !== null) capture.requestBody(ctx.id, ctx.body);
  }
}
