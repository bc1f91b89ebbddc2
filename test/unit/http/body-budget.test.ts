import { afterEach, describe, expect, it, vi } from 'vitest';
import { BodyBudget } from '../../../src/main/http/body-budget';

describe('BodyBudget', () => {
  afterEach(() => vi.useRealTimers());

  it('grants at once while there is room, and a body larger than the allowance only when alone', async () => {
    const b = new BodyBudget();
    expect(await b.take(60, 100, 0)).toBe(60);
    expect(await b.take(40, 100, 0)).toBe(40);
    expect(await b.take(1, 100, 0)).toBeNull();
    b.release(100);
    expect(await b.take(500, 100, 0)).toBe(100); // alone: takes the whole allowance
    expect(b.tryTake(1, 100)).toBe(false);
    b.release(100);
    expect(b.held).toBe(0);
  });

  it('serves waiters first come, first served, and gives up on one after its wait', async () => {
    vi.useFakeTimers();
    const b = new BodyBudget();
    await b.take(80, 100, 0);
    const big = b.take(50, 100, 1_000);
    const small = b.take(10, 100, 5_000);
    expect(b.tryTake(5, 100)).toBe(false); // someone waits: no jumping the line
    expect(b.waiting).toBe(2);
    b.release(80);
    expect(await big).toBe(50);
    expect(await small).toBe(10);
    const late = b.take(60, 100, 1_000);
    vi.advanceTimersByTime(1_000);
    expect(await late).toBeNull();
    expect(b.waiting).toBe(0);
    expect(b.held).toBe(60);
  });

  it('lets smaller waiters through once a larger one ahead of them gave up', async () => {
    vi.useFakeTimers();
    const b = new BodyBudget();
    await b.take(50, 100, 0);
    const big = b.take(90, 100, 100);
    const small = b.take(20, 100, 10_000);
    vi.advanceTimersByTime(100);
    expect(await big).toBeNull();
    expect(await small).toBe(20);
  });
});
