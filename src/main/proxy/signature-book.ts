import type { Signature, TurnEvent, TurnRequest, TurnResponse } from '../../formats/turn/types';

/** Tool calls whose signatures are remembered at most (the oldest go first). */
export const MAX_REMEMBERED_SIGNATURES = 4096;

/**
 * Gemini thought signatures of tool calls that a client of another format has no place for: kept
 * by the call's id (Gemini's own, or a random one the decoder made) when Gemini answers, and put back
 * on that call when the client sends it again in a later turn — Gemini 3 rejects a replayed call
 * without its signature. Bounded; a call it no longer holds goes back as the codec sends it then.
 */
export class SignatureBook {
  private readonly byCall = new Map<string, Signature>();

  constructor(private readonly max = MAX_REMEMBERED_SIGNATURES) {}

  get size(): number {
    return this.byCall.size;
  }

  remember(callId: string, signature: Signature): void {
    if (signature.vendor !== 'gemini' || callId === '') return;
    this.byCall.delete(callId);
    this.byCall.set(callId, signature);
    if (this.byCall.size > this.max) {
      const oldest = this.byCall.keys().next();
      if (oldest.done !== true) this.byCall.delete(oldest.value);
    }
  }

  /** Records the signatures on the tool calls among these events (a Gemini answer's stream). */
  rememberEvents(events: readonly TurnEvent[]): void {
    for (const e of events)
      if (e.type === 'tool_call_start' && e.signature !== null) this.remember(e.id, e.signature);
  }

  /** Records the signatures on a whole Gemini answer's tool calls. */
  rememberResponse(response: TurnResponse): void {
    for (const p of response.parts)
      if (p.type === 'tool_call' && p.signature !== null) this.remember(p.id, p.signature);
  }

  /** The request with the remembered signature on every tool call that came back without Gemini's. */
  attach(turn: TurnRequest): TurnRequest {
    if (this.byCall.size === 0) return turn;
    let changed = false;
    const messages = turn.messages.map((m) => {
      if (m.role !== 'assistant') return m;
      const parts = m.parts.map((p) => {
        if (p.type !== 'tool_call' || p.signature?.vendor === 'gemini') return p;
        const signature = this.byCall.get(p.id);
        if (signature === undefined) return p;
        changed = true;
        return { ...p, signature };
      });
      return { ...m, parts };
    });
    return changed ? { ...turn, messages } : turn;
  }
}
