import fs from 'node:fs';
import path from 'node:path';
import type { SluiceConfig } from '../shared/config';
import type { Settings } from '../shared/settings';
import { effectiveSettings, loadConfigFile } from './config-file';
import { LiveHub } from './live-hub';
import { systemClock, type SettingsSource } from './proxy/ports';
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
  /** Writes every queued usage record now (tests and exports read after it). */
  flushUsage(): void;
  /** Graceful: in-flight requests get `graceMs` to finish, then are aborted and recorded; the database is closed last. */
  close(graceMs?: number): Promise<void>;
}

/** Loads the config named by the options (or the data dir's), validated. */
export function resolveConfig(opts: Pick<AppOptions, 'dataDir' | 'configFile'>): SluiceConfig {
  const file = opts.configFile ?? path.join(opts.dataDir, 'config.json');
  if (opts.configFile === undefined && !fs.existsSync(file)) return { providers: [], settings: {} };
  return loadConfigFile(file);
}

/** Builds and starts everything; throws a one-line message when the config or the port is unusable. */
export async function startApp(opts: AppOptions): Promise<SluiceApp> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const config = resolveConfig(opts);
  const settings: Settings = effectiveSettings(config);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const dbFile = path.join(opts.dataDir, 'sluice.db');
  const db: Database = openDatabase(
    dbFile,
    opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding },
  );
  const repo = createRequestsRepo(db);
  const interrupted = repo.markInterrupted();
  if (interrupted > 0)
    log(`Sluice: ${interrupted} request(s) from an earlier run were interrupted (marked as such)`);
  const writer = new UsageWriter(db, { onError: (m) => log(`Sluice: usage store: ${m}`) });
  const live = new LiveHub();

  const source: SettingsSource = {
    settings: () => settings,
    providers: () => config.providers,
  };
  const gateway = new Gateway({ source, usage: writer, live, clock: systemClock });
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
    flushUsage: () => writer.flush(),
    async close(graceMs = 5_000) {
      await gateway.close(graceMs);
      live.close();
      writer.close();
      closeDatabase(db);
    },
  };
}
