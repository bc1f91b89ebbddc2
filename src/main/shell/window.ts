import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, type WebContents } from 'electron';
import type { WindowState } from './window-state';

// The renderer's Content-Security-Policy is a <meta> tag in src/renderer/index.html rather than a header
// added in session.webRequest: the built page is loaded from file://, which has no HTTP response to add
// a header to, and the tag travels with the page wherever else it is served. electron.vite.config.ts
// relaxes it for the dev server only. The dashboard's HTTP responses carry it as a header as well.

/** Bounds are saved this long after the last move or resize, so a drag writes once, not per pixel. */
const SAVE_STATE_DELAY_MS = 500;

/** The page the window shows: the electron-vite dev server in development, else the built index.html. */
function rendererUrl(): URL {
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  if (devUrl) return new URL(devUrl);
  // Bundled to out/main/index.js, next to out/renderer/.
  return pathToFileURL(path.join(__dirname, '../renderer/index.html'));
}

/** True when `url` is one of the app's own pages (the only origin allowed to call the preload's IPC). */
export function isAppPage(url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const own = rendererUrl();
  // file: URLs all share the opaque origin "null", so for them only the exact file counts.
  if (own.protocol === 'file:') return target.protocol === 'file:' && target.pathname === own.pathname;
  return target.origin === own.origin;
}

/**
 * Guards any web contents the app ever creates: no new windows, no webviews, no navigation away from
 * the app's own page. Registered once for the whole app (`web-contents-created`), so nothing escapes
 * it, not only the main window.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-navigate', (event, url) => {
    if (!sameDocument(url, rendererUrl())) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!sameDocument(url, rendererUrl())) event.preventDefault();
  });
}

export interface MainWindowOptions {
  /** Where to open (window-state.ts); no x/y → centred. */
  state: WindowState;
  /** Told the new state after a move, resize or (un)maximise settles, and on close. */
  onStateChange(state: WindowState): void;
}

/** Creates the one window: isolated, sandboxed, unable to navigate away, open windows or get permissions. */
export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const { state } = opts;
  const win = new BrowserWindow({
    ...(state.x === undefined || state.y === undefined ? {} : { x: state.x, y: state.y }),
    width: state.width,
    height: state.height,
    minWidth: 480,
    minHeight: 360,
    title: 'Sluice',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const { webContents } = win;
  const { session } = webContents;
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);

  trackState(win, (s) => opts.onStateChange(s));
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
  });
  win.loadURL(rendererUrl().href).catch((err: unknown) => {
    console.error(`Sluice: could not load the window: ${err instanceof Error ? err.message : String(err)}`);
  });
  return win;
}

function trackState(win: BrowserWindow, onChange: (state: WindowState) => void): void {
  let timer: NodeJS.Timeout | undefined;
  const current = (): WindowState => {
    const b = win.getNormalBounds();
    return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
  };
  const later = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!win.isDestroyed() && !win.isMinimized()) onChange(current());
    }, SAVE_STATE_DELAY_MS);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', () => {
    if (timer !== undefined) clearTimeout(timer);
    onChange(current());
  });
}

/** Same page ignoring the fragment: a reload of the app's own page is the only navigation allowed. */
function sameDocument(url: string, own: URL): boolean {
  try {
    const target = new URL(url);
    target.hash = '';
    const base = new URL(own.href);
    base.hash = '';
    return target.href === base.href;
  } catch {
    return false;
  }
}
