import type { IncomingMessage } from 'node:http';

export type BodyResult =
  { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' | 'timeout' | 'over-budget' };

export interface ReadBodyOptions {
  /** The whole body must have arrived within this long (ms); past it the read ends as `timeout`. */
  timeoutMs?: number;
  /** Asked for the bytes of each chunk of a body of unknown length (a memory budget); false ends the read as `over-budget`. */
  take?: (bytes: number) => boolean;
}

/**
 * Reads a request body, refusing (without buffering further) once it passes `maxBytes`. A body that
 * declares its length is read into one buffer of that size, so it is held once: collecting the chunks
 * and joining them held it about four times over (each chunk keeps the whole read buffer it was cut
 * from alive until the next garbage collection).
 */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
  opts: ReadBodyOptions = {},
): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  const known =
    req.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared >= 0;
  if (known && declared > maxBytes) return Promise.resolve({ ok: false, reason: 'too-large' });
  // Gone already (while it waited for room, say): its `close` has been and will not come again.
  if (req.destroyed) return Promise.resolve({ ok: false, reason: 'aborted' });
  if (known && declared === 0) return Promise.resolve({ ok: true, body: Buffer.alloc(0) });
  return new Promise((resolve) => {
    /** The body of declared length: its one chunk as it came, or one buffer the chunks are copied into. */
    let whole: Buffer | null = null;
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const timer =
      opts.timeoutMs === undefined
        ? null
        : setTimeout(() => stop({ ok: false, reason: 'timeout' }), opts.timeoutMs);
    const settle = (r: BodyResult): void => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      req.off('data', onData);
      resolve(r);
    };
    /** Ends the read before the body did: nothing more is buffered. */
    const stop = (r: BodyResult): void => {
      parts.length = 0;
      req.pause();
      settle(r);
    };
    const onData = (chunk: Buffer): void => {
      if (known) {
        // Not from Node's shared pool: the body lives exactly as long as its request holds it.
        if (whole === null) whole = chunk.length === declared ? chunk : Buffer.allocUnsafeSlow(declared);
        // Node's parser never passes a declared length (a longer body is the next request's bytes).
        if (whole !== chunk) chunk.copy(whole, size);
        size += chunk.length;
        return;
      }
      size += chunk.length;
      if (size > maxBytes) return stop({ ok: false, reason: 'too-large' });
      if (opts.take !== undefined && !opts.take(chunk.length))
        return stop({ ok: false, reason: 'over-budget' });
      parts.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (known)
        return settle(
          whole !== null && size === declared ? { ok: true, body: whole } : { ok: false, reason: 'aborted' },
        );
      settle({ ok: true, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts, size) });
    });
    req.once('error', () => settle({ ok: false, reason: 'aborted' }));
    req.once('close', () => settle({ ok: false, reason: 'aborted' }));
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export type JsonResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses a JSON body, telling broken UTF-8 apart from broken JSON. */
export function parseJsonBody(body: Buffer): JsonResult {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return { ok: false, message: 'request body is not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return {
      ok: false,
      message: `request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
