import type { Readable } from 'node:stream';

/** Result of waiting for the next chunk with a deadline. */
export type ChunkResult = { kind: 'chunk'; chunk: Buffer } | { kind: 'end' } | { kind: 'timeout' };

/**
 * Pulls chunks from a body one at a time, optionally racing a deadline, without ever losing a chunk:
 * a read that outlives its deadline is kept and answered by the next call.
 */
export class ChunkReader {
  private readonly it: AsyncIterator<Buffer>;
  private pending: Promise<IteratorResult<Buffer>> | null = null;

  constructor(readonly body: Readable) {
    this.it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** The next chunk, or `end`, or `timeout` after `timeoutMs` (no deadline when null). Rejects on a stream error. */
  async next(timeoutMs: number | null): Promise<ChunkResult> {
    this.pending ??= this.it.next();
    const read = this.pending;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result =
        timeoutMs === null
          ? await read
          : await Promise.race([
              read,
              new Promise<'timeout'>((resolve) => {
                timer = setTimeout(resolve, Math.max(0, timeoutMs), 'timeout');
              }),
            ]);
      if (result === 'timeout') return { kind: 'timeout' };
      this.pending = null;
      return result.done ? { kind: 'end' } : { kind: 'chunk', chunk: result.value };
    } catch (err) {
      this.pending = null;
      throw err;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** Resolves once the next chunk, the end or an error is available, without taking it (next() will). */
  arrived(): Promise<void> {
    this.pending ??= this.it.next();
    return this.pending.then(
      () => undefined,
      () => undefined,
    );
  }

  /** Stops reading and releases the upstream socket. */
  destroy(): void {
    // A pending read rejects once the body is destroyed; nobody awaits it any more.
    this.pending?.catch(() => undefined);
    this.pending = null;
    this.body.destroy();
  }
}
