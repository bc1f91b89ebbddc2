/** The pieces of an assistant message that the inspector shows, and the builder that collects them. */

/** A frame as captured or pushed: its SSE event name (if any) and its data. */
export interface RawFrame {
  event: string | null;
  data: string;
}

export interface DecodedToolCall {
  id: string | null;
  name: string;
  /** The arguments as sent (JSON text, possibly partial while streaming). */
  args: string;
}

/** The assistant's answer, put back together from a response's frames. */
export interface DecodedMessage {
  text: string;
  thinking: string;
  toolCalls: DecodedToolCall[];
  stopReason: string | null;
  error: string | null;
  model: string | null;
}

export /** Accumulates one message; each format's reader feeds it. */
class MessageBuilder {
  text = '';
  thinking = '';
  stopReason: string | null = null;
  error: string | null = null;
  model: string | null = null;
  private readonly calls: DecodedToolCall[] = [];
  private readonly byKey = new Map<string, DecodedToolCall>();

  call(key: string, id: string | null, name: string | null, args = ''): void {
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      if (existing.id === null && id !== null) existing.id = id;
      if (existing.name === '' && name !== null) existing.name = name;
      existing.args += args;
      return;
    }
    const c: DecodedToolCall = { id, name: name ?? '', args };
    this.byKey.set(key, c);
    this.calls.push(c);
  }

  /** Replaces a call's arguments with the final full text (a `done` event). */
  callArgs(key: string, args: string): void {
    const c = this.byKey.get(key);
    if (c !== undefined) c.args = args;
  }

  done(): DecodedMessage {
    return {
      text: this.text,
      thinking: this.thinking,
      toolCalls: this.calls,
      stopReason: this.stopReason,
      error: this.error,
      model: this.model,
    };
  }
}
