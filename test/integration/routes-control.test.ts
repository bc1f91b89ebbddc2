import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import type { RouteConfig } from '../../src/shared/config';
import type { Result } from '../../src/shared/ipc-contract';
import type { RouteTest } from '../../src/shared/routes-view';

const provider = (id: string, kind: string, priority: number, extra: Record<string, unknown> = {}) => ({
  id,
  kind,
  baseUrl: kind === 'openai' ? 'http://127.0.0.1:9/v1' : 'http://127.0.0.1:9',
  priority,
  ...extra,
});

/** routes.get / routes.save / routes.test over the dashboard's HTTP transport, against the real app. */
describe('routes over the control API', () => {
  let root: string;
  let app: SluiceApp;

  const call = async <T>(name: string, body: unknown): Promise<{ status: number; json: Result<T> }> => {
    const res = await fetch(`${app.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    return { status: res.status, json: (await res.json()) as Result<T> };
  };
  const ok = async <T>(name: string, body: unknown): Promise<T> => {
    const r = await call<T>(name, body);
    if (!r.json.ok) throw new Error(`${name}: ${r.json.error.message}`);
    return r.json.value;
  };
  const refused = async (name: string, body: unknown): Promise<string> => {
    const r = await call(name, body);
    if (r.json.ok) throw new Error(`${name} was accepted`);
    return r.json.error.message;
  };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-routes-control-'));
    const configFile = path.join(root, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          provider('main', 'anthropic', 1),
          provider('cheap', 'anthropic', 2),
          provider('off', 'anthropic', 3, { enabled: false }),
          provider('chat', 'openai', 4, { formats: ['chat'] }),
        ],
      }),
    );
    app = await startApp({
      dataDir: path.join(root, 'data'),
      configFile,
      port: 0,
      host: '127.0.0.1',
      log: () => {},
    });
  });
  afterAll(async () => {
    await app?.close(500);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('saves routes, refusing a bad one with a message naming the field, and nothing changes then', async () => {
    expect(await ok<RouteConfig[]>('routes.get', {})).toEqual([]);
    const good: RouteConfig[] = [
      { models: ['claude-haiku-*', 'deepseek-*'], providers: ['off', 'cheap', 'chat'] },
      { models: ['claude-*'], providers: ['main'], balance: 'weighted' },
    ];
    expect(await ok<RouteConfig[]>('routes.save', { routes: good })).toEqual(good);
    expect(app.config.routes()).toEqual(good);

    expect(
      await refused('routes.save', { routes: [good[0], { models: ['x'], providers: ['nope'] }] }),
    ).toContain('routes[1].providers[0]: no provider "nope"');
    expect(await refused('routes.save', { routes: [{ models: [], providers: ['main'] }] })).toContain(
      'routes[0].models',
    );
    expect(
      await refused('routes.save', { routes: [{ models: ['x'], providers: ['main'], extra: 1 }] }),
    ).toMatch(/routes\[0\]/);
    expect(await ok<RouteConfig[]>('routes.get', {})).toEqual(good);
  });

  it('tests a model name: the route it hits, by which glob, and the chain with reasons', async () => {
    const haiku = await ok<RouteTest>('routes.test', { model: 'claude-haiku-4-5', format: 'anthropic' });
    expect(haiku.route).toEqual({ index: 0, glob: 'claude-haiku-*' });
    expect(haiku.chain.map((c) => [c.provider, c.status])).toEqual([
      ['cheap', 'candidate'],
      ['chat', 'candidate'],
      ['off', 'skipped'],
    ]);
    expect(haiku.chain.find((c) => c.provider === 'off')!.reason).toMatch(/disabled/);

    const opus = await ok<RouteTest>('routes.test', { model: 'claude-opus-4-8', format: 'anthropic' });
    expect(opus.route).toEqual({ index: 1, glob: 'claude-*' });
    expect(opus.chain.map((c) => c.provider)).toEqual(['main']);

    // No route: the default chain of the client's format, by priority.
    const other = await ok<RouteTest>('routes.test', { model: 'gpt-5', format: 'openai-chat' });
    expect(other.route).toBeNull();
    expect(other.chain.filter((c) => c.status === 'candidate').map((c) => c.provider)).toEqual(['chat']);

    expect(await refused('routes.test', { model: '', format: 'anthropic' })).toContain('model');
    expect(await refused('routes.test', { model: 'x', format: 'klingon' })).toContain('format');
  });
});
