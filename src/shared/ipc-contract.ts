import { z } from 'zod';
import { ProviderSchema, RouteSchema } from './config';
import type { ProviderConfig, RouteConfig } from './config';
import type { SerializedError } from './errors';
import type { LiveEvent } from './live-events';
import type { ClientApp, UsageRow } from './usage';
import type { RequestDetail, RequestPage, SummaryRow } from './usage-query';
import type { RouteTest } from './routes-view';
import type { Settings } from './settings';
import type { SetupOutcome, SetupPreview, SetupState } from './setup-view';

/**
 * Every call between the UI and the main process, and every push. Control handlers implement these,
 * transport-agnostic; the Electron adapter (ipcMain + preload) and the HTTP adapter (`/_sluice/`)
 * call the same handlers. Requests are validated with these schemas on arrival; results travel in
 * an ok/error envelope, so errors cross the boundary only as data.
 */

export type Result<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

/** Circuit state of a provider as the UI shows it. */
export interface ProviderHealth {
  state: 'closed' | 'open' | 'half-open';
  samples: number;
  failures: number;
  consecutiveFailures: number;
  lastError: string | null;
  openForMs: number;
  cooldownForMs: number;
  credentialsProblem: string | null;
}

/**
 * A provider as the UI sees it: never its key, only whether it has one and a masked preview. Values of
 * secret `headers` (names with key/token/secret/auth…, and those in `secretHeaders`) are masked the
 * same way; a save that leaves one out, or sends its mask back unchanged, keeps the saved value.
 */
export type ProviderView = Omit<ProviderConfig, 'apiKey' | 'apiKeys'> & {
  hasKey: boolean;
  keyPreview: string | null;
  health: ProviderHealth;
  /** Every key of the provider (`apiKey`, then `apiKeys`), by fingerprint, with its pool state. */
  keys: PoolKeyView[];
  /**
   * A built-in default (no provider of its kind is configured): the vendor's official endpoint with the
   * client's own credentials. Saving it (e.g. switched off) makes it a configured provider.
   */
  builtin: boolean;
};

/** One key of a provider's pool as the UI sees it: never the key, only its fingerprint and state. */
export interface PoolKeyView {
  /** First 4 and last 4 hex digits of the key's SHA-256 (e.g. `3f2a…9c01`). */
  fingerprint: string;
  /** Where it is configured: the provider's `apiKey` or its `apiKeys` pool. */
  source: 'apiKey' | 'apiKeys';
  /** Attempts sent with it, and those that failed, since Sluice started. */
  requests: number;
  errors: number;
  /** ms until it is used again (a 429's cooldown or a bench); 0 when usable. */
  unusableForMs: number;
  /** Why it is benched (`HTTP 401: …`, `quota: …`) or cooling (`HTTP 429`); null when usable. */
  reason: string | null;
}

export interface StatusView {
  version: string;
  /** The gateway's URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  port: number;
  inFlight: number;
  paused: boolean;
  smoothingEnabled: boolean;
  dataDir: string;
  keyVault: 'os-keychain' | 'key-file';
}

export interface ProviderTestResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  message: string;
}

/** One tool the Setup screen explains. */
export interface SetupTool {
  id: 'claude-code' | 'codex' | 'gemini-cli' | 'openai-compatible';
  name: string;
  /** The exact lines to use (shell exports or a config snippet). */
  lines: string[];
  /** Where `lines` go (a shell, `~/.codex/config.toml`…). */
  where: string;
  /** Client apps whose requests count as this tool having been seen. */
  clients: ClientApp[];
  /** The one-step command writing the tool's own config (`--undo` in place of `--apply` reverses it). */
  applyCommand: string;
  lastSeenAt: number | null;
}

/** Where the gateway listens after `gateway.setPort`. */
export interface GatewayAddress {
  port: number;
  /** e.g. `http://127.0.0.1:8788`; the dashboard is under `/_sluice/` there. */
  url: string;
}

export interface SetupInfo {
  url: string;
  /** The local (control) token: it opens the dashboard and the control API. */
  token: string;
  /** The API token: API clients present it when `requireLocalToken` is on; it opens no control call. */
  apiToken: string;
  tools: SetupTool[];
  /** Per tool, whether Sluice's setup is applied (an apply recorded and not undone), and its files. */
  states: Record<SetupTool['id'], SetupState>;
}

const id = z.string().min(1).max(64);
const setupTool = z.enum(['claude-code', 'codex', 'gemini-cli', 'openai-compatible']);
const ms = z.number().int().nonnegative();
const clientApp = z.enum([
  'claude-code',
  'codex',
  'gemini-cli',
  'openai-sdk',
  'anthropic-sdk',
  'google-sdk',
  'curl',
  'other',
]);

/** The provider fields the UI sends in their own, write-only shape. */
const WRITE_ONLY = { apiKey: true, apiKeys: true, headers: true } as const;

/** The new pool: a string adds a key, `{ keep: fingerprint }` keeps a saved one; absent keeps, null removes. */
const PoolInputSchema = z
  .array(z.union([z.string().min(1), z.object({ keep: z.string().min(1).max(32) }).strict()]))
  .max(64)
  .nullable()
  .optional();

/**
 * A provider as the UI sends it: `apiKey` absent keeps the stored key, null removes it, a string sets it.
 * Secret headers (provider-secrets.ts) are write-only the same way: absent keeps, null removes. A save
 * that changes the base URL's origin drops whatever it does not set again.
 */
export const ProviderInputSchema = ProviderSchema.omit(WRITE_ONLY).extend({
  apiKey: z.string().min(1).nullable().optional(),
  apiKeys: PoolInputSchema,
  headers: z.record(z.string(), z.string().nullable()).default({}),
  /** View-only fields a client may send back as it was shown; ignored (the pool's state, the built-in mark). */
  keys: z.array(z.unknown()).max(64).optional(),
  builtin: z.boolean().optional(),
});

/** Request schemas, one per call; the type of each call's result is in `CallResults`. */
export const CALLS = {
  'status.get': z.object({}).strict(),
  'requests.page': z
    .object({
      sinceMs: ms.optional(),
      untilMs: ms.optional(),
      client: clientApp.optional(),
      provider: z.string().max(64).optional(),
      model: z.string().max(200).optional(),
      status: z.enum(['pending', 'streaming', 'completed', 'failed', 'aborted', 'interrupted']).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
      cursor: z.string().max(200).nullable().optional(),
    })
    .strict(),
  'requests.get': z.object({ requestId: z.string().regex(/^[0-9a-f]{32}$/) }).strict(),
  'usage.summary': z
    .object({
      sinceMs: ms.optional(),
      untilMs: ms.optional(),
      bucket: z.enum(['hour', 'day', 'all']),
      groupBy: z.enum(['model', 'provider', 'client', 'none']),
    })
    .strict(),
  'usage.exportCsv': z
    .object({
      sinceMs: ms.optional(),
      untilMs: ms.optional(),
      groupBy: z.enum(['day', 'model', 'provider', 'client']).optional(),
    })
    .strict(),
  'providers.list': z.object({}).strict(),
  'providers.save': z.object({ provider: ProviderInputSchema }).strict(),
  'providers.remove': z.object({ id }).strict(),
  'providers.reorder': z.object({ ids: z.array(id).max(1000) }).strict(),
  'providers.test': z.object({ id }).strict(),
  'providers.resetHealth': z.object({ id }).strict(),
  /** The routes in force, first match wins. */
  'routes.get': z.object({}).strict(),
  /** Replaces the routes as a whole (validated: a bad one is refused naming it, `routes[1].providers[0]`). */
  'routes.save': z.object({ routes: z.array(RouteSchema).max(200) }).strict(),
  /** Which route `model` hits for a client of `format`, and the chain it would walk, with reasons. */
  'routes.test': z
    .object({
      model: z.string().min(1).max(200),
      format: z.enum(['openai-chat', 'openai-responses', 'anthropic', 'gemini']),
    })
    .strict(),
  'settings.get': z.object({}).strict(),
  /** Top-level keys replace whole values, except `smoothing`, which merges field by field. */
  'settings.update': z.object({ patch: z.record(z.string(), z.unknown()) }).strict(),
  'gateway.setPaused': z.object({ paused: z.boolean() }).strict(),
  /**
   * Moves the gateway to another port (0 = any free one) and saves it for the next start. The old port
   * stops accepting at once (its requests and streams finish); the call's own answer still comes back
   * on it. A port that cannot be had (in use, not permitted) → an error, and nothing moves.
   */
  'gateway.setPort': z.object({ port: z.number().int().min(0).max(65535) }).strict(),
  /** Writes new control and API tokens and returns them; the old ones stop working at once. */
  'token.rotate': z.object({}).strict(),
  'setup.get': z.object({}).strict(),
  /** What `sluice setup <tool> --apply` would write now, per file as a diff; writes nothing. */
  'setup.preview': z.object({ tool: setupTool }).strict(),
  /**
   * Runs `sluice setup <tool> --apply` (backups and manifest in the data dir). Given the preview's
   * `basis`, it writes nothing when a file, or what it would write, changed since that preview.
   */
  'setup.apply': z
    .object({
      tool: setupTool,
      basis: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    })
    .strict(),
  /** Runs `sluice setup <tool> --undo`: the originals back (byte for byte where untouched since). */
  'setup.undo': z.object({ tool: setupTool }).strict(),
} as const;

export type CallName = keyof typeof CALLS;
export type CallRequest<N extends CallName> = z.infer<(typeof CALLS)[N]>;

export interface CallResults {
  'status.get': StatusView;
  'requests.page': RequestPage;
  'requests.get': RequestDetail | null;
  'usage.summary': SummaryRow[];
  'usage.exportCsv': string;
  'providers.list': ProviderView[];
  'providers.save': ProviderView;
  'providers.remove': null;
  'providers.reorder': ProviderView[];
  'providers.test': ProviderTestResult;
  'providers.resetHealth': ProviderView;
  'routes.get': RouteConfig[];
  'routes.save': RouteConfig[];
  'routes.test': RouteTest;
  'settings.get': Settings;
  'settings.update': Settings;
  'gateway.setPaused': StatusView;
  'gateway.setPort': GatewayAddress;
  'token.rotate': { token: string; apiToken: string };
  'setup.get': SetupInfo;
  'setup.preview': SetupPreview;
  'setup.apply': SetupOutcome;
  'setup.undo': SetupOutcome;
}

/** Pushes from main to the UI. `live` arrives coalesced (at most ~20 batches a second). */
export interface Pushes {
  live: LiveEvent[];
  status: StatusView;
  /** A request row changed (finished, or newly recorded) — the list refreshes it. */
  'request-row': UsageRow;
}
export type PushName = keyof Pushes;

/** The API the renderer uses, whatever the transport (preload in Electron, HTTP in a browser). */
export interface SluiceApi {
  call<N extends CallName>(name: N, request: CallRequest<N>): Promise<Result<CallResults[N]>>;
  subscribe<P extends PushName>(push: P, listener: (payload: Pushes[P]) => void): () => void;
}

// The Electron IPC channels live beside the preload's code: the sandboxed preload bundles everything
// it imports, and importing them from here would pull zod and every schema into it.
export { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL } from './preload-api';
