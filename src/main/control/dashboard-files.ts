import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

/**
 * The dashboard's policy, sent as a header (the built page's <meta> says the same; a header also
 * covers what a meta tag cannot: framing, base-uri, form targets).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Headers every dashboard response carries. */
export function dashboardHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/**
 * The file under `root` that `relPath` (the part after `/_sluice/`) names, or null when it would leave
 * `root` or is not a plain path. Paths without an extension are the SPA's own routes: index.html.
 */
export function resolveDashboardFile(root: string, relPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const rel = decoded === '' || path.posix.extname(decoded) === '' ? 'index.html' : decoded;
  const full = path.resolve(root, rel);
  return full.startsWith(path.resolve(root) + path.sep) ? full : null;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...dashboardHeaders('text/plain; charset=utf-8'), 'cache-control': 'no-store' });
  res.end(text);
}

/** Serves one file of the built renderer (GET or HEAD), with the CSP and no caching of the page itself. */
export async function serveDashboardFile(
  root: string | undefined,
  relPath: string,
  head: boolean,
  res: ServerResponse,
): Promise<void> {
  if (root === undefined || !fs.existsSync(path.join(root, 'index.html'))) {
    sendText(res, 503, 'The Sluice dashboard is not built here (npm run serve builds it).');
    return;
  }
  const file = resolveDashboardFile(root, relPath);
  if (file === null) {
    sendText(res, 404, 'Not found');
    return;
  }
  let body: Buffer;
  try {
    body = await fs.promises.readFile(file);
  } catch {
    sendText(res, 404, 'Not found');
    return;
  }
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  // Vite names what it puts in assets/ by content hash, so those may be cached for good; the page names
  // them, so it must not be.
  const hashed = path.relative(root, file).split(path.sep)[0] === 'assets';
  const cache = file.endsWith('.html')
    ? 'no-store'
    : hashed
      ? 'private, max-age=31536000, immutable'
      : 'no-cache';
  res.writeHead(200, {
    ...dashboardHeaders(type),
    'cache-control': cache,
    'content-length': String(body.length),
  });
  res.end(head ? undefined : body);
}
