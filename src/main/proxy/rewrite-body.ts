import type { RequestContext } from './request-context';

/** Whether Sluice should ask an OpenAI Chat upstream for usage the client did not ask for. */
export function needsInjectedUsage(format: string, json: Record<string, unknown> | null): boolean {
  if (format !== 'openai-chat' || json === null || json.stream !== true) return false;
  const opts = json.stream_options;
  if (typeof opts !== 'object' || opts === null) return true;
  return (opts as Record<string, unknown>).include_usage !== true;
}

/**
 * The body sent upstream: the client's bytes unchanged unless the model is mapped or usage is injected;
 * only then is the JSON re-serialised.
 */
export function upstreamBody(ctx: RequestContext, upstreamModel: string | null): Buffer | null {
  if (ctx.body === null) return null;
  const json = ctx.json;
  if (json === null) return ctx.body;
  const remapModel =
    ctx.format !== 'gemini' &&
    typeof json.model === 'string' &&
    upstreamModel !== null &&
    upstreamModel !== json.model;
  if (!remapModel && !ctx.injectedUsage) return ctx.body;
  const out: Record<string, unknown> = { ...json };
  if (remapModel) out.model = upstreamModel;
  if (ctx.injectedUsage) {
    const prev =
      typeof json.stream_options === 'object' && json.stream_options !== null ? json.stream_options : {};
    out.stream_options = { ...prev, include_usage: true };
  }
  return Buffer.from(JSON.stringify(out));
}
