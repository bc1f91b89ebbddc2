import type { StopReason } from './types';

/**
 * Stop reasons of Anthropic Messages and Chat Completions ↔ the hub's StopReason. A turn that
 * carried a tool call always ends as a tool stop in the client's format (`withToolStop`): upstreams
 * that say `stop`/`end_turn` after a call (text then a call, Gemini's STOP) would otherwise end
 * Claude Code's session.
 */

/** Anthropic `stop_reason` → StopReason (unknown ones: end_turn). */
export function stopFromAnthropic(reason: string | null): StopReason | null {
  switch (reason) {
    case null:
      return null;
    case 'end_turn':
    case 'max_tokens':
    case 'stop_sequence':
    case 'tool_use':
    case 'refusal':
    case 'pause_turn':
      return reason;
    case 'model_context_window_exceeded':
      return 'context_window_exceeded';
  }
  return 'end_turn'; // compaction and future reasons: the turn ended normally
}

/** StopReason → Anthropic `stop_reason`. */
export function stopToAnthropic(reason: StopReason): string {
  switch (reason) {
    case 'context_window_exceeded':
      return 'model_context_window_exceeded';
    case 'error':
      return 'end_turn';
    default:
      return reason;
  }
}

/** Chat `finish_reason` → StopReason. */
export function stopFromChat(reason: string | null): StopReason | null {
  switch (reason) {
    case null:
      return null;
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'insufficient_system_resource': // DeepSeek: the server gave up mid-answer
    case 'error':
      return 'error';
  }
  return 'end_turn';
}

/** StopReason → Chat `finish_reason`. */
export function stopToChat(reason: StopReason): string {
  switch (reason) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** The reason a client is told: a tool stop whenever the turn carried a tool call. */
export function withToolStop(reason: StopReason | null, sawToolCall: boolean): StopReason {
  return sawToolCall ? 'tool_use' : (reason ?? 'end_turn');
}
