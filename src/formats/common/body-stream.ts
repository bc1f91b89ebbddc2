/** Whether a request body asks for a stream (`"stream": true`), as Chat, Responses and Messages do. */
export function bodyStreams(_route: unknown, json: Readonly<Record<string, unknown>> | null): boolean {
  return json?.stream === true;
}
