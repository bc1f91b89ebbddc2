import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadWindowState, saveWindowState, type WindowState } from '../../../src/main/shell/window-state';

const FALLBACK: WindowState = { width: 1100, height: 720, maximized: false };
const LAPTOP = { x: 0, y: 0, width: 1440, height: 900 };
const MONITOR = { x: 1440, y: 0, width: 2560, height: 1440 };

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-window-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('window state', () => {
  it('restores what was saved', () => {
    const dir = tmp();
    const state = { x: 1600, y: 100, width: 1200, height: 800, maximized: true };
    saveWindowState(dir, state);
    expect(loadWindowState(dir, [LAPTOP, MONITOR], FALLBACK)).toEqual(state);
  });

  it('opens centred when the display it was on is gone, clamped to the largest display', () => {
    const dir = tmp();
    saveWindowState(dir, { x: 1600, y: 100, width: 2400, height: 1300, maximized: false });
    expect(loadWindowState(dir, [LAPTOP], FALLBACK)).toEqual({ width: 1440, height: 900, maximized: false });
  });

  it('falls back when there is no file or it is not a window state', () => {
    const dir = tmp();
    expect(loadWindowState(dir, [LAPTOP], FALLBACK)).toEqual(FALLBACK);
    fs.writeFileSync(path.join(dir, 'window-state.json'), '{"width":"wide"');
    expect(loadWindowState(dir, [LAPTOP], FALLBACK)).toEqual(FALLBACK);
    fs.writeFileSync(path.join(dir, 'window-state.json'), '{"width":10,"height":10}');
    expect(loadWindowState(dir, [LAPTOP], FALLBACK)).toEqual(FALLBACK);
  });
});
