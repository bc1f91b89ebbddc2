/** Renders an SSE frame: an optional `event:` line, one `data:` line of JSON, a blank line. */
export function frame(data: unknown, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;
}
