import { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL, type Result } from '../../shared/ipc-contract';
import type { Dispatched } from './dispatch';
import type { PushHub } from './push-hub';

// Structural stand-ins for the parts of Electron this adapter touches, so it runs (and is tested)
// without Electron; index.ts passes the real ipcMain and webContents, which satisfy them.

/** The frame that sent an IPC call (Electron's WebFrameMain). */
export interface IpcFrameLike {
  readonly url: string;
  /** null for a top-level frame. */
  readonly parent: unknown;
}

export interface IpcInvokeEventLike {
  /** null once the frame navigated away or was destroyed. */
  readonly senderFrame: IpcFrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Where pushes go (Electron's WebContents). */
export interface PushTargetLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  getURL(): string;
}

export interface ElectronAdapterOptions {
  ipcMain: IpcMainLike;
  dispatch(name: unknown, payload: unknown): Promise<Dispatched>;
  pushes: PushHub;
  /** True for the app's own page (window.ts: isAppPage); every other sender is refused. */
  isAppPage(url: string): boolean;
  log(line: string): void;
}

export interface ElectronAdapter {
  /** Sends every push to `target` while it shows the app's page; returns the detach function. */
  attach(target: PushTargetLike): () => void;
  /** Removes the IPC handler and detaches every target. */
  close(): void;
}

const REFUSED: Result<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'only the Sluice window may call Sluice', retryable: false },
};

/**
 * The control API over Electron IPC: one `invoke` channel for every call (validated by the same
 * dispatcher the HTTP adapter uses) and one `send` channel for pushes. A call from any frame but the
 * app page's top frame (a subframe, a page navigated elsewhere) gets a `forbidden` Result.
 */
export function createElectronAdapter(opts: ElectronAdapterOptions): ElectronAdapter {
  const detachers = new Set<() => void>();
  let refusals = 0;

  opts.ipcMain.handle(IPC_CALL_CHANNEL, async (event, name, payload) => {
    const frame = event.senderFrame;
    if (frame === null || frame.parent !== null || !opts.isAppPage(frame.url)) {
      // Log the first few only: a hostile page could call in a loop.
      if (refusals++ < 5) opts.log(`Sluice: refused an IPC call from ${frame?.url ?? 'a destroyed frame'}`);
      return REFUSED;
    }
    return (await opts.dispatch(name, payload)).result;
  });

  return {
    attach(target) {
      const off = opts.pushes.subscribe((m) => {
        if (target.isDestroyed() || !opts.isAppPage(target.getURL())) return;
        target.send(IPC_PUSH_CHANNEL, m.name, m.payload);
      });
      const detach = (): void => {
        off();
        detachers.delete(detach);
      };
      detachers.add(detach);
      return detach;
    },
    close() {
      opts.ipcMain.removeHandler(IPC_CALL_CHANNEL);
      for (const d of [...detachers]) d();
    },
  };
}
