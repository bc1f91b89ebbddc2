import { estimateTokens } from '../../shared/token-estimate';
import type { TurnRequest } from '../../formats/turn/types';
import type { RequestContext } from './request-context';

/**
 * `count_tokens` / `countTokens` for a model only providers of another format serve (they have no
 * such call): an estimate from the request's own words — system, messages, tool calls and results,
 * tool definitions — answered in the client's format and recorded as estimated. Media are not counted.
 */
export function estimateInputTokens(ctx: RequestContext): number {
  const turn: TurnRequest = ctx.adapter.turn.decodeRequest(ctx.json ?? {}, ctx.route.urlModel);
  let n = 0;
  for (const s of turn.system) n += estimateTokens(s);
  for (const m of turn.messages) {
    for (const p of m.parts) {
      if (p.type === 'text') n += estimateTokens(p.text);
      else if (p.type === 'thinking') n += estimateTokens(p.text);
      else if (p.type === 'tool_call') n += estimateTokens(p.name) + estimateTokens(p.arguments);
      else if (p.type === 'tool_result')
        for (const c of p.content) if (c.type === 'text') n += estimateTokens(c.text);
    }
  }
  for (const t of turn.tools) n += estimateTokens(JSON.stringify(t));
  return Math.max(1, Math.round(n));
}
