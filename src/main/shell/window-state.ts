import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeAtomic } from '../config/atomic-file';

/** Where the window was last: its normal (unmaximised) bounds and whether it was maximised. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** A display's usable area, as Electron's `screen.getAllDisplays()[i].workArea` gives it. */
export interface WorkArea {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const WINDOW_STATE_FILE = 'window-state.json';
/** A restored window must show at least this much of itself on some display, in px. */
const MIN_VISIBLE_PX = 64;

const StateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(200).max(100_000),
  height: z.number().int().min(150).max(100_000),
  maximized: z.boolean().default(false),
});

function overlap(a: WorkArea, b: WorkArea): { w: number; h: number } {
  return {
    w: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    h: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * The saved state, or `fallback` when there is none or it is unreadable. A position that no longer
 * lands on any display (a monitor was unplugged) is dropped, so the window opens centred instead of
 * off-screen; a size larger than every display is clamped to the largest.
 */
export function loadWindowState(
  dir: string,
  displays: readonly WorkArea[],
  fallback: WindowState,
): WindowState {
  let parsed: WindowState;
  try {
    const result = StateSchema.safeParse(
      JSON.parse(fs.readFileSync(path.join(dir, WINDOW_STATE_FILE), 'utf8')),
    );
    if (!result.success) return fallback;
    parsed = result.data;
  } catch {
    return fallback;
  }
  const widest = displays.length > 0 ? Math.max(...displays.map((d) => d.width)) : Infinity;
  const tallest = displays.length > 0 ? Math.max(...displays.map((d) => d.height)) : Infinity;
  const state: WindowState = {
    width: Math.min(parsed.width, widest),
    height: Math.min(parsed.height, tallest),
    maximized: parsed.maximized,
  };
  if (parsed.x === undefined || parsed.y === undefined) return state;
  const rect = { x: parsed.x, y: parsed.y, width: state.width, height: state.height };
  const visible = displays.some((d) => {
    const o = overlap(rect, d);
    return o.w >= MIN_VISIBLE_PX && o.h >= MIN_VISIBLE_PX;
  });
  return visible ? { ...state, x: parsed.x, y: parsed.y } : state;
}

/** Saves the state (written beside and renamed over, so a crash mid-write never leaves a broken file). */
export function saveWindowState(dir: string, state: WindowState): void {
  writeAtomic(path.join(dir, WINDOW_STATE_FILE), `${JSON.stringify(state)}\n`, 0o644);
}
