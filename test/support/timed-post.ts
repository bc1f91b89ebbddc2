import http from 'node:http';

/** What a raw client saw: status, headers, the exact body, and when (ms after sending) each chunk arrived. */
export interface TimedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  chunks: { atMs: number; bytes: Buffer }[];
}

/** POSTs `body` to Sluice and reads the whole answer, timing each chunk's arrival. */
export function timedPost(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<TimedResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: { atMs: number; bytes: Buffer }[] = [];
        res.on('data', (c: Buffer) => chunks.push({ atMs: performance.now() - started, bytes: c }));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks.map((c) => c.bytes)),
            chunks,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** When (ms after sending) the client held `needle` whole, or null if it never did. */
export function arrivalOf(r: TimedResponse, needle: string): number | null {
  let seen = Buffer.alloc(0);
  for (const c of r.chunks) {
    seen = Buffer.concat([seen, c.bytes]);
    if (seen.includes(needle)) return c.atMs;
  }
  return null;
}
