import { errorMessage } from '../../shared/errors';
import type { Failure } from '../../shared/failure';
import type { Committed } from './attempt';
import type { Ending, RequestLedger } from './ledger';
import type { Clock } from './ports';
import type { RequestContext } from './request-context';
import { createClientOutput } from './output-stages';
import { clientFraming, translatedContentType } from './translated-output';
import { observeLater, type LaterObserver } from './observe-later';

/**
 * After the commit point: status and headers go to the client, then the held bytes, then every upstream
 * byte as it arrives, through the output stages (unchanged unless a stage applies). A stream that dies
 * here ends with a well-formed error event in the client's format; a client that leaves aborts the
 * upstream at once. Resolves with the request's ending, after telling the ledger how the attempt went.
 */
export async function relay(
  ctx: RequestContext,
  c: Committed,
  attempts: number,
  ledger: RequestLedger,
  clock: Clock,
): Promise<Ending> {
  const { res } = ctx;
  const headers: Record<string, string | string[]> = { ...c.headers, ...ledger.headers(attempts) };
  const framing = clientFraming(ctx, c);
  if (c.translation !== null) {
    // The body is the client format's now: its own type, and a length nobody knows yet.
    headers['content-type'] = translatedContentType(framing);
    delete headers['content-length'];
  }
  if (framing === 'sse') {
    headers['content-type'] ??= 'text/event-stream';
    headers['cache-control'] = 'no-cache';
    headers['x-accel-buffering'] = 'no';
  }
  if (c.translation === null && c.reader === null && !c.isSse) {
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
  ledger.committed(c.provider, c.status, ttfbMs);

  const output = createClientOutput(ctx, c, ledger, clock, {
    now: () => clientGone,
    signal: () => gone.signal,
  });
  /** Ends the client's stream with an error in its own format saying why it ends here. */
  const endWith = (f: Failure, message: string): Promise<void> =>
    res.destroyed ? output.end(false) : output.fail(f.code, ledger.redact(message));

  // Held chunks were observed at the gate; the rest are observed once per turn, after their write.
  const watch = observeLater(c.observer);
  let failure: Failure | null = null;
  try {
    for (const chunk of c.held) await output.push(chunk);
    if (c.reader !== null) {
      for (;;) {
        if (clientGone) break;
        const r = await c.reader.next(null);
        if (r.kind !== 'chunk') break;
        const written = output.push(r.chunk);
        watch.push(r.chunk);
        await written;
      }
      // Every chunk observed, then an event the upstream ended inside is read as the client's SDK
      // reads it (`pendingAtEnd`).
      watch.end(!clientGone);
    }
    const cutShort =
      c.isSse && c.status < 300 && !c.observer.facts.terminal && c.observer.facts.error === null;
    // A stream the client's SDK reads as whole goes as it came, its last event without a blank line too.
    if (!clientGone && cutShort) {
      failure = { code: 'stream_cut' };
      await endWith(failure, 'upstream stream ended before its terminal event');
    } else {
      await output.end(!cutShort);
      // Its SDK rejects it, as it would have without Sluice: the bytes stand, the request failed.
      if (!clientGone && c.observer.endedInsideEvent && c.observer.facts.error === null)
        failure = { code: 'stream_cut', detail: 'the stream ended inside an event' };
    }
  } catch (err) {
    c.reader?.destroy();
    settle(watch);
    // After the terminal event the response is whole: a late cut or idle close changes nothing.
    if (!clientGone && !c.observer.facts.terminal) {
      const idle = (err as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT';
      const bound = `${c.settings.idleTimeoutMs} ms`;
      failure = idle
        ? { code: 'idle_timeout', detail: bound }
        : { code: 'stream_broke', detail: errorMessage(err) };
      await endWith(
        failure,
        idle ? `upstream idle for ${bound}` : `upstream stream broke: ${errorMessage(err)}`,
      );
    } else await output.end(false);
  }
  res.off('close', onClose);
  if (!res.writableEnded && !res.destroyed) res.end();

  const facts = c.observer.facts;
  let outcome: Ending['outcome'];
  let httpStatus = c.status;
  if (clientGone && !facts.terminal) {
    outcome = 'aborted';
    httpStatus = 499;
    failure = { code: 'client_aborted' };
  } else {
    const said = facts.error === null ? undefined : `${facts.error.type ?? 'error'}: ${facts.error.message}`;
    // A non-2xx passed through (the client's own mistake) fails with the provider's words.
    if (c.status >= 300)
      failure = { code: 'http_status', status: c.status, ...(said === undefined ? {} : { detail: said }) };
    else if (failure === null && said !== undefined) failure = { code: 'error_in_stream', detail: said };
    outcome = failure === null ? 'completed' : 'failed';
  }
  ledger.relayEnded(c.provider, c.startedAtMs, c.status, outcome, failure, attempts);
  return {
    outcome,
    httpStatus,
    ttfbMs,
    failure,
    facts,
    provider: c.provider.id,
    upstreamModel: c.upstreamModel,
    upstreamTtfbMs: c.upstreamTtfbMs,
    translatedTo: c.translation === null ? null : c.speaking.format,
  };
}

/** Observes what a broken stream still owes, so its facts (a terminal event already seen?) are whole. */
function settle(watch: LaterObserver): void {
  try {
    watch.flush();
  } catch {
    // the observer failed on bytes the client already has: the stream's break is what is reported
  }
}
