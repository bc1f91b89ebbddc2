import { describe, expect, it } from 'vitest';
import { LiveTable } from '../../../src/renderer/src/features/live/live-table';
import { rowFromUsage } from '../../../src/renderer/src/features/live/live-row';
import { parseRouteChoice, routeChoiceText, type RouteChoice } from '../../../src/shared/route-choice';
import { rid, usageRow } from '../renderer/live-fixtures';
import {
  emptyForm,
  formFrom,
  toInput,
} from '../../../src/renderer/src/features/providers/provider-form-model';
import type { ProviderView } from '../../../src/shared/ipc-contract';

const kept: RouteChoice = {
  route: { index: 1, glob: 'claude-haiku-*', models: ['claude-haiku-*', 'gpt-4o-mini'] },
  affinity: 'fast',
  weighted: null,
};

describe('how a chain was chosen, as the live view and inspector show it', () => {
  it('reads as one line: the route by its config index and globs, and who was put first', () => {
    expect(routeChoiceText(kept)).toBe('routes[1] (claude-haiku-*, gpt-4o-mini) · kept on fast (affinity)');
    expect(routeChoiceText({ route: null, affinity: null, weighted: 'b' })).toBe(
      'default chain · b by weight',
    );
  });

  it('survives the store: the JSON column back to the choice; junk and old rows read as none', () => {
    expect(parseRouteChoice(JSON.stringify(kept))).toEqual(kept);
    expect(parseRouteChoice(null)).toBeNull();
    expect(parseRouteChoice('not json')).toBeNull();
    expect(parseRouteChoice('{"route":{"index":"x"},"affinity":3}')).toEqual({
      route: null,
      affinity: null,
      weighted: null,
    });
  });

  it('a request-routed event marks the live row, and the stored row keeps it after a reload', () => {
    const t = new LiveTable();
    const id = rid(7);
    t.applyEvents([
      {
        type: 'request-started',
        requestId: id,
        at: 1_000,
        format: 'anthropic',
        model: 'claude-haiku-4',
        client: 'claude-code',
        stream: true,
      },
      { type: 'request-routed', requestId: id, at: 1_001, choice: kept },
    ]);
    expect(t.snapshot().rows[0]?.routing).toEqual(kept);
    const reloaded = rowFromUsage(usageRow(id, 1_000, { route: kept }));
    expect(reloaded.routing).toEqual(kept);
    expect(rowFromUsage(usageRow(id, 1_000), t.snapshot().rows[0]).routing).toEqual(kept);
  });
});

describe("a provider's weight in the Providers form", () => {
  const base = {
    id: 'p',
    kind: 'anthropic',
    baseUrl: 'https://api.anthropic.com',
    priority: 2,
    enabled: true,
    models: {},
    headers: {},
    hasKey: false,
    keyPreview: null,
    keys: [],
    builtin: false,
    health: {
      state: 'closed',
      samples: 0,
      failures: 0,
      consecutiveFailures: 0,
      lastError: null,
      openForMs: 0,
      cooldownForMs: 0,
      credentialsProblem: null,
    },
  } satisfies ProviderView;

  it('is read into the form and saved back, so an edit never drops it; empty sets none', () => {
    const weighted: ProviderView = { ...base, weight: 3 };
    expect(formFrom(weighted).weight).toBe('3');
    const kept = toInput(formFrom(weighted), weighted, 1);
    expect(kept.ok && kept.input.weight).toBe(3);
    const cleared = toInput({ ...formFrom(weighted), weight: '' }, weighted, 1);
    expect(cleared.ok && 'weight' in cleared.input).toBe(false);
    const bad = toInput(
      { ...emptyForm('anthropic'), id: 'n', baseUrl: 'https://x.example', weight: '1.5' },
      null,
      1,
    );
    expect(bad.ok ? null : bad.errors.weight).toBe('a whole number');
  });
});
