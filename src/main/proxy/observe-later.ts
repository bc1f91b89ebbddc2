import type { BodyObserver } from './observe';

/** What observes chunks later: a body observer, or any sink of bytes kept beside the relay. */
export type ChunkWatcher = Pick<BodyObserver, 'push' | 'end'>;

/**
 * Observation off the relay's path (issue #17 §2). After the commit the relay's job per chunk is to
 * write it to the client; decoding it, reading its events (usage, terminal, errors), publishing frames
 * and capturing it is the observer's, and none of that is the client's to wait for. So the relay hands
 * each chunk here by reference right after writing it, and one pass per event-loop turn (a single
 * `setImmediate` shared by every stream) observes everything that arrived in that turn, stream by
 * stream, in arrival order.
 *
 * Nothing is judged from a stream's observations until they are all in: `flush()` observes what is
 * still waiting, and `end()` flushes first, so outcomes, usage and health read the same facts as if
 * each chunk had been observed as it came. What waits is bounded: past `MAX_WAITING_BYTES` for one
 * stream its chunks are observed at once (they are references to bytes already written, so the bound
 * is on how much observation one pass can owe, not on copies).
 */
export interface LaterObserver {
  /** Queues `chunk` (already written to the client) for the next pass. Never throws. */
  push(chunk: Buffer): void;
  /** Observes every chunk still waiting, now; throws what the observer threw, here or in a pass. */
  flush(): void;
  /** Flushes, then ends the observer (`BodyObserver.end`). */
  end(bodyEnded: boolean): void;
}

/** Most bytes one stream's observer may owe before it catches up in line. */
export const MAX_WAITING_BYTES = 1024 * 1024;

class Later implements LaterObserver {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** What the observer threw in a pass, thrown again to the relay at its next call. */
  private failed: { err: unknown } | null = null;
  queued = false;

  constructor(private readonly observer: ChunkWatcher) {}

  push(chunk: Buffer): void {
    if (this.failed !== null) return; // said at the next flush or the end, inside the relay's try
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes > MAX_WAITING_BYTES) this.settle();
    else if (!this.queued) {
      this.queued = true;
      due.push(this);
      if (!scheduled) {
        scheduled = true;
        setImmediate(pass);
      }
    }
  }

  flush(): void {
    if (this.failed !== null) throw this.failed.err;
    if (this.chunks.length === 0) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    for (const chunk of chunks) this.observer.push(chunk);
  }

  end(bodyEnded: boolean): void {
    this.flush();
    this.observer.end(bodyEnded);
  }

  /** The pass's flush: what the observer throws waits for the relay, which handles it in its own try. */
  settle(): void {
    try {
      this.flush();
    } catch (err) {
      this.failed ??= { err };
      this.chunks = [];
    }
  }
}

/** Streams with chunks waiting, in the order their first chunk of this turn arrived. */
let due: Later[] = [];
let scheduled = false;

/** The one pass per turn: every waiting stream's chunks observed, in order. */
function pass(): void {
  scheduled = false;
  const now = due;
  due = [];
  for (const later of now) {
    later.queued = false;
    later.settle();
  }
}

/**
 * Wraps a committed attempt's observer (or another watcher of the bytes, like the capture of what a
 * translated answer became) so its chunks are observed once per turn, off the relay's path.
 */
export function observeLater(observer: ChunkWatcher): LaterObserver {
  return new Later(observer);
}
