import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../../src/main/proxy/intake';

describe('request ids', () => {
  it('are 128-bit hex, distinct across pool refills', () => {
    const ids = Array.from({ length: 1000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
