import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** Reads a request body, refusing (without buffering further) once it passes `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes)
    return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: BodyResult): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        parts.length = 0;
        req.pause();
        settle({ ok: false, reason: 'too-large' });
        return;
      }
      parts.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () =>
      settle({ ok: true, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts, size) }),
    );
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
