import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProviderConfig, SluiceConfig } from '../../shared/config';
import { loadConfigFile } from '../config/config-file';
import { FileKeyVault, type KeyVault } from '../config/key-vault';
import { RuntimeConfig } from '../config/runtime-config';
import type { BuiltinMode } from '../config/builtin-providers';
import { createConfigRepo } from '../store/write/config-repo';
import { LiveHub } from './live-hub';
import { BUILTIN_PRICES } from '../../shared/builtin-prices';
import { systemClock } from '../proxy/ports';
import { Gateway, type GatewayDeps } from '../proxy/server';
import { HealthBook } from '../proxy/health';
import { MemoryLimitStore, RateLimiter } from '../proxy/rate-limit';
import { buildHeaders, UpstreamPools } from '../proxy/upstream';
import { adapterForKind } from '../../formats';
import { framesOfSegment } from '../proxy/capture-frames';
import { Checkpointer } from '../store/write/checkpointer';
import { closeDatabase, openDatabase, type Database } from '../store/schema/db';
import { createPricingRepo, type PricingRepo } from '../store/write/pricing-repo';
import { createRequestsRepo, type RequestsRepo } from '../store/write/requests-repo';
import { createUsageQueries, type UsageQueries } from '../store/read/usage-queries';
import { BackgroundWriter } from '../store/worker/background-writer';
import { createAttemptsRepo, type AttemptsRepo } from '../store/write/attempts-repo';
import { createControl, type Control } from '../control/control';
import { usageReads } from '../control/usage-reads';
import { SLUICE_VERSION } from '../control/version';
import {
  API_TOKEN_FILE,
  loadOrCreateApiToken,
  loadOrCreateLocalToken,
  rotateApiToken,
  rotateLocalToken,
} from '../config/local-token';
import { makeDataDir } from '../config/data-dir';
import { providerSecrets } from '../../shared/provider-secrets';
import { explainRoute } from '../proxy/route-explain';
import { DEFAULT_PORT } from '../setup/plans';
import type { TargetOptions } from '../setup/targets';

export interface AppOptions {
  dataDir: string;
  /** JSON config file; absent → `<dataDir>/config.json` when it exists, else no providers. */
  configFile?: string;
  /** The port to listen on (0 = any free one); absent → the port saved in settings, else 8787. */
  port?: number;
  host: string;
  /** better-sqlite3 binary built for Electron's ABI (the app passes it; headless Node uses the default). */
  nativeBinding?: string;
  /** Seals provider keys at rest; default: a 0600 key file in the data dir (Electron passes the OS keychain). */
  vault?: KeyVault;
  /** One-line messages for the operator (store problems, interrupted requests). */
  log?: (line: string) => void;
  /**
   * Test hook: sees the app's own database connection right after it is opened and migrated (tests
   * cap its size with `PRAGMA max_page_count` to make a full disk). Never set in the product.
   */
  onDatabaseOpen?: (db: Database) => void;
  /**
   * Test hook: sees the store worker's writer once it is made; its `pragma` runs on the worker's own
   * connection (tests cap that one's size for a full disk). Never set in the product.
   */
  onStoreWriter?: (writer: Pick<BackgroundWriter, 'pragma'>) => void;
  /**
   * The built-in default providers (config/builtin-providers.ts); absent → as `SLUICE_BUILTIN_ORIGIN`
   * says (unset: the vendors' official endpoints). Tests pass an origin of a loopback fake.
   */
  builtinProviders?: BuiltinMode;
  /** The built renderer the dashboard at `/_sluice/` serves (out/renderer); absent → a "not built" page. */
  dashboardDir?: string;
  /** The home (and environment) whose tool configs the Setup screen's Apply writes; default the user's. */
  setupHome?: TargetOptions;
}

/** The headless app: store + gateway + live hub, shared by Electron and the CLI so both run the same code. */
export interface SluiceApp {
  /** Where the gateway listens now: a `gateway.setPort` call moves it. */
  readonly port: number;
  readonly url: string;
  readonly gateway: Gateway;
  readonly live: LiveHub;
  readonly repo: RequestsRepo;
  readonly attempts: AttemptsRepo;
  /** Every read the UI and CLI make of recorded usage (lists, one request, summaries). */
  readonly queries: UsageQueries;
  /** The price table: shipped prices (synced at start) and the user's own. */
  readonly pricing: PricingRepo;
  readonly dbFile: string;
  /** Providers and settings in force; changes apply to the next request. */
  readonly config: RuntimeConfig;
  readonly vault: KeyVault;
  /**
   * The local (control) token now (`<dataDir>/token`): required by the control API and the dashboard;
   * `token.rotate` replaces it.
   */
  readonly token: string;
  /**
   * The API token now (`<dataDir>/api-token`): what API clients present when `requireLocalToken` is on.
   * It opens no control call; `token.rotate` replaces it too.
   */
  readonly apiToken: string;
  /** Control handlers, pushes and their HTTP adapter (mounted at `/_sluice/`); Electron adds its IPC adapter. */
  readonly control: Control;
  /** Blocks until the store worker has written every usage record sent it (tests and exports read after it). */
  flushUsage(): void;
  /** Graceful: in-flight requests get `graceMs` to finish, then are aborted and recorded; the database is closed last. */
  close(graceMs?: number): Promise<void>;
}

/** Loads the config file named by the options (or the data dir's, when it exists), validated. */
export function resolveConfig(
  opts: Pick<AppOptions, 'dataDir' | 'configFile'>,
): { config: SluiceConfig; explicit: boolean } | null {
  if (opts.configFile !== undefined) return { config: loadConfigFile(opts.configFile), explicit: true };
  const file = path.join(opts.dataDir, 'config.json');
  return fs.existsSync(file) ? { config: loadConfigFile(file), explicit: false } : null;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Builds and starts everything; throws a one-line message when the config or the port is unusable. */
export async function startApp(opts: AppOptions): Promise<SluiceApp> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const file = resolveConfig(opts);
  makeDataDir(opts.dataDir);
  let token = loadOrCreateLocalToken(opts.dataDir);
  let apiToken = loadOrCreateApiToken(opts.dataDir);
  const dbFile = path.join(opts.dataDir, 'sluice.db');
  // better-sqlite3 is synchronous: a long lock wait would freeze the relay. The writer retries on its own timer.
  const db: Database = openDatabase(dbFile, {
    busyTimeoutMs: 100,
    ...(opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding }),
  });
  const repo = createRequestsRepo(db);
  const pricing = createPricingRepo(db);
  const vault = opts.vault ?? new FileKeyVault(opts.dataDir);
  let config: RuntimeConfig;
  try {
    opts.onDatabaseOpen?.(db);
    pricing.syncBuiltins(BUILTIN_PRICES);
    const interrupted = repo.markInterrupted();
    if (interrupted > 0)
      log(`Sluice: ${interrupted} request(s) from an earlier run were interrupted (marked as such)`);
    config = new RuntimeConfig(createConfigRepo(db), vault, file, log, opts.builtinProviders);
    const defaults = config.providers().filter((p) => config.isBuiltin(p.id));
    if (defaults.length > 0)
      log(
        `Sluice: no ${defaults.map((p) => p.kind).join('/')} provider configured: serving those from ${defaults.map((p) => p.baseUrl).join(', ')} with your tools' own credentials (add a provider to replace a default)`,
      );
  } catch (err) {
    closeDatabase(db);
    throw err;
  }
  // Beyond loopback every web page and machine on the network can reach the keys: only with the token.
  const exposed = !LOOPBACK_HOSTS.has(opts.host);
  if (exposed && !config.settings().requireLocalToken) {
    closeDatabase(db);
    throw new Error(
      `listening on ${opts.host} exposes your provider keys beyond this machine: set "requireLocalToken": true in settings first (clients then use the API token in ${path.join(opts.dataDir, API_TOKEN_FILE)} as their API key)`,
    );
  }
  const storeLog = (m: string): void => log(`Sluice: usage store: ${m}`);
  // Captures are compressed and screened, and every usage row written, by the store worker on its own
  // connection (store/worker/): the relay's thread only batches the calls.
  let secrets: SecretsMemo | null = null;
  const writer = new BackgroundWriter(dbFile, {
    ...(opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding }),
    onError: storeLog,
    capture: () => config.settings(),
    // Provider keys, credential headers and both tokens are redacted from captures by value, besides
    // anything shaped like a credential.
    secrets: () => (secrets = secretsNow(secrets, config.providers(), token, apiToken)).list,
  });
  opts.onStoreWriter?.(writer);
  const checkpointer = new Checkpointer(db, {
    ...(opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding }),
    onError: storeLog,
  });
  const live = new LiveHub();
  const clock = systemClock;
  const deps: GatewayDeps = {
    source: config,
    usage: writer,
    live,
    clock,
    capture: writer,
    health: new HealthBook(() => clock.now()),
    limiter: new RateLimiter(new MemoryLimitStore(), () => clock.now()),
    pools: new UpstreamPools(),
    // API clients present the API token; the control token opens the control API only.
    localToken: () => apiToken,
    exposed,
    log,
  };
  const gateway = new Gateway(deps);
  const queries = createUsageQueries(db, framesOfSegment);
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = (): string => `http://${shownHost}:${gateway.port}`;
  // Mounted before listening, so `/_sluice/` never answers as an unknown route.
  const control = createControl(
    {
      version: SLUICE_VERSION,
      url,
      port: () => gateway.port,
      dataDir: opts.dataDir,
      setupHome: opts.setupHome ?? { home: os.homedir(), env: process.env },
      token: () => token,
      apiToken: () => apiToken,
      rotateToken: () => {
        // The files first: if one cannot be written, the old token stays in force everywhere.
        token = rotateLocalToken(opts.dataDir);
        apiToken = rotateApiToken(opts.dataDir);
        return { token, apiToken };
      },
      vaultKind: vault.kind,
      gateway,
      upstreamHeaders: (inbound, provider) =>
        buildHeaders(inbound, provider, null, adapterForKind(provider.kind).authHeaders),
      explainRoute: (format, model) => explainRoute({ config }, format, model),
      config,
      live,
      usage: usageReads(db, queries, () => writer.flush()),
      log,
    },
    opts.dashboardDir === undefined ? {} : { dashboardDir: opts.dashboardDir },
  );
  gateway.mount(control.http.handle);
  const saved = config.settings().port;
  try {
    await gateway.listen(opts.port ?? saved ?? DEFAULT_PORT, opts.host);
  } catch (err) {
    control.close();
    await writer.close();
    await checkpointer.stop();
    closeDatabase(db);
    if (opts.port === undefined && saved !== undefined && err instanceof Error)
      throw new Error(
        `${err.message}; ${saved} is the port saved in Settings (a port given at start, --port or SLUICE_PORT, overrides it)`,
      );
    throw err;
  }
  // Retention runs in the store worker too: its deletes never hold the relay's thread.
  writer.startRetention();
  return {
    get port() {
      return gateway.port;
    },
    get url() {
      return url();
    },
    gateway,
    live,
    repo,
    attempts: createAttemptsRepo(db),
    queries,
    pricing,
    dbFile,
    config,
    vault,
    get token() {
      return token;
    },
    get apiToken() {
      return apiToken;
    },
    control,
    flushUsage: () => writer.flush(),
    async close(graceMs = 5_000) {
      // Push streams first: they would otherwise hold the server open for the whole grace period.
      control.close();
      await gateway.close(graceMs);
      live.close();
      await writer.close();
      await checkpointer.stop();
      closeDatabase(db);
    },
  };
}

/** The secrets the store worker screens captures for, and what they were gathered from. */
interface SecretsMemo {
  providers: readonly ProviderConfig[];
  token: string;
  apiToken: string;
  list: readonly string[];
}

/**
 * The providers' secrets and both tokens, gathered again only when one of them changed (the config
 * hands out a new providers array on every change), not for every batch the writer posts.
 */
function secretsNow(
  memo: SecretsMemo | null,
  providers: readonly ProviderConfig[],
  token: string,
  apiToken: string,
): SecretsMemo {
  if (memo !== null && memo.providers === providers && memo.token === token && memo.apiToken === apiToken)
    return memo;
  return { providers, token, apiToken, list: [...providerSecrets(providers), token, apiToken] };
}
