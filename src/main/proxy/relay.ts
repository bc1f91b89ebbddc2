import type { RequestOutcome } from '../../shared/usage';
import { attemptSettings, type Committed } from './attempt';
import type { CaptureSink, Clock, LiveSink } from './ports';
import type { RequestContext } from './request-context';
import { createClientOutput } from './client-output';
import { errorMessage } from '../../shared/errors';

export interface RelayResult {
  outcome: RequestOutcome;
  httpStatus: number;
  /** Request start → first byte written to the client, ms. */
  ttfbMs: number;
  error: string | null;
}

/**
 * After the commit point: status and headers go to the client, then the held bytes, then every upstream
 * byte as it arrives, unchanged. A stream that dies here ends with a well-formed error event in the
 * client's format; a client that leaves aborts the upstream at once.
 */
export async function relay(
  ctx: RequestContext,
  c: Committed,
  attempts: number,
  live: LiveSink,
  clock: Clock,
  capture?: CaptureSink,
): Promise<RelayResult> {
  const { res } = ctx;
  const headers: Record<string, string | string[]> = {
    ...c.headers,
    'x-sluice-request-id': ctx.id,
    'x-sluice-attempts': String(attempts),
  };
  if (c.isSse) {
    headers['content-type'] ??= 'text/event-stream';
    headers['cache-control'] = 'no-cache';
    headers['x-accel-buffering'] = 'no';
  }
  if (c.reader === null && !c.isSse) {
    headers['content-length'] = String(c.held.reduce((n, b) => n + b.length, 0));
  }

  let clientGone = false;
  const gone = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) {
      clientGone = true;
      gone.abort();
      c.abort.abort();
    }
  };
  res.on('close', onClose);
  res.writeHead(c.status, headers);
  // With bytes in hand the headers leave with them in one write; otherwise they go now.
  if (c.held.length === 0) res.flushHeaders();
  const ttfbMs = clock.mono() - ctx.startMono;
  live.publish({
    type: 'committed',
    requestId: ctx.id,
    at: clock.now(),
    provider: c.provider.id,
    status: c.status,
    ttfbMs,
  });

  const output = createClientOutput(ctx, c, live, clock, gone.signal, capture);

  let error: string | null = null;
  try {
    for (const chunk of c.held) await output.push(chunk);
    if (c.reader !== null) {
      for (;;) {
        if (clientGone) break;
        const r = await c.reader.next(null);
        if (r.kind !== 'chunk') break;
        c.observer.push(r.chunk);
        await output.push(r.chunk);
      }
      c.observer.end();
    }
    const cutShort =
      c.isSse && c.status < 300 && !c.observer.facts.terminal && c.observer.facts.error === null;
    await output.end(!cutShort);
    if (!clientGone && cutShort) {
      error = 'upstream stream ended before its terminal event';
      res.write(ctx.adapter.errorEvent(502, 'upstream_stream', error));
    }
  } catch (err) {
    c.reader?.destroy();
    await output.end(false);
    // After the terminal event the response is whole: a late cut or idle close changes nothing.
    if (!clientGone && !c.observer.facts.terminal) {
      const code = (err as { code?: unknown }).code;
      error =
        code === 'UND_ERR_BODY_TIMEOUT'
          ? `upstream idle for ${attemptSettings(ctx.settings, c.provider).idleTimeoutMs} ms`
          : `upstream stream broke: ${errorMessage(err)}`;
      if (c.isSse && !res.destroyed) res.write(ctx.adapter.errorEvent(502, 'upstream_stream', error));
    }
  }
  res.off('close', onClose);
  if (!res.writableEnded && !res.destroyed) res.end();

  const facts = c.observer.facts;
  if (clientGone && !facts.terminal) {
    return { outcome: 'aborted', httpStatus: 499, ttfbMs, error: 'client closed the connection' };
  }
  if (facts.error !== null) {
    error ??= `${facts.error.type ?? 'error'}: ${facts.error.message}`;
  }
  const ok = c.status < 300 && error === null;
  return {
    outcome: ok ? 'completed' : 'failed',
    httpStatus: c.status,
    ttfbMs,
    error: ok ? null : (error ?? `upstream answered ${c.status}`),
  };
}
