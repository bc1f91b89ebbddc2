import type { NormalizedUsage } from '../../shared/usage';
import { openAiErrorType } from '../common/openai-error';
import type { JsonObject } from '../common/json-read';
import { toResponsesUsage } from '../turn/usage';
import type { StopReason, TurnEvent, TurnRequest, TurnStreamEncoder } from '../turn/types';
import { inputOfCustom, newId } from './turn-parts';
import { responseShell, stopToResponses } from './turn-response';

/*
 * TurnEvents → the Responses event grammar the openai SDK and Codex read: `response.created` and
 * `response.in_progress` first; each output item opened by `output_item.added` and closed by its
 * `…done` events then `output_item.done` (one item at a time); text inside a `content_part`;
 * reasoning summary inside a `reasoning_summary_part`; a strictly increasing `sequence_number` on every
 * event; `response.completed` (or `response.incomplete`) with usage and every item, or
 * `response.failed` with the upstream's error message.
 */

interface OpenItem {
  /** The decoder's block index this item stands for. */
  index: number;
  kind: 'reasoning' | 'message' | 'function_call' | 'custom_tool_call';
  item: JsonObject;
  outputIndex: number;
  text: string;
  /** Reasoning: a summary part was opened. */
  partOpen: boolean;
}

class ResponsesTurnEncoder implements TurnStreamEncoder {
  private seq = 0;
  private out = '';
  private shell: JsonObject | null = null;
  private readonly output: JsonObject[] = [];
  private current: OpenItem | null = null;
  private usage: NormalizedUsage | null = null;
  private reason: StopReason | null = null;
  private sawCall = false;
  private ended = false;
  private readonly custom: ReadonlySet<string>;

  constructor(private readonly request: TurnRequest) {
    this.custom = new Set(request.tools.filter((t) => t.kind === 'custom').map((t) => t.name));
  }

  push(events: readonly TurnEvent[]): string {
    if (this.ended) return '';
    for (const e of events) {
      if (this.ended) break;
      this.one(e);
    }
    return this.flush();
  }

  end(): string {
    if (this.ended) return '';
    this.ensureStarted(null, null);
    this.closeItem();
    const reason =
      this.sawCall && (this.reason === null || this.reason === 'end_turn') ? 'tool_use' : this.reason;
    const { status, incomplete } = stopToResponses(reason === 'error' ? 'end_turn' : reason);
    const response = {
      ...this.shell,
      status,
      incomplete_details: incomplete,
      output: this.output,
      usage: this.usage === null ? null : toResponsesUsage(this.usage),
    };
    this.emit(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
    this.ended = true;
    return this.flush();
  }

  private flush(): string {
    const text = this.out;
    this.out = '';
    return text;
  }

  private emit(type: string, payload: JsonObject): void {
    this.out += `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...payload })}\n\n`;
  }

  private ensureStarted(id: string | null, model: string | null): void {
    if (this.shell !== null) return;
    this.shell = responseShell(
      id !== null && id.length > 0 ? id : newId('resp'),
      model,
      this.request,
      Math.floor(Date.now() / 1000),
    );
    this.emit('response.created', { response: this.shell });
    this.emit('response.in_progress', { response: this.shell });
  }

  private one(e: TurnEvent): void {
    switch (e.type) {
      case 'start':
        this.ensureStarted(e.id, e.model);
        if (e.usage !== null) this.usage = e.usage;
        return;
      case 'usage':
        this.usage = mergeUsage(this.usage, e.usage);
        return;
      case 'finish':
        this.reason = e.reason;
        return;
      case 'error':
        this.fail(e);
        return;
    }
    this.ensureStarted(null, null);
    switch (e.type) {
      case 'thinking': {
        if (e.text.length === 0) return;
        const item = this.open(e.index, 'reasoning');
        if (!item.partOpen) {
          item.partOpen = true;
          this.emit('response.reasoning_summary_part.added', {
            ...this.at(item),
            summary_index: 0,
            part: { type: 'summary_text', text: '' },
          });
        }
        item.text += e.text;
        this.emit('response.reasoning_summary_text.delta', {
          ...this.at(item),
          summary_index: 0,
          delta: e.text,
        });
        return;
      }
      case 'redacted_thinking':
        // Only OpenAI's own encrypted reasoning can be replayed by an OpenAI client.
        if (e.data.vendor === 'openai') this.open(e.index, 'reasoning').item.encrypted_content = e.data.value;
        return;
      case 'thinking_signature':
        return; // another vendor's signature: nothing in Responses can carry it back
      case 'text': {
        if (e.text.length === 0) return;
        const item = this.open(e.index, 'message');
        item.text += e.text;
        this.emit('response.output_text.delta', {
          ...this.at(item),
          content_index: 0,
          delta: e.text,
          logprobs: [],
        });
        return;
      }
      case 'tool_call_start': {
        this.sawCall = true;
        this.closeItem();
        const custom = this.custom.has(e.name);
        const item: JsonObject = custom
          ? {
              id: newId('ctc'),
              type: 'custom_tool_call',
              status: 'in_progress',
              call_id: e.id,
              name: e.name,
              input: '',
            }
          : {
              id: newId('fc'),
              type: 'function_call',
              status: 'in_progress',
              arguments: '',
              call_id: e.id,
              name: e.name,
            };
        this.openItem(e.index, custom ? 'custom_tool_call' : 'function_call', item);
        return;
      }
      case 'tool_call_delta': {
        const item = this.current;
        if (item === null || item.index !== e.index || e.arguments.length === 0) return;
        item.text += e.arguments;
        // A custom tool's input is the `input` string inside the JSON: sent whole when the call ends.
        if (item.kind === 'function_call')
          this.emit('response.function_call_arguments.delta', { ...this.at(item), delta: e.arguments });
        return;
      }
      case 'block_end':
        if (this.current?.index === e.index) this.closeItem();
        return;
    }
  }

  /** item_id and output_index of an open item. */
  private at(item: OpenItem): JsonObject {
    return { item_id: item.item.id, output_index: item.outputIndex };
  }

  /** The open item for block `index` of `kind`, opening it (and closing another) when needed. */
  private open(index: number, kind: 'reasoning' | 'message'): OpenItem {
    const current = this.current;
    if (current !== null && current.index === index && current.kind === kind) return current;
    this.closeItem();
    const item: JsonObject =
      kind === 'reasoning'
        ? { id: newId('rs'), type: 'reasoning', summary: [] }
        : { id: newId('msg'), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    const open = this.openItem(index, kind, item);
    if (kind === 'message')
      this.emit('response.content_part.added', {
        ...this.at(open),
        content_index: 0,
        part: { type: 'output_text', annotations: [], text: '' },
      });
    return open;
  }

  private openItem(index: number, kind: OpenItem['kind'], item: JsonObject): OpenItem {
    const open: OpenItem = { index, kind, item, outputIndex: this.output.length, text: '', partOpen: false };
    this.output.push(item);
    this.current = open;
    this.emit('response.output_item.added', { output_index: open.outputIndex, item: { ...item } });
    return open;
  }

  private closeItem(): void {
    const open = this.current;
    if (open === null) return;
    this.current = null;
    const { item } = open;
    switch (open.kind) {
      case 'reasoning':
        if (open.partOpen) {
          const part = { type: 'summary_text', text: open.text };
          this.emit('response.reasoning_summary_text.done', {
            ...this.at(open),
            summary_index: 0,
            text: open.text,
          });
          this.emit('response.reasoning_summary_part.done', { ...this.at(open), summary_index: 0, part });
          item.summary = [part];
        }
        break;
      case 'message': {
        const part = { type: 'output_text', annotations: [], text: open.text };
        this.emit('response.output_text.done', {
          ...this.at(open),
          content_index: 0,
          text: open.text,
          logprobs: [],
        });
        this.emit('response.content_part.done', { ...this.at(open), content_index: 0, part });
        item.status = 'completed';
        item.content = [part];
        break;
      }
      case 'function_call': {
        const args = open.text.length > 0 ? open.text : '{}';
        this.emit('response.function_call_arguments.done', { ...this.at(open), arguments: args });
        item.status = 'completed';
        item.arguments = args;
        break;
      }
      case 'custom_tool_call': {
        const input = inputOfCustom(open.text);
        this.emit('response.custom_tool_call_input.delta', { ...this.at(open), delta: input });
        this.emit('response.custom_tool_call_input.done', { ...this.at(open), input });
        item.status = 'completed';
        item.input = input;
        break;
      }
    }
    this.emit('response.output_item.done', { output_index: open.outputIndex, item });
  }

  private fail(e: Extract<TurnEvent, { type: 'error' }>): void {
    this.ensureStarted(null, null);
    this.closeItem();
    const code = e.errorType ?? (e.status !== null ? openAiErrorType(e.status) : 'server_error');
    this.emit('response.failed', {
      response: {
        ...this.shell,
        status: 'failed',
        error: { code, message: e.message },
        output: this.output,
        usage: this.usage === null ? null : toResponsesUsage(this.usage),
      },
    });
    this.ended = true;
  }
}

/** Later usage fields win; a field a later report leaves null keeps its earlier value. */
function mergeUsage(a: NormalizedUsage | null, b: NormalizedUsage): NormalizedUsage {
  if (a === null) return b;
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof NormalizedUsage)[]) if (b[key] !== null) out[key] = b[key];
  return out;
}

/** A fresh Responses stream encoder for one answer to `request`. */
export function createResponsesTurnEncoder(request: TurnRequest): TurnStreamEncoder {
  return new ResponsesTurnEncoder(request);
}
