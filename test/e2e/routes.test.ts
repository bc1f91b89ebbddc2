import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { anthropicFrames } from './support/anthropic-stream';
import { startDashboardApp, type DashboardApp } from './support/app';
import { launchChromium, screenshot, type Theme, openDashboard } from './support/browser';

const THEMES: readonly Theme[] = ['dark', 'light'];

/** A streamed Messages request for `model`, as Claude Code sends one; resolves with the answer's text. */
async function ask(gatewayUrl: string, model: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${gatewayUrl}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'x-api-key': 'sk-ant-e2e-client-key-000000',
      'user-agent': 'claude-cli/2.0.0 (external, cli)',
    },
    body: JSON.stringify({
      model,
      max_tokens: 32,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}

/** Routes on the Providers screen: add, reorder by keyboard and by drag, test a glob, and the gateway follows. */
describe('routes (e2e)', () => {
  const ups: Record<'main' | 'fast' | 'cheap', FakeUpstream> = {} as never;
  let sluice: DashboardApp;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    for (const name of ['main', 'fast', 'cheap'] as const)
      ups[name] = await new FakeUpstream(() => ({ chunks: anthropicFrames([`served by ${name}`]) })).start();
    sluice = await startDashboardApp({
      providers: (['main', 'fast', 'cheap'] as const).map((name, i) => ({
        id: name,
        kind: 'anthropic',
        baseUrl: ups[name].url,
        priority: i + 1,
        apiKey: `sk-ant-e2e-${name}-key-123456`,
      })),
    });
    browser = await launchChromium();
    ({ page, errors } = await openDashboard(browser, sluice.dashboardUrl));
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.close();
    await Promise.all(Object.values(ups).map((u) => u.close()));
  });

  const shots = async (name: string): Promise<void> => {
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, name, theme);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
  };
  const routes = (): unknown => sluice.app.config.routes().map((r) => [r.models, r.providers]);
  const section = (): ReturnType<Page['getByRole']> => page.getByRole('region', { name: 'Routes' });

  const addRoute = async (globs: string, providers: readonly string[]): Promise<void> => {
    await section().getByRole('button', { name: 'Add route' }).click();
    const editor = page.getByRole('form', { name: 'New route' });
    await editor.locator('input[name="globs"]').fill(globs);
    for (const id of providers) await editor.getByLabel('Add a provider').selectOption(id);
    await editor.getByRole('button', { name: 'Save route' }).click();
    await editor.waitFor({ state: 'detached' });
  };

  it('adds routes, reorders them and their providers by keyboard and by drag', async () => {
    await page.keyboard.press('4');
    await section().waitFor();
    await expect.poll(() => section().innerText()).toContain('No routes');

    // A route without providers is refused in the editor, naming the field.
    await section().getByRole('button', { name: 'Add route' }).click();
    const editor = page.getByRole('form', { name: 'New route' });
    await editor.locator('input[name="globs"]').fill('claude-haiku-*');
    await editor.getByRole('button', { name: 'Save route' }).click();
    await expect.poll(() => editor.innerText()).toContain('at least one provider');
    await editor.getByLabel('Add a provider').selectOption('fast');
    await editor.getByLabel('Add a provider').selectOption('main');
    await shots('routes-editor');
    await editor.getByRole('button', { name: 'Take fast out of the route' }).click();
    await editor.getByRole('button', { name: 'Cancel' }).click();

    await addRoute('claude-haiku-*, deepseek-*', ['cheap', 'fast']);
    await addRoute('claude-opus-*', ['main']);
    expect(routes()).toEqual([
      [
        ['claude-haiku-*', 'deepseek-*'],
        ['cheap', 'fast'],
      ],
      [['claude-opus-*'], ['main']],
    ]);

    // Keyboard: Alt+↓ on the first route moves it below the second; Alt+↑ brings it back.
    const list = page.getByRole('list', { name: 'Routes, first match wins' });
    await list.locator('[data-route="0"]').focus();
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(routes).toEqual([
      [['claude-opus-*'], ['main']],
      [
        ['claude-haiku-*', 'deepseek-*'],
        ['cheap', 'fast'],
      ],
    ]);
    // The moved route keeps the focus, so a second press goes on moving it.
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(routes).toEqual([
      [
        ['claude-haiku-*', 'deepseek-*'],
        ['cheap', 'fast'],
      ],
      [['claude-opus-*'], ['main']],
    ]);

    // Keyboard inside a route: its providers swap.
    const haiku = list.locator('[data-route="0"]');
    await haiku.locator('[data-route-provider="cheap"]').focus();
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(routes).toEqual([
      [
        ['claude-haiku-*', 'deepseek-*'],
        ['fast', 'cheap'],
      ],
      [['claude-opus-*'], ['main']],
    ]);

    // Pointer: drag a provider chip back to the front, then the opus route above the haiku one.
    await haiku
      .locator('[data-route-provider="cheap"]')
      .dragTo(haiku.locator('[data-route-provider="fast"]'));
    await expect.poll(routes).toEqual([
      [
        ['claude-haiku-*', 'deepseek-*'],
        ['cheap', 'fast'],
      ],
      [['claude-opus-*'], ['main']],
    ]);
    await list.locator('[data-route="1"] .grip').dragTo(list.locator('[data-route="0"]'));
    await expect.poll(routes).toEqual([
      [['claude-opus-*'], ['main']],
      [
        ['claude-haiku-*', 'deepseek-*'],
        ['cheap', 'fast'],
      ],
    ]);
  });

  it('shows which route a model hits, and a request through the gateway follows it', async () => {
    const tester = page.getByRole('search', { name: 'Glob tester' });
    await tester.getByLabel('Model name to test').fill('claude-haiku-4-5');
    const result = page.getByTestId('tester-result');
    await expect.poll(() => result.innerText()).toContain('hits route 2 by claude-haiku-*');
    const chain = await result
      .locator('[data-chain-provider]')
      .evaluateAll((els: { getAttribute(name: string): string | null; className: string }[]) =>
        els.map((e) => `${e.getAttribute('data-chain-provider') ?? ''}:${e.className}`),
      );
    expect(chain.slice(0, 2)).toEqual(['cheap:chain-candidate', 'fast:chain-candidate']);
    await expect.poll(() => page.locator('.rrow.is-hit').getAttribute('data-route')).toBe('1');
    await shots('routes');

    const haiku = await ask(sluice.url, 'claude-haiku-4-5');
    expect(haiku.status).toBe(200);
    expect(haiku.body).toContain('served by cheap');
    const opus = await ask(sluice.url, 'claude-opus-4-8');
    expect(opus.body).toContain('served by main');
    // No route: the default chain, by priority.
    const sonnet = await ask(sluice.url, 'claude-sonnet-4-6');
    expect(sonnet.body).toContain('served by main');
    expect(ups.cheap.requests).toHaveLength(1);
    expect(ups.fast.requests).toHaveLength(0);

    await tester.getByLabel('Model name to test').fill('something-else');
    await expect.poll(() => result.innerText()).toContain('matches no route');
  });

  it('saves Claude Code slots and offers a route for a slot model that has none', async () => {
    const slots = page.getByRole('form', { name: 'Claude Code model slots' });
    await slots.getByLabel('haiku model').fill('deepseek-chat');
    await slots.getByLabel('sonnet model').fill('glm-4.6');
    await slots.getByLabel('sonnet context window (tokens)').fill('128000');
    await slots.getByRole('button', { name: 'Save slots' }).click();
    await expect.poll(() => slots.getByRole('status').innerText()).toContain('Saved');
    expect(sluice.app.config.settings().claudeCodeSlots).toEqual({
      sonnet: { model: 'glm-4.6', contextWindowTokens: 128_000 },
      haiku: { model: 'deepseek-chat' },
    });
    // deepseek-chat hits the haiku route by its deepseek-* glob; glm-4.6 hits none: offer one.
    const haikuRow = slots.locator('[data-slot="haiku"]');
    await expect.poll(() => haikuRow.innerText()).toContain('route 2 → cheap, fast');
    const sonnetRow = slots.locator('[data-slot="sonnet"]');
    await sonnetRow.getByLabel('Provider for glm-4.6').selectOption('fast');
    await sonnetRow.getByRole('button', { name: 'Add route' }).click();
    await expect
      .poll(() => sluice.app.config.routes()[0])
      .toEqual({ models: ['glm-4.6'], providers: ['fast'] });
    await expect.poll(() => sonnetRow.innerText()).toContain('route 1 → fast');
    const glm = await ask(sluice.url, 'glm-4.6');
    expect(glm.body).toContain('served by fast');
    await screenshot(page, 'routes-slots', 'dark');
    expect(errors).toEqual([]);
  });
});
