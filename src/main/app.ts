import fs from 'node:fs';
import path from 'node:path';
import type { SluiceConfig } from '../shared/config';
import { loadConfigFile } from './config-file';
import { FileKeyVault, type KeyVault } from './key-vault';
import { RuntimeConfig } from './runtime-config';
import { createConfigRepo } from './store/config-repo';
import { LiveHub } from './live-hub';
import { systemClock } from './proxy/ports';
import { Gateway } from './proxy/server';
import { closeDatabase, openDatabase, type Database } from './store/db';
import { createRequestsRepo, type RequestsRepo } from './store/requests-repo';
import { UsageWriter } from './store/usage-writer';
import { createAttemptsRepo, type AttemptsRepo } from './store/attempts-repo';

export interface AppOptions {
  dataDir: string;
  /** JSON config file; absent → `<dataDir>/config.json` when it exists, else no providers. */
  configFile?: string;
  port: number;
  host: string;
  /** better-sqlite3 binary built for Electron's ABI (the app passes it; headless Node uses the default). */
  nativeBinding?: string;
  /** Seals provider keys at rest; default: a 0600 key file in the data dir (Electron passes the OS keychain). */
  vault?: KeyVault;
  /** One-line messages for the operator (store problems, interrupted requests). */
  log?: (line: string) => void;
}

/** The headless app: store + gateway + live hub, shared by Electron and the CLI so both run the same code. */
export interface SluiceApp {
  readonly port: number;
  readonly url: string;
  readonly gateway: Gateway;
  readonly live: LiveHub;
  readonly repo: RequestsRepo;
  readonly attempts: AttemptsRepo;
  readonly dbFile: string;
  /** Providers and settings in force; changes apply to the next request. */
  readonly config: RuntimeConfig;
  readonly vault: KeyVault;
  /** Writes every queued usage record now (tests and exports read after it). */
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

/** Builds and starts everything; throws a one-line message when the config or the port is unusable. */
export async function startApp(opts: AppOptions): Promise<SluiceApp> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const file = resolveConfig(opts);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const dbFile = path.join(opts.dataDir, 'sluice.db');
  // better-sqlite3 is synchronous: a long lock wait would freeze the relay. The writer retries on its own timer.
  const db: Database = openDatabase(dbFile, {
    busyTimeoutMs: 100,
    ...(opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding }),
  });
  const repo = createRequestsRepo(db);
  const interrupted = repo.markInterrupted();
  if (interrupted > 0)
    log(`Sluice: ${interrupted} request(s) from an earlier run were interrupted (marked as such)`);
  const writer = new UsageWriter(db, { onError: (m) => log(`Sluice: usage store: ${m}`) });
  const live = new LiveHub();

  const vault = opts.vault ?? new FileKeyVault(opts.dataDir);
  let config: RuntimeConfig;
  try {
    config = new RuntimeConfig(createConfigRepo(db), vault, file, log);
  } catch (err) {
    writer.close();
    closeDatabase(db);
    throw err;
  }
  const gateway = new Gateway({ source: config, usage: writer, live, clock: systemClock });
  let port: number;
  try {
    port = await gateway.listen(opts.port, opts.host);
  } catch (err) {
    writer.close();
    closeDatabase(db);
    throw err;
  }
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    port,
    url: `http://${shownHost}:${port}`,
    gateway,
    live,
    repo,
    attempts: createAttemptsRepo(db),
    dbFile,
    config,
    vault,
    flushUsage: () => writer.flush(),
    async close(graceMs = 5_000) {
      await gateway.close(graceMs);
      live.close();
      writer.close();
      closeDatabase(db);
    },
  };
}
