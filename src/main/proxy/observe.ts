import type { BodyLog } from './ledger';
import type { EventKind, StreamFacts, StreamObserver } from '../../formats';
import type { RequestContext } from './request-context';
import type { BodyMode } from '../../shared/usage-query';
import { createSseDecoder } from './stages/sse-decode';
import { createJsonArraySplitter } from './stages/json-array-split';
import { createBoundedBody } from './oversized-event';

/** Most non-SSE text kept from an SSE body to look for a trailing JSON error. */
const MAX_STRAY_CHARS = 64 * 1024;

export type { BodyMode } from '../../shared/usage-query';

/** What the prefetch gate and the relay need to know after each chunk. */
export interface BodySignals {
  content: boolean;
  terminal: boolean;
  error: boolean;
}

/** The side-channel beside the relay: decodes the body into events, feeds the format adapter, publishes frames. */
export interface BodyObserver {
  readonly facts: StreamFacts;
  readonly signals: BodySignals;
  readonly bytes: number;
  /**
   * The body ended inside an event, and this format's SDK rejects such a stream (`pendingAtEnd`): the
   * request failed, though its bytes reach the client as they came.
   */
  readonly endedInsideEvent: boolean;
  push(chunk: Buffer): void;
  /**
   * No more bytes. `bodyEnded` (default): the upstream ended the body, so an event it ended inside is
   * read as the format's SDK reads it, and the format may settle on how the stream stopped; false: the
   * body was abandoned half-way (the client left), and what is unfinished is dropped.
   */
  end(bodyEnded?: boolean): void;
}

/** Picks the framing from the request's format, whether it streams, and the response content type. */
export function bodyMode(ctx: RequestContext, contentType: string | undefined): BodyMode {
  return ctx.adapter.bodyMode(ctx.stream, contentType);
}

/** Bounds the live frames of one request, so a long stream cannot flood the UI. */
class FrameBudget {
  private frames = 0;
  private bytes = 0;
  dropped = 0;
  constructor(
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {}
  take(size: number): boolean {
    if (this.frames >= this.maxFrames || this.bytes + size > this.maxBytes) {
      this.dropped++;
      return false;
    }
    this.frames++;
    this.bytes += size;
    return true;
  }
}

/**
 * Creates the observer for attempt `attempt`'s body. `log` receives each raw chunk once, whole (for the
 * inspector), and each decoded frame (for the live view, only while someone watches, within budget).
 */
export function observeBody(
  ctx: RequestContext,
  observer: StreamObserver,
  mode: BodyMode,
  log: BodyLog,
  attempt = 1,
): BodyObserver {
  const signals: BodySignals = { content: false, terminal: false, error: false };
  const budget = new FrameBudget(ctx.settings.liveFramesPerRequest, ctx.settings.liveFrameBytesPerRequest);
  let bytes = 0;
  let endedInsideEvent = false;
  const note = (kind: EventKind): void => {
    if (kind === 'content') signals.content = true;
    else if (kind === 'terminal') signals.terminal = true;
    else if (kind === 'error') signals.error = true;
  };
  const publish = (event: string | null, data: string): void => {
    if (!log.watching() || !budget.take(data.length)) return;
    log.frame(event, data);
  };
  // Past `maxObservedBodyBytes`, an event, element or body is read from its two ends only: the facts
  // at its ends still count (a Responses or Gemini event with a large image still ends the stream and
  // carries its usage), and the observation says it is partial.
  const max = ctx.settings.maxObservedBodyBytes;
  const partly = (): void => {
    observer.facts.partialEvents++;
  };
  const parseAndObserve = (text: string): void => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return; // not JSON (an HTML page, a truncated body): the gate judges it by `signals`
    }
    note(observer.observeJson(value));
  };

  let sink: { push(chunk: Uint8Array): void; end(bodyEnded: boolean): void };
  if (mode === 'sse') {
    // Lines that are not SSE (Gemini can append a bare JSON error after its events) are kept,
    // bounded, and read as one JSON value at the end.
    const stray: string[] = [];
    let strayChars = 0;
    const decoder = createSseDecoder(
      (event, data) => {
        note(observer.observeEvent(event, data));
        publish(event ?? null, data);
      },
      {
        onStrayLine: (line) => {
          if (strayChars + line.length > MAX_STRAY_CHARS) return;
          stray.push(line);
          strayChars += line.length;
        },
        pendingAtEnd: observer.pendingAtEnd === 'dispatch' ? 'dispatch' : 'discard',
        maxBufferChars: max,
        onOversized: (o) => {
          partly();
          if (o.data === null) return;
          note(observer.observeEvent(o.event, o.data));
          publish(o.event ?? null, o.data);
        },
      },
    );
    sink = {
      push: (chunk) => decoder.push(chunk),
      end(bodyEnded) {
        if (decoder.end(bodyEnded) && observer.pendingAtEnd === 'reject') endedInsideEvent = true;
        if (stray.length > 0) {
          const text = stray.join('\n');
          parseAndObserve(text);
          publish(null, text);
        }
      },
    };
  } else if (mode === 'json-array') {
    sink = createJsonArraySplitter(
      (json) => {
        parseAndObserve(json);
        publish(null, json);
      },
      {
        maxElementChars: max,
        onOversized: (standIn) => {
          partly();
          if (standIn === null) return;
          parseAndObserve(standIn);
          publish(null, standIn);
        },
      },
    );
  } else {
    const body = createBoundedBody(max);
    sink = {
      push: (chunk) => body.push(chunk),
      end() {
        const read = body.text();
        if (read === null) return;
        if (read.partial) partly();
        if (read.text === null) return;
        parseAndObserve(read.text);
        publish(null, read.text);
      },
    };
  }

  return {
    facts: observer.facts,
    signals,
    get bytes() {
      return bytes;
    },
    get endedInsideEvent() {
      return endedInsideEvent;
    },
    push(chunk) {
      bytes += chunk.length;
      const before = observer.facts.events;
      sink.push(chunk);
      log.responseBytes(attempt, mode, chunk, observer.facts.events - before);
    },
    end(bodyEnded = true) {
      sink.end(bodyEnded);
      if (bodyEnded && mode !== 'json') note(observer.observeEnd());
      if (budget.dropped > 0) log.framesDropped(budget.dropped);
    },
  };
}
