import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow } from 'electron';

// The renderer's Content-Security-Policy is a <meta> tag in src/renderer/index.html: a header set
// through session.webRequest never reaches pages loaded from file://, and the meta tag also travels
// with the built page wherever else it is served. electron.vite.config.ts relaxes it for the dev server.

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

/** Creates the one window: isolated, sandboxed, unable to navigate away, open windows or get permissions. */
export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 760,
    height: 560,
    minWidth: 480,
    minHeight: 360,
    title: 'Sluice',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  const { webContents } = win;

  webContents.on('will-navigate', (event, url) => {
    if (!sameDocument(url, rendererUrl())) event.preventDefault();
  });
  webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  webContents.on('will-attach-webview', (event) => event.preventDefault());
  webContents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  webContents.session.setPermissionCheckHandler(() => false);

  win.once('ready-to-show', () => win.show());
  win.loadURL(rendererUrl().href).catch((err: unknown) => {
    console.error(`Sluice: could not load the window: ${err instanceof Error ? err.message : String(err)}`);
  });
  return win;
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
