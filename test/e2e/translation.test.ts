import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { chatKit } from '../support/format-kits';
import { sendMessage } from './support/anthropic-stream';
import { startDashboardApp, type DashboardApp } from './support/app';
import { launchChromium, screenshot, type Theme, openDashboard } from './support/browser';

const THEMES: readonly Theme[] = ['dark', 'light'];

/**
 * Translation in the UI: a Chat-only provider is added through the Providers form (formats, the model
 * map, the output clamp, reasoning replay), an Anthropic request is served by it, and Live and the
 * inspector say the request went out as Chat.
 */
describe('translation in the UI (e2e)', () => {
  let chat: FakeUpstream;
  let sluice: DashboardApp;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  /** The translated request's id, once it has been sent. */
  let translatedId = '';

  beforeAll(async () => {
    chat = await new FakeUpstream(() => ({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [chatKit.stream('Served in Chat.')],
    })).start();
    sluice = await startDashboardApp({ providers: [], settings: { captureRequestBodies: true } });
    browser = await launchChromium();
    ({ page, errors } = await openDashboard(browser, sluice.dashboardUrl));
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.close();
    await chat?.close();
  });

  const shots = async (name: string): Promise<void> => {
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, name, theme);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
  };

  it('adds a Chat-only provider with its formats, clamp and reasoning setting, and reads them back', async () => {
    await page.keyboard.press('4');
    await page.getByRole('button', { name: 'Add provider' }).click();
    const form = page.getByRole('form', { name: 'Add provider' });
    await form.getByPlaceholder('anthropic-main').fill('deepseek');
    await form.getByRole('combobox').first().selectOption('openai');
    // Nothing ticked: the kind's default shows, greyed, with its order.
    const formats = form.getByTestId('formats-field');
    expect(await formats.innerText()).toContain('openai’s default: chat, responses');
    await form.getByPlaceholder('https://api.openai.com/v1').fill(`${chat.url}/v1`);
    await form.getByPlaceholder('claude-x = claude-sonnet-4-5').fill('* = x');
    await formats.getByLabel('accepts chat').check();
    await form.getByPlaceholder('no clamp').fill('0');
    await form.getByLabel('replay reasoning').check();
    await form.getByRole('button', { name: 'Save' }).click();
    // Caught in the form, under the field it is about.
    await expect
      .poll(() => form.locator('.field.has-error').innerText())
      .toContain('max output tokens\na whole number, 1 or more');
    await form.getByPlaceholder('no clamp').fill('4096');
    expect(await form.locator('.field.has-error').count()).toBe(0);
    expect(await formats.innerText()).toContain('Other formats are translated to chat.');
    await shots('providers-translation-edit');
    await form.getByRole('button', { name: 'Save' }).click();

    const row = page.locator('[data-provider="deepseek"]');
    await row.waitFor();
    expect(await row.getByTestId('formats-chip').innerText()).toBe('chat');
    expect(sluice.app.config.providers().find((p) => p.id === 'deepseek')).toMatchObject({
      kind: 'openai',
      formats: ['chat'],
      models: { '*': 'x' },
      maxOutputTokens: 4096,
      replayReasoning: true,
    });
    await shots('providers-translation');

    // The editor shows what was saved, as main returned it.
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit deepseek' });
    await expect.poll(() => edit.getByLabel('accepts chat').isChecked()).toBe(true);
    expect(await edit.getByLabel('accepts responses').isChecked()).toBe(false);
    expect(await edit.getByPlaceholder('no clamp').inputValue()).toBe('4096');
    expect(await edit.getByLabel('replay reasoning').isChecked()).toBe(true);
    await edit.getByRole('button', { name: 'Cancel' }).click();
  });

  it('marks the Live row messages → chat and the attempt → chat', async () => {
    const sent = await sendMessage(sluice.url, 'translate me');
    expect(sent.status).toBe(200);
    translatedId = sent.id ?? '';
    expect(sent.body).toContain('event: message_stop');
    expect(chat.requests.at(-1)).toMatchObject({ url: '/v1/chat/completions', json: { model: 'x' } });

    await page.keyboard.press('1');
    const row = page.locator(`.lrow[data-id="${sent.id}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    expect(await row.getByTestId('translated').innerText()).toBe('messages → chat');
    await row.click();
    await shots('live-translated');

    await page.keyboard.press('Enter');
    const wf = page.getByRole('figure', { name: 'Waterfall' });
    await expect.poll(() => wf.innerText()).toContain('answered');
    expect(await wf.getByTestId('attempt-translated').innerText()).toBe('→ chat');
    // The captured frames are the provider's (Chat): decoded as Chat, the answer reads back.
    await expect.poll(() => page.locator('.screen').innerText()).toContain('Served in Chat.');
    await shots('inspector-translated');
    expect(errors).toEqual([]);
  });

  it('shows both sides of the translated attempt: provider answered / client received, and both bodies', async () => {
    await page.keyboard.press('f');
    const frames = page.getByRole('list', { name: 'Raw frames' });
    const toggle = page.getByRole('group', { name: 'Answer side' });
    const providerSide = toggle.getByRole('button', { name: /provider answered/ });
    const clientSide = toggle.getByRole('button', { name: /client received/ });
    expect(await providerSide.getAttribute('aria-pressed')).toBe('true');
    // The provider's side: Chat chunks, no event names.
    await expect.poll(() => frames.innerText()).toContain('chat.completion.chunk');
    expect(await frames.innerText()).not.toContain('message_start');
    await shots('inspector-frames-provider');

    // Keyboard-reachable: focus the switch and press it.
    await clientSide.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => clientSide.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => frames.innerText()).toContain('message_start');
    expect(await frames.innerText()).toContain('content_block_delta');
    expect(await frames.innerText()).not.toContain('chat.completion.chunk');
    await shots('inspector-frames-client');

    // The message decodes from the side shown, with that side's format.
    await page.keyboard.press('m');
    await expect.poll(() => page.locator('.message').innerText()).toContain('Served in Chat.');
    await providerSide.click();
    await expect.poll(() => page.locator('.message').innerText()).toContain('Served in Chat.');

    await page.keyboard.press('r');
    const request = page.locator('.request-view');
    await expect.poll(() => request.innerText()).toContain('Body: client sent (messages)');
    expect(await request.innerText()).toContain('Body: provider was sent (chat)');
    const upstreamBody = page.getByLabel('Provider request body');
    expect(await upstreamBody.innerText()).toContain('"model": "x"');
    expect(await upstreamBody.innerText()).toContain('translate me');
    expect(errors).toEqual([]);
  });

  it('still marks the Live row messages → chat after a reload, from the stored request row', async () => {
    expect(translatedId).not.toBe('');
    sluice.app.flushUsage();
    expect(sluice.app.queries.getRequest(translatedId)?.request.translatedTo).toBe('openai-chat');
    // A reload forgets every live event: the row is rebuilt from the store's request row alone.
    await page.reload();
    await page.locator('header[data-live="open"]').waitFor();
    await page.keyboard.press('1');
    const row = page.locator(`.lrow[data-id="${translatedId}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    await expect.poll(() => row.getByTestId('translated').innerText()).toBe('messages → chat');
    expect(errors).toEqual([]);
  });
});
