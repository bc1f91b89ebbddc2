import { describe, expect, it } from 'vitest';
import { setupHandlers } from '../../../src/main/control/setup-handlers';
import type { ControlDeps } from '../../../src/main/control/deps';
import { defaultDataDir } from '../../../src/main/config/data-dir';
import { SettingsSchema } from '../../../src/shared/settings';

const token = 'f0'.repeat(32);
const apiToken = 'a1'.repeat(32);

/** The few deps `setup.get` reads; the rest is never touched. */
function deps(port: number, dataDir: string, requireLocalToken: boolean): ControlDeps {
  const settings = SettingsSchema.parse({ requireLocalToken });
  const partial: Pick<ControlDeps, 'url' | 'port' | 'dataDir' | 'token' | 'apiToken'> & {
    config: Pick<ControlDeps['config'], 'settings'>;
    usage: Pick<ControlDeps['usage'], 'lastSeenMs'>;
  } = {
    url: () => `http://127.0.0.1:${port}`,
    port: () => port,
    dataDir,
    token: () => token,
    apiToken: () => apiToken,
    config: { settings: () => settings },
    usage: { lastSeenMs: (clients) => (clients.includes('codex') ? 1234 : null) },
  };
  return partial as ControlDeps;
}

describe('setup.get', () => {
  it('gives the lines of `sluice setup --print`, with the API token only when Sluice requires it', async () => {
    const open = await setupHandlers(deps(8787, defaultDataDir(), false))['setup.get']({});
    expect(open).toMatchObject({ token, apiToken });
    expect(open.tools.flatMap((t) => t.lines).join('\n')).not.toContain(apiToken);
    expect(open.tools.find((t) => t.id === 'codex')!.lastSeenAt).toBe(1234);
    expect(open.tools.map((t) => t.applyCommand)).toEqual([
      'npm run sluice -- setup claude-code --apply',
      'npm run sluice -- setup codex --apply',
      'npm run sluice -- setup gemini-cli --apply',
      'npm run sluice -- setup openai-compatible --apply',
    ]);

    const closed = await setupHandlers(deps(9100, '/srv/sluice data', true))['setup.get']({});
    const claude = closed.tools.find((t) => t.id === 'claude-code')!;
    expect(claude.lines).toContain(`export ANTHROPIC_AUTH_TOKEN=${apiToken}`);
    // The control token opens the control API: no tool is ever given it.
    expect(closed.tools.flatMap((t) => t.lines).join('\n')).not.toContain(token);
    expect(claude.applyCommand).toBe(
      "npm run sluice -- setup claude-code --apply --port 9100 --data-dir '/srv/sluice data'",
    );
  });
});
