import type { KeyVault } from '../config/key-vault';
import type { LiveListener } from '../app/live-hub';
import type { RuntimeConfig } from '../config/runtime-config';
import type { TargetOptions } from '../setup/targets';
import type { ApiFormat } from '../../shared/api-format';
import type { ProviderConfig } from '../../shared/config';
import type { RouteTest } from '../../shared/routes-view';
import type { PoolKeyView, ProviderHealth } from '../../shared/ipc-contract';
import type { Settings } from '../../shared/settings';
import type { ClientApp, RequestFilter, UsageRow } from '../../shared/usage';
import type {
  RequestDetail,
  RequestPage,
  RequestPageQuery,
  SummaryQuery,
  SummaryRow,
} from '../../shared/usage-query';

/** What the control handlers read from the store: its named queries (DESIGN.md §2.3, no SQL here). */
export interface UsageReads {
  page(query: RequestPageQuery): RequestPage;
  /** Everything the inspector shows for one request; null when there is no such request. */
  detail(requestId: string): RequestDetail | null;
  row(requestId: string): UsageRow | null;
  summary(query: SummaryQuery): SummaryRow[];
  /** Every matching request, newest first, one at a time (exports). */
  rows(filter: RequestFilter): Iterable<UsageRow>;
  /** Start (ms since the epoch) of the newest request from any of these clients; null when none. */
  lastSeenMs(clients: readonly ClientApp[]): number | null;
}

/** Per-provider circuits and cooldowns, as the control API reads and resets them (the proxy's HealthBook). */
export interface HealthControl {
  view(id: string, settings: Settings): ProviderHealth & { provider: string };
  /** Forgets everything about one provider (or all): closed, no cooldown. */
  reset(id?: string): void;
}

/** Per-key state of providers' key pools, as the control API reads and resets it (the proxy's KeyPool). */
export interface KeyControl {
  /** Every key of `provider` by fingerprint, with its counts and why and how long it sits out. */
  view(provider: ProviderConfig): PoolKeyView[];
  /** Forgets one provider's key state (or all): every key usable again. */
  reset(id?: string): void;
}

/**
 * The headers the gateway would send `provider` for these inbound ones, with no body (the proxy's
 * buildHeaders, wired by app.ts), so the provider test sends what a forwarded request would.
 */
export type UpstreamHeaders = (
  inbound: Readonly<Record<string, string>>,
  provider: ProviderConfig,
) => Record<string, string>;

/** The part of the gateway the control API reads and switches. */
export interface GatewayControl {
  readonly health: HealthControl;
  readonly keys: KeyControl;
  /** While paused, API requests get a 503; the control API keeps answering. */
  paused: boolean;
  readonly activeRequests: number;
  /** Moves the listeners to `port` (0 = any free one); resolves with the port, rejects with the reason. */
  rebind(port: number): Promise<number>;
}

export type ConfigControl = Pick<
  RuntimeConfig,
  | 'settings'
  | 'providers'
  | 'updateSettings'
  | 'saveProvider'
  | 'removeProvider'
  | 'reorder'
  | 'routes'
  | 'setRoutes'
  | 'onChange'
  | 'credentialOrigin'
  | 'isBuiltin'
>;

/** Everything the transport-agnostic handlers need; app.ts wires it, tests may too. */
export interface ControlDeps {
  version: string;
  /** The gateway's URL (`http://127.0.0.1:8787`) and port; known once it listens. */
  url(): string;
  port(): number;
  dataDir: string;
  /**
   * Where the user's tools keep their config (HOME, and the environment's CODEX_HOME, CLAUDE_CONFIG_DIR,
   * SHELL): the files `setup.apply` writes. The app passes the real ones; tests a temporary home.
   */
  setupHome: TargetOptions;
  /** The local (control) token now: the control API and the dashboard. */
  token(): string;
  /** The API token now: API routes when `requireLocalToken` is on; never the control API. */
  apiToken(): string;
  /** Writes new control and API tokens, swaps them in wherever they are checked, and returns them. */
  rotateToken(): { token: string; apiToken: string };
  vaultKind: KeyVault['kind'];
  gateway: GatewayControl;
  upstreamHeaders: UpstreamHeaders;
  /**
   * Which route a generation of `model` in `format` hits and the chain it would walk, with reasons: the
   * proxy's own planner (proxy/route-explain.ts), wired by app.ts, so the Routes tester cannot disagree.
   */
  explainRoute(format: ApiFormat, model: string): Omit<RouteTest, 'model' | 'format'>;
  config: ConfigControl;
  live: { subscribe(listener: LiveListener): () => void };
  usage: UsageReads;
  /** One-line operator messages. */
  log(line: string): void;
}
