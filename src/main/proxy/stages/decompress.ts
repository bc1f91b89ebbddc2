import { Readable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * Decodes a compressed upstream body as it arrives. Sync-flush keeps a streamed response streaming:
 * each inflated piece is handed on as soon as zlib can produce it.
 * Returns the body unchanged when it is not compressed (or uses an encoding Sluice did not ask for).
 */
export function decompressed(body: Readable, contentEncoding: string | string[] | undefined): Readable {
  const encoding = normalized(contentEncoding);
  let decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null = null;
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    decoder = zlib.createGunzip({
      flush: zlib.constants.Z_SYNC_FLUSH,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
  } else if (encoding === 'deflate') {
    decoder = zlib.createInflate({
      flush: zlib.constants.Z_SYNC_FLUSH,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
  } else if (encoding === 'br') {
    decoder = zlib.createBrotliDecompress({
      flush: zlib.constants.BROTLI_OPERATION_FLUSH,
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
    });
  }
  if (decoder === null) return body;
  const out = decoder;
  body.on('error', (err) => out.destroy(err));
  out.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  return body.pipe(out);
}

/** The content-encoding header as one lower-case token list. */
function normalized(contentEncoding: string | string[] | undefined): string {
  return (Array.isArray(contentEncoding) ? contentEncoding.join(',') : (contentEncoding ?? ''))
    .trim()
    .toLowerCase();
}

/** Whether Sluice can decode this content-encoding. */
export function isDecodable(contentEncoding: string | string[] | undefined): boolean {
  const e = normalized(contentEncoding);
  return e === '' || e === 'identity' || e === 'gzip' || e === 'x-gzip' || e === 'deflate' || e === 'br';
}
