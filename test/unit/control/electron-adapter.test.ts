import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElectronAdapter, type ElectronAdapter } from '../../../src/main/control/electron-adapter';
import type {
  IpcInvokeEventLike,
  IpcMainLike,
  PushTargetLike,
} from '../../../src/main/control/electron-adapter';
import { createPreloadApi, type IpcRendererLike } from '../../../src/shared/preload-api';
import type { LiveEvent } from '../../../src/shared/live-events';
import type { PushName, Pushes, SluiceApi } from '../../../src/shared/ipc-contract';
import type { UsageRow } from '../../../src/shared/usage';
import { FakeUpstream } from '../../support/fake-upstream';
import { startSluice, type TestSluice } from '../../support/sluice';

const APP_PAGE = 'file:///opt/sluice/out/renderer/index.html';
const KEY = 'sk-electron-test-key-0123456789';

type RendererListener = (event: unknown, ...args: unknown[]) => void;

/**
 * The structural stand-in for Electron's IPC (the one place a stand-in is allowed): ipcMain.handle and
 * ipcRenderer.invoke meet through a frame whose URL the test picks, and every payload crosses as a
 * structured clone, as it does between processes, so a result that could not cross fails here too.
 */
class FakeIpc {
  handler: ((event: IpcInvokeEventLike, ...args: unknown[]) => unknown) | null = null;
  readonly rendererListeners = new Map<string, Set<RendererListener>>();
  destroyed = false;

  readonly main: IpcMainLike = {
    handle: (_channel, listener) => {
      this.handler = listener;
    },
    removeHandler: () => {
      this.handler = null;
    },
  };

  /** The window's webContents: pushes go to the renderer's listeners. */
  readonly target: PushTargetLike = {
    send: (channel, ...args) => {
      for (const l of this.rendererListeners.get(channel) ?? [])
        l({ sender: 'ipc' }, ...structuredClone(args));
    },
    isDestroyed: () => this.destroyed,
    getURL: () => APP_PAGE,
  };

  /** A renderer whose frame shows `url` (a subframe when `sub`). */
  renderer(url: string, sub = false): IpcRendererLike {
    return {
      invoke: async (_channel, ...args) => {
        if (this.handler === null) throw new Error('No handler registered');
        const event: IpcInvokeEventLike = { senderFrame: { url, parent: sub ? {} : null } };
        return structuredClone(await this.handler(event, ...structuredClone(args)));
      },
      on: (channel, listener) => {
        let set = this.rendererListeners.get(channel);
        if (set === undefined) this.rendererListeners.set(channel, (set = new Set()));
        set.add(listener);
      },
      removeListener: (channel, listener) => {
        this.rendererListeners.get(channel)?.delete(listener);
      },
    };
  }
}

function collect<P extends PushName>(api: SluiceApi, push: P): { items: Pushes[P][]; stop: () => void } {
  const items: Pushes[P][] = [];
  const stop = api.subscribe(push, (p) => items.push(p));
  return { items, stop };
}

describe('Electron adapter and preload', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let ipc: FakeIpc;
  let adapter: ElectronAdapter;
  let api: SluiceApi;
  const logged: string[] = [];

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({
      headers: { 'content-type': 'application/json' },
      chunks: [
        '{"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}',
      ],
    })).start();
    sluice = await startSluice({
      providers: [{ id: 'oa', kind: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: KEY }],
    });
    ipc = new FakeIpc();
    adapter = createElectronAdapter({
      ipcMain: ipc.main,
      dispatch: (name, payload) => sluice.app.control.dispatch(name, payload),
      pushes: sluice.app.control.pushes,
      isAppPage: (url) => url === APP_PAGE,
      log: (line) => logged.push(line),
    });
    api = createPreloadApi(ipc.renderer(APP_PAGE));
  });
  afterAll(async () => {
    adapter.close();
    await sluice.close();
    await upstream.close();
  });

  it('round-trips a call through preload → adapter → handlers', async () => {
    const status = await api.call('status.get', {});
    expect(status).toMatchObject({
      ok: true,
      value: { port: sluice.app.port, paused: false, version: '0.1.0' },
    });
    const providers = await api.call('providers.list', {});
    expect(providers.ok && providers.value.map((p) => [p.id, p.hasKey])).toEqual([['oa', true]]);
    expect(JSON.stringify(providers)).not.toContain(KEY);
    const updated = await api.call('settings.update', { patch: { smoothing: { enabled: true } } });
    expect(updated.ok && updated.value.smoothing).toMatchObject({ enabled: true, chunkChars: 20 });
    expect(sluice.app.config.settings().smoothing.enabled).toBe(true);
  });

  it('answers a bad payload or an unknown call with a Result, never a throw', async () => {
    const bad = await api.call('settings.update', { patch: 'all of it' } as never);
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringContaining('patch') },
    });
    const extra = await api.call('status.get', { sneaky: 1 } as never);
    expect(extra).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const unknown = await api.call('shell.exec' as never, {} as never);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const invalidSetting = await api.call('settings.update', { patch: { maxAttempts: 0 } });
    expect(invalidSetting).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
  });

  it('refuses a foreign sender, and a subframe of the app page', async () => {
    const foreign = createPreloadApi(ipc.renderer('https://evil.example/'));
    expect(await foreign.call('setup.get', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const sub = createPreloadApi(ipc.renderer(APP_PAGE, true));
    expect(await sub.call('setup.get', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(logged.some((l) => l.includes('refused an IPC call from https://evil.example/'))).toBe(true);
  });

  it('delivers pushes: status on change, live batches and request rows', async () => {
    const detach = adapter.attach(ipc.target);
    const status = collect(api, 'status');
    const live = collect(api, 'live');
    const rows = collect(api, 'request-row');
    await api.call('gateway.setPaused', { paused: true });
    await expect.poll(() => status.items.at(-1)).toMatchObject({ paused: true });
    await api.call('gateway.setPaused', { paused: false });
    await expect.poll(() => status.items.at(-1)).toMatchObject({ paused: false });

    const res = await fetch(`${sluice.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    const id = res.headers.get('x-sluice-request-id')!;
    const types = (): string[] =>
      live.items
        .flat()
        .filter((e: LiveEvent) => e.requestId === id)
        .map((e) => e.type);
    await expect.poll(types).toContain('request-finished');
    expect(types()[0]).toBe('request-started');
    await expect
      .poll(() => rows.items.find((r: UsageRow) => r.requestId === id && r.status === 'completed'))
      .toMatchObject({ provider: 'oa', inputTokens: 3 });

    // Unsubscribing the last listener takes the preload off the channel; detaching stops the sends.
    status.stop();
    live.stop();
    rows.stop();
    expect([...ipc.rendererListeners.values()].every((s) => s.size === 0)).toBe(true);
    detach();
  });

  it('sends nothing to a destroyed window', async () => {
    const detach = adapter.attach(ipc.target);
    ipc.destroyed = true;
    const seen: unknown[] = [];
    const stop = api.subscribe('status', (s) => seen.push(s));
    await api.call('gateway.setPaused', { paused: true });
    await api.call('gateway.setPaused', { paused: false });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    stop();
    detach();
    ipc.destroyed = false;
  });
});
