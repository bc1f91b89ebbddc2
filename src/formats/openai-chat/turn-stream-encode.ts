import { openAiErrorType } from '../common/openai-error';
import { fitToolId, OPENAI_TOOL_ID } from '../turn/ids';
import { stopToChat, withToolStop } from '../turn/stop-reasons';
import type { TurnEvent, TurnRequest, TurnStreamEncoder } from '../turn/types';
import { layUsage, toOpenAiChatUsage } from '../turn/usage';
import { EMPTY_USAGE, type NormalizedUsage } from '../../shared/usage';
import { chatCompletionId } from './turn-response';

/**
 * TurnEvents → the Chat Completions stream grammar: a role chunk first, then content,
 * `reasoning_content` and `tool_calls` deltas (the first fragment of a call carries its index, id,
 * type and name; later ones only index and arguments), one finish chunk (`tool_calls` whenever a call
 * was sent), a usage chunk with `choices: []` when the client asked `stream_options.include_usage`,
 * then `data: [DONE]`. Signatures and redacted reasoning have no place in Chat and are dropped. An
 * error becomes a chunk `{"error":{…}}` (the openai SDK throws on it) with the upstream's message as
 * it was, and ends the stream.
 */
class ChatTurnEncoder implements TurnStreamEncoder {
  private readonly includeUsage: boolean;
  private readonly created = Math.floor(Date.now() / 1000);
  private id: string | null = null;
  private model: string | null;
  private roleSent = false;
  private finished = false;
  private done = false;
  private usage: NormalizedUsage | null = null;
  /** Source index → Chat tool-call index. */
  private readonly calls = new Map<number, number>();
  private reason: Extract<TurnEvent, { type: 'finish' }>['reason'] | null = null;

  constructor(request: TurnRequest) {
    this.model = request.model;
    this.includeUsage = request.includeUsage === true;
  }

  push(events: readonly TurnEvent[]): string {
    let out = '';
    for (const ev of events) {
      if (this.done) break;
      out += this.one(ev);
    }
    return out;
  }

  end(): string {
    if (this.done) return '';
    let out = this.role() + this.finishChunk();
    if (this.includeUsage) out += this.chunk([], toOpenAiChatUsage(this.usage ?? EMPTY_USAGE));
    this.done = true;
    return out + 'data: [DONE]\n\n';
  }

  private one(ev: TurnEvent): string {
    switch (ev.type) {
      case 'start':
        if (ev.id !== null) this.id = ev.id;
        if (ev.model !== null) this.model = ev.model;
        if (ev.usage !== null) this.usage = ev.usage;
        return this.role();
      case 'usage':
        this.usage = layUsage(this.usage, ev.usage);
        return '';
      case 'text':
        return ev.text.length === 0 || this.finished ? '' : this.role() + this.delta({ content: ev.text });
      case 'thinking':
        return ev.text.length === 0 || this.finished
          ? ''
          : this.role() + this.delta({ reasoning_content: ev.text });
      case 'tool_call_start': {
        if (this.finished) return '';
        const index = this.calls.size;
        this.calls.set(ev.index, index);
        return (
          this.role() +
          this.delta({
            tool_calls: [
              {
                index,
                id: fitToolId(ev.id, OPENAI_TOOL_ID),
                type: 'function',
                function: { name: ev.name, arguments: '' },
              },
            ],
          })
        );
      }
      case 'tool_call_delta': {
        const index = this.calls.get(ev.index);
        if (index === undefined || ev.arguments.length === 0 || this.finished) return '';
        return this.delta({ tool_calls: [{ index, function: { arguments: ev.arguments } }] });
      }
      case 'finish':
        this.reason = ev.reason;
        return this.role() + this.finishChunk();
      case 'error': {
        this.done = true;
        const error = {
          message: ev.message,
          type: ev.errorType ?? openAiErrorType(ev.status ?? 500),
          param: null,
          code: null,
        };
        return `data: ${JSON.stringify({ error })}\n\n`;
      }
      default:
        return ''; // signatures, redacted reasoning, block ends
    }
  }

  private role(): string {
    if (this.roleSent) return '';
    this.roleSent = true;
    return this.delta({ role: 'assistant', content: '' });
  }

  private finishChunk(): string {
    if (this.finished) return '';
    this.finished = true;
    const reason = stopToChat(withToolStop(this.reason, this.calls.size > 0));
    return this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: reason }]);
  }

  private delta(delta: Record<string, unknown>): string {
    return this.chunk([{ index: 0, delta, logprobs: null, finish_reason: null }]);
  }

  private chunk(choices: unknown[], usage?: Record<string, unknown>): string {
    const body: Record<string, unknown> = {
      id: chatCompletionId(this.id),
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model ?? '',
      choices,
    };
    if (usage !== undefined) body.usage = usage;
    return `data: ${JSON.stringify(body)}\n\n`;
  }
}

/** A fresh encoder for one Chat Completions stream answering `request`. */
export function createChatTurnEncoder(request: TurnRequest): TurnStreamEncoder {
  return new ChatTurnEncoder(request);
}
