import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../../src/formats';

/**
 * Issue #14 item 3: each observer says what its format's official SDK does with an event a stream
 * ends inside, and settles on how a stream that ended short of its terminal event stopped.
 */

describe('the end of a stream, per format', () => {
  it('reads an event the stream ends inside as each SDK does', () => {
    expect(adapterFor('openai-chat').createObserver().pendingAtEnd).toBe('dispatch');
    expect(adapterFor('openai-responses').createObserver().pendingAtEnd).toBe('dispatch');
    expect(adapterFor('anthropic').createObserver().pendingAtEnd).toBe('discard');
    expect(adapterFor('gemini').createObserver().pendingAtEnd).toBe('reject');
  });

  describe('anthropic', () => {
    const start = JSON.stringify({
      type: 'message_start',
      message: { id: 'msg_1', model: 'c', usage: { input_tokens: 5, output_tokens: 1 } },
    });
    const delta = (stop: string | null): string =>
      JSON.stringify({ type: 'message_delta', delta: { stop_reason: stop }, usage: { output_tokens: 7 } });

    it('takes a stop reason, then the end without message_stop, as a finished message', () => {
      const o = adapterFor('anthropic').createObserver();
      o.observeEvent('message_start', start);
      o.observeEvent('message_delta', delta('end_turn'));
      expect(o.facts.terminal).toBe(false);
      expect(o.observeEnd()).toBe('terminal');
      expect(o.facts).toMatchObject({ terminal: true, completed: true, finishReason: 'end_turn' });
      expect(o.facts.usage.outputTokens).toBe(7);
    });

    it('does not without a stop reason, after an error, or twice', () => {
      const none = adapterFor('anthropic').createObserver();
      none.observeEvent('message_start', start);
      none.observeEvent('message_delta', delta(null));
      expect(none.observeEnd()).toBe('other');
      expect(none.facts.terminal).toBe(false);

      const failed = adapterFor('anthropic').createObserver();
      failed.observeEvent('message_delta', delta('end_turn'));
      failed.observeEvent('error', '{"type":"error","error":{"type":"overloaded_error","message":"x"}}');
      expect(failed.observeEnd()).toBe('other');
      expect(failed.facts.completed).toBe(false);

      const stopped = adapterFor('anthropic').createObserver();
      stopped.observeEvent('message_delta', delta('end_turn'));
      stopped.observeEvent('message_stop', '{"type":"message_stop"}');
      expect(stopped.observeEnd()).toBe('other');
      expect(stopped.facts.completed).toBe(true);
    });
  });

  it('adds nothing at the end for the formats whose terminal event says it all', () => {
    for (const format of ['openai-chat', 'openai-responses', 'gemini'] as const) {
      const o = adapterFor(format).createObserver();
      expect(o.observeEnd(), format).toBe('other');
      expect(o.facts.terminal, format).toBe(false);
    }
  });
});
