import type { NormalizedUsage } from '../../shared/usage';
import type { JsonObject } from '../common/json-read';
import { toGeminiUsage } from '../turn/usage';
import type {
  StopReason,
  StreamEncoderOptions,
  TurnEvent,
  TurnRequest,
  TurnStreamEncoder,
} from '../turn/types';
import { googleError } from './errors';
import { argsObject, stopToGemini } from './turn-parts';

/*
 * TurnEvents → Gemini stream chunks, each a whole GenerateContentResponse with candidate 0's new
 * parts: SSE (`data: …` events, `alt=sse`) or the elements of one JSON array (no `alt=sse`). A
 * functionCall goes whole once its arguments are complete; the last chunk carries `finishReason` and
 * `usageMetadata`. An error becomes Google's `{"error":{code,message,status}}` element.
 */

interface PendingCall {
  index: number;
  id: string;
  name: string;
  args: string;
  signature: string | null;
}

/** Most argument text buffered for one call (a larger one is cut, and its args become `{}`). */
const MAX_ARGS_CHARS = 16 * 1024 * 1024;

class GeminiTurnEncoder implements TurnStreamEncoder {
  private readonly sse: boolean;
  private chunks = 0;
  private id: string | null = null;
  private model: string | null;
  private calls: PendingCall[] = [];
  private signature: string | null = null;
  private usage: NormalizedUsage | null = null;
  private reason: StopReason | null = null;
  private sawCall = false;
  private ended = false;
  private failed = false;

  constructor(request: TurnRequest, options: StreamEncoderOptions | undefined) {
    this.sse = options?.framing !== 'json-array';
    this.model = request.model;
  }

  push(events: readonly TurnEvent[]): string {
    if (this.ended || this.failed) return '';
    let out = '';
    let parts: JsonObject[] = [];
    for (const e of events) {
      switch (e.type) {
        case 'start':
          this.id = e.id ?? this.id;
          this.model = e.model ?? this.model;
          if (e.usage !== null) this.usage = e.usage;
          break;
        case 'text':
          if (e.text.length > 0) parts.push(this.sign({ text: e.text }));
          break;
        case 'thinking':
          if (e.text.length > 0) parts.push({ text: e.text, thought: true });
          break;
        case 'thinking_signature':
          // Only Gemini's own signature means anything to a Gemini client; it signs the next part.
          if (e.signature.vendor === 'gemini') this.signature = e.signature.value;
          break;
        case 'redacted_thinking':
          break; // another vendor's opaque reasoning: nothing in Gemini can carry it back
        case 'tool_call_start':
          this.sawCall = true;
          this.calls.push({
            index: e.index,
            id: e.id,
            name: e.name,
            args: '',
            signature: e.signature?.vendor === 'gemini' ? e.signature.value : null,
          });
          break;
        case 'tool_call_delta': {
          const call = this.calls.find((c) => c.index === e.index);
          if (call !== undefined && call.args.length + e.arguments.length <= MAX_ARGS_CHARS)
            call.args += e.arguments;
          break;
        }
        case 'block_end': {
          const at = this.calls.findIndex((c) => c.index === e.index);
          if (at >= 0) parts.push(this.callPart(this.calls.splice(at, 1)[0]!));
          break;
        }
        case 'usage':
          this.usage = e.usage;
          break;
        case 'finish':
          this.reason = e.reason;
          break;
        case 'error':
          if (parts.length > 0) out += this.chunk({ parts, finishReason: null, usage: false });
          parts = [];
          out += this.frame(
            googleError(e.status !== null && e.status >= 400 && e.status <= 599 ? e.status : 500, e.message),
          );
          this.failed = true;
          return out;
      }
    }
    if (parts.length > 0) out += this.chunk({ parts, finishReason: null, usage: false });
    return out;
  }

  end(): string {
    if (this.ended) return '';
    this.ended = true;
    if (this.failed) return this.sse ? '' : this.chunks === 0 ? '[]' : '\n]';
    const parts = this.calls.map((c) => this.callPart(c));
    this.calls = [];
    if (this.signature !== null) parts.push({ text: '', thought: true, thoughtSignature: this.signature });
    if (parts.length === 0) parts.push({ text: '' });
    const reason =
      this.sawCall && (this.reason === null || this.reason === 'end_turn') ? 'tool_use' : this.reason;
    const out = this.chunk({ parts, finishReason: stopToGemini(reason), usage: true });
    return this.sse ? out : `${out}\n]`;
  }

  private sign(part: JsonObject): JsonObject {
    if (this.signature !== null) {
      part.thoughtSignature = this.signature;
      this.signature = null;
    }
    return part;
  }

  private callPart(call: PendingCall): JsonObject {
    const part = this.sign({
      functionCall: { id: call.id, name: call.name, args: argsObject(call.args || '{}') },
    });
    if (call.signature !== null) part.thoughtSignature = call.signature;
    return part;
  }

  private chunk(c: { parts: JsonObject[]; finishReason: string | null; usage: boolean }): string {
    const candidate: JsonObject = { content: { role: 'model', parts: c.parts }, index: 0 };
    if (c.finishReason !== null) candidate.finishReason = c.finishReason;
    const body: JsonObject = { candidates: [candidate] };
    if (c.usage && this.usage !== null) body.usageMetadata = toGeminiUsage(this.usage);
    if (this.model !== null) body.modelVersion = this.model;
    if (this.id !== null) body.responseId = this.id;
    return this.frame(JSON.stringify(body));
  }

  private frame(json: string): string {
    const first = this.chunks++ === 0;
    if (this.sse) return `data: ${json}\r\n\r\n`;
    return first ? `[${json}` : `,\r\n${json}`;
  }
}

/** A fresh Gemini stream encoder for one answer to `request`: SSE unless `framing: 'json-array'`. */
export function createGeminiTurnEncoder(
  request: TurnRequest,
  options?: StreamEncoderOptions,
): TurnStreamEncoder {
  return new GeminiTurnEncoder(request, options);
}
