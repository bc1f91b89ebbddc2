import { describe, expect, it } from 'vitest';
import {
  draftFrom,
  keyMove,
  messageFor,
  moveItem,
  parseGlobs,
  routeFrom,
} from '../../../src/renderer/src/features/routes/routes-model';

describe('routes editor model', () => {
  it('splits globs on commas and spaces and round-trips a route', () => {
    expect(parseGlobs(' claude-haiku-*,deepseek-*  glm-4.6 ,, ')).toEqual([
      'claude-haiku-*',
      'deepseek-*',
      'glm-4.6',
    ]);
    const route = { models: ['a-*', 'b'], providers: ['x', 'y'], balance: 'weighted' as const };
    expect(routeFrom(draftFrom(route))).toEqual({ ok: true, route });
    expect(routeFrom(draftFrom({ models: ['a'], providers: ['x'] }))).toEqual({
      ok: true,
      route: { models: ['a'], providers: ['x'] },
    });
  });

  it('names the field a draft lacks', () => {
    expect(routeFrom({ globs: ' , ', providers: ['x'], balance: 'order' })).toMatchObject({
      ok: false,
      field: 'globs',
    });
    expect(routeFrom({ globs: 'a', providers: [], balance: 'order' })).toMatchObject({
      ok: false,
      field: 'providers',
    });
  });

  it('moves items by drag index or by Alt+arrow, and only with Alt', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
    expect(keyMove({ altKey: true, key: 'ArrowUp' }, 3)).toBe(2);
    expect(keyMove({ altKey: true, key: 'ArrowDown' }, 3)).toBe(4);
    expect(keyMove({ altKey: false, key: 'ArrowDown' }, 3)).toBeNull();
    expect(keyMove({ altKey: true, key: 'Enter' }, 3)).toBeNull();
  });

  it("says the server's message of the route being edited without its index", () => {
    expect(messageFor('routes[2].providers[0]: no provider "x"', 2)).toBe('providers[0]: no provider "x"');
    expect(messageFor('routes[1].models: at least one', 2)).toBe('routes[1].models: at least one');
  });
});
