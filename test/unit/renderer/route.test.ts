import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, screenForKey } from '../../../src/renderer/src/lib/route';

describe('renderer routes', () => {
  it('reads and writes the hash, keeping the inspected request', () => {
    const id = 'a'.repeat(32);
    expect(parseHash(`#/inspector/${id}`)).toEqual({ screen: 'inspector', requestId: id });
    expect(parseHash('#/usage')).toEqual({ screen: 'usage', requestId: null });
    expect(parseHash('')).toEqual({ screen: 'live', requestId: null });
    expect(parseHash('#/nope/xyz')).toEqual({ screen: 'live', requestId: null });
    expect(parseHash('#/inspector/not-an-id')).toEqual({ screen: 'inspector', requestId: null });
    expect(formatHash({ screen: 'inspector', requestId: id })).toBe(`#/inspector/${id}`);
    expect(formatHash({ screen: 'settings', requestId: id })).toBe('#/settings');
  });

  it('maps 1–6 to the screens in order', () => {
    expect(['1', '2', '3', '4', '5', '6'].map(screenForKey)).toEqual([
      'live',
      'inspector',
      'usage',
      'providers',
      'settings',
      'setup',
    ]);
    expect(screenForKey('7')).toBeNull();
    expect(screenForKey('0')).toBeNull();
    expect(screenForKey('j')).toBeNull();
  });
});
