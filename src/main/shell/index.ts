// Electron composition root (DESIGN.md §2): starts the same headless app the CLI runs, then the IPC
// adapter, the tray and the window. Nothing else belongs here.
import fs from 'node:fs';
import path from 'node:path';
import { app, dialog, ipcMain, screen, type BrowserWindow } from 'electron';
import { startApp, type SluiceApp } from '../app/app';
import { ChainVault, FileKeyVault, type KeyVault } from '../config/key-vault';
import { osKeychainVault } from './safe-storage-vault';
import { createElectronAdapter, type ElectronAdapter } from '../control/electron-adapter';
import { createTray, type SluiceTray } from './tray';
import { createMainWindow, hardenWebContents, isAppPage } from './window';
import { loadWindowState, saveWindowState, type WindowState } from './window-state';

const HOST = '127.0.0.1';
const FIRST_WINDOW: WindowState = { width: 1100, height: 720, maximized: false };

let sluice: SluiceApp | undefined;
let ipc: ElectronAdapter | undefined;
let tray: SluiceTray | undefined;
let mainWindow: BrowserWindow | undefined;
let shutdown: 'running' | 'closing' | 'done' = 'running';
let startFailed = false;

function log(line: string): void {
  console.error(line);
}

/**
 * The gateway port: SLUICE_PORT (0–65535, 0 = any free port); undefined without it, and the app then
 * takes the port saved in Settings, else 8787.
 */
function gatewayPort(): number | undefined {
  const raw = process.env.SLUICE_PORT;
  if (raw === undefined || raw.trim() === '') return undefined;
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

/** Opens the window where it last was (or focuses it), its pushes wired for as long as it lives. */
function showWindow(): void {
  if (sluice === undefined || shutdown !== 'running') return;
  if (mainWindow !== undefined && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
    return;
  }
  const dir = app.getPath('userData');
  const displays = screen.getAllDisplays().map((d) => d.workArea);
  const win = createMainWindow({
    state: loadWindowState(dir, displays, FIRST_WINDOW),
    onStateChange: (state) => {
      try {
        saveWindowState(dir, state);
      } catch (err) {
        log(
          `Sluice: could not save the window's position: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    },
  });
  const detach = ipc?.attach(win.webContents);
  win.on('closed', () => {
    detach?.();
    if (mainWindow === win) mainWindow = undefined;
  });
  mainWindow = win;
}

function appVault(dataDir: string): KeyVault {
  const file = new FileKeyVault(dataDir);
  const os = osKeychainVault();
  if (os === null)
    log('Sluice: no OS keychain here; provider keys are sealed with the key file in the data folder');
  return os === null ? file : new ChainVault([os, file]);
}

/** Starts the gateway, the IPC adapter, the tray and the window; on failure shows why and quits. */
async function start(): Promise<SluiceApp | undefined> {
  await app.whenReady();
  let started: SluiceApp;
  try {
    const port = gatewayPort();
    started = await startApp({
      dataDir: app.getPath('userData'),
      ...(port === undefined ? {} : { port }),
      host: HOST,
      nativeBinding: electronNativeBinding(),
      // The OS keychain seals new keys; keys sealed earlier by the headless key file still open.
      vault: appVault(app.getPath('userData')),
      // Bundled to out/main/index.js, next to out/renderer/: the same page the window shows.
      dashboardDir: path.join(__dirname, '../renderer'),
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
  sluice = started;
  log(`Sluice listening on ${started.url}`);
  log(`Sluice dashboard: ${started.url}/_sluice/?token=${started.token}`);
  ipc = createElectronAdapter({
    ipcMain,
    dispatch: (name, payload) => started.control.dispatch(name, payload),
    pushes: started.control.pushes,
    isAppPage,
    log,
  });
  try {
    tray = createTray({ api: started.control.api, openWindow: showWindow, quit: () => app.quit(), log });
  } catch (err) {
    // Some Linux desktops have no tray; the window is then the only way in, and closing it quits.
    log(`Sluice: no tray here: ${err instanceof Error ? err.message : String(err)}`);
  }
  showWindow();
  return started;
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  const started = start().catch((err: unknown) => {
    log(`Sluice: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    startFailed = true;
    app.quit();
    return undefined;
  });
  app.on('second-instance', () => showWindow());
  // macOS: clicking the Dock icon with no window open.
  app.on('activate', () => showWindow());
  // The gateway keeps serving from the tray when the window closes; without a tray, closing it quits.
  app.on('window-all-closed', () => {
    if (tray === undefined) app.quit();
  });
  // Hold the quit until in-flight requests finish and the database is closed, exactly once.
  app.on('before-quit', (event) => {
    if (shutdown === 'done') return;
    event.preventDefault();
    if (shutdown === 'closing') return;
    shutdown = 'closing';
    tray?.destroy();
    ipc?.close();
    void started
      .then((s) => s?.close())
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
