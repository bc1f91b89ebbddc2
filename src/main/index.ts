// Electron composition root (DESIGN.md §2): starts the same headless app the CLI runs, opens the window
// and wires the preload's one call. Nothing else belongs here.
import fs from 'node:fs';
import path from 'node:path';
import { app, dialog, ipcMain, type BrowserWindow } from 'electron';
import { PRELOAD_CHANNELS } from '../shared/preload-api';
import { startApp, type SluiceApp } from './app';
import { createMainWindow, isAppPage } from './window';

const DEFAULT_PORT = 8787;
const HOST = '127.0.0.1';

let mainWindow: BrowserWindow | undefined;
let shutdown: 'running' | 'closing' | 'done' = 'running';
let startFailed = false;

function log(line: string): void {
  console.error(line);
}

/** The gateway port: SLUICE_PORT (0–65535, 0 = any free port) or 8787. */
function gatewayPort(): number {
  const raw = process.env.SLUICE_PORT;
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SLUICE_PORT must be a port number 0–65535, got "${raw}"`);
  }
  return port;
}

/** better-sqlite3 compiled for this Electron's ABI, or undefined (reason logged) when it was never built. */
function electronNativeBinding(): string | undefined {
  // scripts/electron-native.mjs (run by `npm start`) builds the binary at this same path, computed the same
  // way there: change both together. It lives apart from node_modules/better-sqlite3/build, which stays
  // compiled for Node so the tests keep working. In development app.getAppPath() is the project root.
  const file = path.join(
    app.getAppPath(),
    '.sluice-native',
    `electron-${process.versions.electron}-${process.platform}-${process.arch}`,
    'better_sqlite3.node',
  );
  if (fs.existsSync(file)) return file;
  log(
    `Sluice: no Electron build of better-sqlite3 at ${file} (npm start makes it); trying the default binding`,
  );
  return undefined;
}

function showWindow(): void {
  if (mainWindow === undefined || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

/** Starts the gateway, then the window; on failure shows why and quits. Resolves to the running app, if any. */
async function start(): Promise<SluiceApp | undefined> {
  await app.whenReady();
  let sluice: SluiceApp;
  try {
    sluice = await startApp({
      dataDir: app.getPath('userData'),
      port: gatewayPort(),
      host: HOST,
      nativeBinding: electronNativeBinding(),
      log,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`Sluice: could not start: ${message}`);
    dialog.showErrorBox('Sluice could not start', message);
    startFailed = true;
    app.quit();
    return undefined;
  }
  log(`Sluice listening on ${sluice.url}`);
  ipcMain.handle(PRELOAD_CHANNELS.gatewayUrl, (event) => {
    const from = event.senderFrame?.url;
    if (from === undefined || !isAppPage(from))
      throw new Error('Sluice: IPC refused for a page that is not the app');
    return sluice.url;
  });
  if (shutdown === 'running') showWindow();
  return sluice;
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const started = start().catch((err: unknown) => {
    log(`Sluice: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    startFailed = true;
    app.quit();
    return undefined;
  });
  app.on('second-instance', () => {
    if (mainWindow !== undefined) showWindow();
  });
  app.on('window-all-closed', () => app.quit());
  // Hold the quit until in-flight requests finish and the database is closed, exactly once.
  app.on('before-quit', (event) => {
    if (shutdown === 'done') return;
    event.preventDefault();
    if (shutdown === 'closing') return;
    shutdown = 'closing';
    void started
      .then((sluice) => sluice?.close())
      .catch((err: unknown) =>
        log(`Sluice: shutdown error: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        shutdown = 'done';
        app.exit(startFailed ? 1 : 0);
      });
  });
}

main();
