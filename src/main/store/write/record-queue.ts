/**
 * A bounded FIFO of records waiting for the database: a plain array read from `head`, so taking a
 * batch or dropping the oldest is O(1), compacted now and then so a long outage does not keep a
 * huge backing array alive.
 */
export class RecordQueue<T> {
  private items: T[] = [];
  private head = 0;

  /** Records waiting. */
  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The next `max` records, without removing them. */
  peek(max: number): T[] {
    return this.items.slice(this.head, this.head + max);
  }

  /** The oldest record, if any. */
  first(): T | undefined {
    return this.items[this.head];
  }

  /** Removes the oldest `n` records. */
  consume(n: number): void {
    this.head += n;
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
