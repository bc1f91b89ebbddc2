/**
 * Smoothing, per format: how one upstream text-delta event becomes several smaller ones that a
 * client reassembles into the same message. Terminal fields only on the last piece, role only on
 * the first, never a piece boundary inside a grapheme cluster.
 */
export interface TextSplitter {
  /**
   * One upstream event. Returns null to send its bytes unchanged, or the frames (each a complete
   * `event:`/`data:` block ending in a blank line) to send instead, with `pieces` > 1 when a text
   * delta was split.
   */
  split(
    event: string | undefined,
    data: string,
    maxGraphemes: number,
    /** The whole frame as it came, for splitters that patch an event rather than rebuild it. */
    raw?: string,
  ): { frames: string[]; pieces: number } | null;
}

/** Renders an SSE frame. */
export function frame(data: unknown, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;
}
