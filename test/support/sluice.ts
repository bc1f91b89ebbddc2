import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type AppOptions, type SluiceApp } from '../../src/main/app/app';
import type { UsageRow } from '../../src/shared/usage';

export interface TestSluice {
  app: SluiceApp;
  url: string;
  dataDir: string;
  /** Polls the store until a row matching `pred` is recorded with a final status. */
  row(pred?: (r: UsageRow) => boolean, timeoutMs?: number): Promise<UsageRow>;
  close(): Promise<void>;
}

/**
 * Starts the real headless app on 127.0.0.1:0 with a config file in a fresh temp data dir.
 * `options` may take the operator log and the database test hook (default: log discarded).
 */
export async function startSluice(
  config: {
    providers: unknown[];
    routes?: unknown[];
    settings?: Record<string, unknown>;
  },
  options: Pick<AppOptions, 'log' | 'onDatabaseOpen' | 'builtinProviders' | 'onStoreWriter'> = {},
): Promise<TestSluice> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-test-'));
  const configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ settings: {}, ...config }));
  const app = await startApp({ dataDir, configFile, port: 0, host: '127.0.0.1', log: () => {}, ...options });
  const final = new Set(['completed', 'failed', 'aborted']);
  return {
    app,
    url: app.url,
    dataDir,
    async row(pred = () => true, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        app.flushUsage();
        const found = app.repo.listRequests({ limit: 1000 }).find((r) => final.has(r.status) && pred(r));
        if (found) return found;
        if (Date.now() > deadline) throw new Error('no finished usage row appeared');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await app.close(1_000);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
