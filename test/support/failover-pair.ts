import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { AttemptRecord, UsageRow } from '../../src/shared/usage';
import { ScriptedUpstream, pairProviders, type RawResponse } from './fault-upstream';
import type { FormatKit } from './format-kits';
import { startSluice, type TestSluice } from './sluice';

/** Two scripted upstreams, A and B, and a Sluice with `<kind>-a` (priority 1) and `<kind>-b` (2) for every kind. */
export interface Pair {
  a: ScriptedUpstream;
  b: ScriptedUpstream;
  sluice: TestSluice;
}

/**
 * Registers the hooks of the enclosing describe block: starts the pair (plus `extra` providers) once,
 * resets provider health before each test, closes everything after. Fields are set once beforeAll ran.
 */
export function usePair(
  settings: Record<string, unknown>,
  extra: () => Promise<Record<string, unknown>[]> = () => Promise.resolve([]),
): Pair {
  const pair = {} as Pair;
  beforeAll(async () => {
    pair.a = await new ScriptedUpstream().start();
    pair.b = await new ScriptedUpstream().start();
    pair.sluice = await startSluice({
      providers: [...pairProviders(pair.a, pair.b), ...(await extra())],
      settings,
    });
  });
  afterAll(async () => {
    await pair.sluice.close();
    await pair.a.close();
    await pair.b.close();
  });
  beforeEach(() => {
    pair.sluice.app.gateway.health.reset();
  });
  return pair;
}

/** The finished row of a response (by its `x-sluice-request-id`) and its attempt records. */
export async function attemptsOf(
  sluice: TestSluice,
  res: RawResponse,
): Promise<{ row: UsageRow; attempts: AttemptRecord[] }> {
  const id = res.headers['x-sluice-request-id'];
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  const row = await sluice.row((r) => r.requestId === id);
  return { row, attempts: sluice.app.attempts.forRequest(String(id)) };
}

/** The client got exactly B's `kit.stream('from B')`; A failed once with `reason` (in `phase`); B committed. */
export async function expectServedByB(
  sluice: TestSluice,
  kit: FormatKit,
  res: RawResponse,
  reason: string | RegExp,
  phase?: string,
): Promise<void> {
  expect(res.status).toBe(200);
  expect(res.text).toBe(kit.stream('from B'));
  expect(res.headers['x-sluice-attempts']).toBe('2');
  const { row, attempts } = await attemptsOf(sluice, res);
  expect(row).toMatchObject({
    status: 'completed',
    provider: `${kit.kind}-b`,
    httpStatus: 200,
    usageProvenance: 'reported',
    ...kit.usage,
  });
  const real = attempts.filter((x) => x.outcome !== 'skipped');
  expect(real.map((x) => [x.provider, x.outcome])).toEqual([
    [`${kit.kind}-a`, 'failed'],
    [`${kit.kind}-b`, 'committed'],
  ]);
  expect(real[0]!.reason).toMatch(reason);
  if (phase !== undefined) expect(real[0]!.phase).toBe(phase);
}
