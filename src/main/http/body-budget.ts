/**
 * The bytes of request bodies held at once, across requests. A request takes its share before its
 * body is read (while it waits, the bytes stay in the client's socket: TCP holds them back) and gives it
 * back when it ends. Waiters are served first come, first served, so a large body is not starved by a
 * stream of small ones; every wait is bounded.
 */
export class BodyBudget {
  private used = 0;
  private readonly queue: { bytes: number; limit: number; grant: () => void }[] = [];

  /** Bytes held now. */
  get held(): number {
    return this.used;
  }

  /** Requests waiting for room now. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Takes `bytes` (at most `limit`: a body larger than the whole allowance waits until it is alone),
   * now or as soon as room frees up within `waitMs`. Resolves with the bytes taken (to give back with
   * `release`), or null when there was no room in time.
   */
  take(bytes: number, limit: number, waitMs: number): Promise<number | null> {
    const share = Math.min(bytes, limit);
    if (this.queue.length === 0 && this.fits(share, limit)) {
      this.used += share;
      return Promise.resolve(share);
    }
    if (waitMs <= 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const entry = {
        bytes: share,
        limit,
        grant: () => {
          clearTimeout(timer);
          resolve(share);
        },
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(entry), 1);
        resolve(null);
        this.drain(); // the one that timed out may have been holding back smaller ones
      }, waitMs);
      this.queue.push(entry);
    });
  }

  /** Takes `bytes` now if they fit and nobody waits; false otherwise. For bodies of unknown length, chunk by chunk. */
  tryTake(bytes: number, limit: number): boolean {
    if (this.queue.length > 0 || !this.fits(bytes, limit)) return false;
    this.used += bytes;
    return true;
  }

  /** Gives back what `take` / `tryTake` took. */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    this.drain();
  }

  private fits(bytes: number, limit: number): boolean {
    return this.used === 0 || this.used + bytes <= limit;
  }

  private drain(): void {
    for (
      let head = this.queue[0];
      head !== undefined && this.fits(head.bytes, head.limit);
      head = this.queue[0]
    ) {
      this.queue.shift();
      this.used += head.bytes;
      head.grant();
    }
  }
}
