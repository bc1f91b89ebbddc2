import { describe, expect, it } from 'vitest';
import { DashboardSessions, MAX_SESSIONS, SESSION_IDLE_MS } from '../../../src/main/control/http-auth';

const ORIGIN = 'http://127.0.0.1:8787';

describe('dashboard sessions', () => {
  it('are bound to the origin they were made for', () => {
    const sessions = new DashboardSessions();
    const s = sessions.create(ORIGIN);
    expect(sessions.use(s, ORIGIN)).not.toBeNull();
    expect(sessions.use(s, 'http://127.0.0.1:9999')).toBeNull();
    expect(sessions.use(s, undefined)).toBeNull();
    expect(sessions.use(`${s}0`, ORIGIN)).toBeNull();
    expect(sessions.use('', ORIGIN)).toBeNull();
  });

  it('end after an hour unused, unless a push stream holds them open', () => {
    let now = 0;
    const sessions = new DashboardSessions(() => now);
    const idle = sessions.create(ORIGIN);
    const watched = sessions.create(ORIGIN);
    const release = sessions.hold(sessions.use(watched, ORIGIN)!);
    now += SESSION_IDLE_MS - 1;
    expect(sessions.use(idle, ORIGIN)).not.toBeNull();
    now += SESSION_IDLE_MS + 1;
    expect(sessions.use(idle, ORIGIN)).toBeNull();
    expect(sessions.use(watched, ORIGIN)).not.toBeNull();
    release();
    now += SESSION_IDLE_MS + 1;
    expect(sessions.use(watched, ORIGIN)).toBeNull();
  });

  it('keep at most MAX_SESSIONS, ending the least recently used, and all end at once on clear', () => {
    let now = 0;
    const sessions = new DashboardSessions(() => now);
    const first = sessions.create(ORIGIN);
    const all = [first];
    for (let i = 1; i < MAX_SESSIONS; i++) {
      now++;
      all.push(sessions.create(ORIGIN));
    }
    now++;
    sessions.use(first, ORIGIN);
    now++;
    sessions.create(ORIGIN);
    expect(sessions.size).toBe(MAX_SESSIONS);
    expect(sessions.use(first, ORIGIN)).not.toBeNull();
    expect(sessions.use(all[1], ORIGIN)).toBeNull();
    sessions.clear();
    expect(sessions.use(first, ORIGIN)).toBeNull();
  });
});
