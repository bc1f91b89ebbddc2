import { Menu, Tray, nativeImage, type NativeImage } from 'electron';
import type { Result, SluiceApi, StatusView } from '../../shared/ipc-contract';

/** The tray re-reads the status this often; polling, not pushes, so it never keeps the live feed busy. */
const STATUS_POLL_MS = 1_000;

// A sluice gate (two posts, three boards), 16 px and 32 px. macOS gets a black template image it tints
// for light and dark menu bars; other systems get a colour one that reads on either.
const ICONS = {
  template: [
    'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAIElEQVR42mNgGEzgPxSTrY5qBhCLh7MXRsNgIL0wMAAAc3dPsZXyjd0AAAAASUVORK5CYII=',
    'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAOklEQVR42u3TMQoAMAgEQf//6aRPHQ7FWbhWtnCr0JDzLH6PQDuB3yMwT0AFMiQgQwKekIAK9gkgygXdjo6AyXeYSAAAAABJRU5ErkJggg==',
  ],
  color: [
    'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAKUlEQVR42mOQ71/BQAlmoKYB/6GYkCYUdTQxgFg8nL0wGgYD6YWByY0AbjClwELE928AAAAASUVORK5CYII=',
    'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAARUlEQVR42mOQ71/BMJCYYdQBWAT/o2FKLcFr3qgDhoQDqI1HHTD0HDCaC0az4agDRrPhqANGE+GoA0ZzwchzwGjfkK4YAGwF5suRMWYqAAAAAElFTkSuQmCC',
  ],
} as const;

function trayIcon(): NativeImage {
  const mac = process.platform === 'darwin';
  const [small, large] = mac ? ICONS.template : ICONS.color;
  const image = nativeImage.createEmpty();
  image.addRepresentation({ scaleFactor: 1, dataURL: `data:image/png;base64,${small}` });
  image.addRepresentation({ scaleFactor: 2, dataURL: `data:image/png;base64,${large}` });
  if (mac) image.setTemplateImage(true);
  return image;
}

export interface TrayOptions {
  /** The contract's API in-process (app.control.api): toggles go through the same handlers as the UI. */
  api: SluiceApi;
  openWindow(): void;
  quit(): void;
  log(line: string): void;
}

export interface SluiceTray {
  destroy(): void;
}

/** What the menu shows; the menu is rebuilt only when this changes. */
function menuKey(s: StatusView): string {
  return `${s.url}|${s.inFlight}|${s.paused}|${s.smoothingEnabled}`;
}

/**
 * The tray: where Sluice listens, requests in flight, and quick toggles (smoothing, pause), plus open
 * and quit. It lives as long as the app; closing the window leaves the gateway running here.
 */
export function createTray(opts: TrayOptions): SluiceTray {
  const tray = new Tray(trayIcon());
  tray.setToolTip('Sluice');
  let shown = '';

  const act = (what: string, call: Promise<Result<unknown>>): void => {
    call
      .then((r) => {
        if (!r.ok) opts.log(`Sluice: tray: ${what} failed: ${r.error.message}`);
        refresh();
      })
      .catch((err: unknown) => opts.log(`Sluice: tray: ${what} failed: ${String(err)}`));
  };

  const render = (s: StatusView): void => {
    const key = menuKey(s);
    if (key === shown) return;
    shown = key;
    const where = s.url.replace(/^http:\/\//, '');
    tray.setToolTip(`Sluice: ${s.paused ? 'paused' : `listening on ${where}`}, ${s.inFlight} in flight`);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: s.paused ? `Paused (${where})` : `Listening on ${where}`, enabled: false },
        { label: `${s.inFlight} request${s.inFlight === 1 ? '' : 's'} in flight`, enabled: false },
        { type: 'separator' },
        {
          label: 'Smoothing',
          type: 'checkbox',
          checked: s.smoothingEnabled,
          click: () =>
            act(
              'smoothing',
              opts.api.call('settings.update', { patch: { smoothing: { enabled: !s.smoothingEnabled } } }),
            ),
        },
        {
          label: 'Pause gateway',
          type: 'checkbox',
          checked: s.paused,
          click: () => act('pause', opts.api.call('gateway.setPaused', { paused: !s.paused })),
        },
        { type: 'separator' },
        { label: 'Open Sluice', click: () => opts.openWindow() },
        { label: 'Quit Sluice', click: () => opts.quit() },
      ]),
    );
  };

  function refresh(): void {
    opts.api
      .call('status.get', {})
      .then((r) => {
        if (!r.ok) return;
        if (!tray.isDestroyed()) render(r.value);
      })
      .catch((err: unknown) => opts.log(`Sluice: tray: ${String(err)}`));
  }

  // On macOS a click opens the menu; elsewhere the menu is on right-click and a click opens the window.
  if (process.platform !== 'darwin') tray.on('click', () => opts.openWindow());
  refresh();
  const timer = setInterval(refresh, STATUS_POLL_MS);
  return {
    destroy() {
      clearInterval(timer);
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
