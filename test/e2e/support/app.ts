import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type AppOptions, type SluiceApp } from '../../../src/main/app/app';
import { ensureDashboardBuilt } from './dashboard-build';

export interface DashboardApp {
  app: SluiceApp;
  url: string;
  dataDir: string;
  /** The dashboard's address with the local token (it sets the cookie and redirects). */
  dashboardUrl: string;
  close(): Promise<void>;
}

/**
 * The real headless app (as test/support/sluice.ts starts it) plus the built dashboard, which the
 * shared helper does not mount. The token comes from `<dataDir>/token`, as a user would find it.
 */
export async function startDashboardApp(
  config: {
    providers: unknown[];
    settings?: Record<string, unknown>;
  },
  options: Pick<AppOptions, 'builtinProviders'> = {},
): Promise<DashboardApp> {
  const dashboardDir = ensureDashboardBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-e2e-'));
  const configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ settings: {}, ...config }));
  const app = await startApp({
    dataDir,
    configFile,
    port: 0,
    host: '127.0.0.1',
    log: () => {},
    dashboardDir,
    ...options,
  });
  const token = fs.readFileSync(path.join(dataDir, 'token'), 'utf8').trim();
  return {
    app,
    url: app.url,
    dataDir,
    dashboardUrl: `${app.url}/_sluice/?token=${token}`,
    async close() {
      await app.close(500);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
