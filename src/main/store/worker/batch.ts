import type { BodyMode } from '../../../shared/usage-query';
import { CODE_CLIENT, CODE_OBJECT, CODE_RESPONSE, type ObjectOp, type StoreBatch } from './protocol';

/**
 * Collects the calls of one tick on the main thread: a chunk costs a few numbers pushed and a
 * reference to its bytes, no object; `take` packs the numbers into a Float64Array and the bytes into
 * one ArrayBuffer (the one copy), both transferred to the worker.
 */
export class BatchBuilder {
  private codes: number[] = [];
  private objects: ObjectOp[] = [];
  private strings: string[] = [];
  private interned = new Map<string, number>();
  private parts: Uint8Array[] = [];
  /** Bytes held for the batch so far: where the next call's bytes will start. */
  bytes = 0;

  get empty(): boolean {
    return this.codes.length === 0;
  }

  /** A call other than a chunk; `body` is the bytes it names by `at`/`length` (held as they are). */
  object(op: ObjectOp, body?: Uint8Array): void {
    this.codes.push(CODE_OBJECT);
    this.objects.push(op);
    if (body !== undefined) this.hold(body);
  }

  /** A response (or client-side) chunk; `bytes` null: the bound dropped it, the worker learns only that. */
  chunk(
    side: 'response' | 'client',
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    frames: number,
    bytes: Uint8Array | null,
  ): void {
    this.codes.push(
      side === 'response' ? CODE_RESPONSE : CODE_CLIENT,
      this.intern(requestId),
      attempt,
      this.intern(mode),
      offsetMs,
      frames,
      bytes === null ? -1 : this.bytes,
      bytes === null ? 0 : bytes.length,
    );
    if (bytes !== null) this.hold(bytes);
  }

  /** The batch as one message and its transfer list; the builder starts empty again. */
  take(seq: number): { batch: StoreBatch; transfer: ArrayBuffer[] } {
    const bytes = new ArrayBuffer(this.bytes);
    const view = new Uint8Array(bytes);
    let at = 0;
    for (const part of this.parts) {
      view.set(part, at);
      at += part.length;
    }
    const codes = Float64Array.from(this.codes).buffer;
    const batch: StoreBatch = {
      type: 'batch',
      seq,
      codes,
      strings: this.strings,
      objects: this.objects,
      bytes,
    };
    this.codes = [];
    this.objects = [];
    this.strings = [];
    this.interned = new Map();
    this.parts = [];
    this.bytes = 0;
    return { batch, transfer: [codes, bytes] };
  }

  private hold(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.bytes += bytes.length;
  }

  private intern(s: string): number {
    let i = this.interned.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.interned.set(s, i);
    }
    return i;
  }
}
