import { z } from 'zod';
import { SettingsSchema, SmoothingOverrideSchema } from './settings';
import { USER_AGENT_PRESETS, customUserAgentProblem } from './user-agents';
import { baseUrlProblem } from './base-url';
import { WIRE_FORMAT_NAMES } from './api-format';

/** A provider's User-Agent: a preset (see user-agents.ts) or `{ "custom": "…" }`, checked as a header value. */
const UserAgentSchema = z.union(
  [
    z.enum(USER_AGENT_PRESETS),
    z
      .object({
        custom: z.string().superRefine((value, ctx) => {
          const problem = customUserAgentProblem(value);
          if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
        }),
      })
      .strict(),
  ],
  { error: `one of ${USER_AGENT_PRESETS.map((p) => `"${p}"`).join(', ')} or { "custom": "<User-Agent>" }` },
);

/** One upstream provider, as the config file and the UI describe it. */
export const ProviderSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore; at most 64'),
    kind: z.enum(['openai', 'anthropic', 'gemini']),
    /** The vendor SDK's own base URL convention: OpenAI's includes `/v1`, Anthropic's and Gemini's do not. */
    baseUrl: z.url({ protocol: /^https?$/ }),
    /** Absent → the client's own credentials pass through. */
    apiKey: z.string().min(1).optional(),
    /**
     * More keys for the same provider, a pool used in turn with `apiKey` (which, when set, comes first;
     * a key listed twice counts once). A key refused (401/403) or out of quota is benched for
     * `keyBenchMs`, a rate-limited one (429) cools for its Retry-After; the request moves on to the next
     * key before the next provider. Sealed, write-only and redacted like `apiKey`. At most 64.
     */
    apiKeys: z.array(z.string().min(1)).min(1).max(64).optional(),
    /** Lower runs first; ties keep config order, or share by `weight` when one of them sets it. */
    priority: z.number().int().default(100),
    /**
     * This provider's share among providers of equal priority (or of a `"balance": "weighted"` route),
     * smoothly interleaved; absent counts as 1. A tie shares only when one of its providers sets a weight.
     */
    weight: z.number().int().min(1).max(1000).optional(),
    enabled: z.boolean().default(true),
    /** Requested model → upstream model; unmapped names pass through. */
    models: z.record(z.string(), z.string()).default({}),
    /** Only these requested models go to this provider (exact names or `*` globs); absent = all. */
    allowModels: z.array(z.string().min(1)).optional(),
    /** Requests per minute this provider may receive from Sluice. */
    rpm: z.number().int().min(1).optional(),
    /** Requests this provider may have in flight at once. */
    maxConcurrentStreams: z.number().int().min(1).optional(),
    /** Per-provider overrides of the global timeouts. */
    connectTimeoutMs: z.number().int().min(100).optional(),
    firstByteTimeoutMs: z.number().int().min(100).optional(),
    idleTimeoutMs: z.number().int().min(100).optional(),
    nonStreamTimeoutMs: z.number().int().min(100).optional(),
    prefetchMaxMs: z.number().int().min(0).optional(),
    /** Smoothing overrides for this provider, laid over the global and per-client settings. */
    smoothing: SmoothingOverrideSchema.optional(),
    /**
     * Extra headers sent to this provider (overriding the client's). Those whose name says they carry a
     * credential (`authorization`, `api-key`, `x-api-key`, `x-goog-api-key`, names with key/token/secret/
     * auth…) or that `secretHeaders` names are treated like `apiKey`: sealed at rest, masked, redacted.
     */
    headers: z.record(z.string(), z.string()).default({}),
    /** More header names (any case) whose values are secrets, besides those the name rule finds. */
    secretHeaders: z.array(z.string().min(1)).optional(),
    /** Who Sluice says it is to this provider; absent → the client's own User-Agent passes (user-agents.ts). */
    userAgent: UserAgentSchema.optional(),
    /**
     * Chat streams: Sluice adds `stream_options.include_usage` when the client did not, to learn the usage
     * (and takes its traces out of the stream). `false` for an OpenAI-compatible provider that rejects
     * `stream_options`: usage is then estimated. Default true.
     */
    injectStreamUsage: z.boolean().optional(),
    /**
     * The wire formats this provider accepts, first = the one Sluice translates to. Absent → by kind:
     * openai `["chat","responses"]`, anthropic `["messages"]`, gemini `["gemini"]`. A request in one of
     * them is relayed byte for byte; any other is translated (see README, Translation).
     */
    formats: z.array(z.enum(WIRE_FORMAT_NAMES)).min(1).optional(),
    /** The most output tokens this provider's models take: a translated request's max tokens is clamped to it. */
    maxOutputTokens: z.number().int().min(1).optional(),
    /**
     * Whether reasoning text is sent back on assistant tool turns of a translated request (Chat
     * `reasoning_content`): DeepSeek requires it, Kimi rejects it. Default false.
     */
    replayReasoning: z.boolean().optional(),
  })
  .strict();

export type ProviderConfig = z.infer<typeof ProviderSchema>;

/**
 * A route: a request whose model matches one of `models` (exact names or `*` globs) is served by
 * `providers`, in that order (the first matching route decides; no match → the default chain).
 */
export const RouteSchema = z
  .object({
    models: z.array(z.string().min(1, 'a model name or glob')).min(1, 'at least one model glob'),
    providers: z.array(z.string().min(1)).min(1, 'at least one provider id'),
    /** `order` (default): the list order. `weighted`: the providers share requests by their `weight`. */
    balance: z.enum(['order', 'weighted']).optional(),
  })
  .strict();

export type RouteConfig = z.infer<typeof RouteSchema>;

/** Problems of `routes` against the provider ids that exist, each with its path (`routes[1].providers[0]`). */
export function routeIssues(
  routes: readonly RouteConfig[],
  providerIds: readonly string[],
): { path: (string | number)[]; message: string }[] {
  const ids = new Set(providerIds);
  const issues: { path: (string | number)[]; message: string }[] = [];
  routes.forEach((r, i) => {
    const seen = new Set<string>();
    r.providers.forEach((id, j) => {
      if (!ids.has(id)) issues.push({ path: ['routes', i, 'providers', j], message: `no provider "${id}"` });
      else if (seen.has(id))
        issues.push({ path: ['routes', i, 'providers', j], message: `"${id}" is listed twice` });
      seen.add(id);
    });
  });
  return issues;
}

export const ConfigSchema = z
  .object({
    providers: z.array(ProviderSchema).default([]),
    /** Which providers serve which models, first match wins; see RouteSchema. Absent = none. */
    routes: z.array(RouteSchema).max(200).optional(),
    settings: SettingsSchema.partial().default({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const ids = cfg.providers.map((p) => p.id);
    for (const issue of routeIssues(cfg.routes ?? [], ids)) ctx.addIssue({ code: 'custom', ...issue });
    const seen = new Set<string>();
    cfg.providers.forEach((p, i) => {
      if (seen.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['providers', i, 'id'],
          message: `duplicate provider id "${p.id}"`,
        });
      seen.add(p.id);
      // A version Sluice adds itself (`https://host/v1` for Anthropic) would double in every path.
      const problem = baseUrlProblem(p.kind, p.baseUrl);
      if (problem !== null)
        ctx.addIssue({ code: 'custom', path: ['providers', i, 'baseUrl'], message: problem });
    });
  });

export type SluiceConfig = z.infer<typeof ConfigSchema>;

/** Turns zod issues into one line per problem, naming the field: `providers[0].kind: …`. */
export function describeConfigIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string[] {
  return issues.map((i) => {
    const path = i.path
      .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return `${path || '(root)'}: ${i.message}`;
  });
}
