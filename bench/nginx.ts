import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * nginx as the bench's floor: Debian's nginx-light, started by the bench with a config of its own in a
 * temp dir (pid file, temp paths and all), so no root and no system config is involved.
 */

/** Where Debian puts it; `BENCH_NGINX=/path/to/nginx` points elsewhere. */
export const NGINX_BIN = process.env.BENCH_NGINX ?? '/usr/sbin/nginx';

/**
 * One worker, like the Node proxies' one event loop: CPU per event and latency then compare one loop
 * with another, and on 2 cores shared with the load generator and the upstream a second worker would
 * only compete for them. `BENCH_NGINX_WORKERS=auto` measures nginx as Debian ships it.
 */
export const NGINX_WORKERS = process.env.BENCH_NGINX_WORKERS ?? '1';

export interface NginxConfig {
  /** The temp dir holding the config, the pid file and the temp paths. */
  dir: string;
  listenPort: number;
  upstreamPort: number;
  workers: string;
}

/**
 * The whole nginx.conf: a streaming reverse proxy (`proxy_buffering off`, HTTP/1.1 with kept-alive
 * upstream connections), no access log, in the foreground, every path it writes inside `dir`.
 */
export function nginxConfig(c: NginxConfig): string {
  const at = (name: string): string => path.join(c.dir, name);
  return `# Written by Sluice's bench (bench/nginx.ts).
worker_processes ${c.workers};
daemon off;
pid ${at('nginx.pid')};
error_log stderr warn;
worker_rlimit_nofile 16384;
events {
  worker_connections 8192;
}
http {
  access_log off;
  client_body_temp_path ${at('body')};
  proxy_temp_path ${at('proxy')};
  fastcgi_temp_path ${at('fastcgi')};
  uwsgi_temp_path ${at('uwsgi')};
  scgi_temp_path ${at('scgi')};
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  upstream upstream_bench {
    server 127.0.0.1:${c.upstreamPort};
    keepalive 1024;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${c.listenPort};
    location / {
      proxy_pass http://upstream_bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
`;
}

/** Writes the config into `c.dir` and returns its path. */
export function writeNginxConfig(c: NginxConfig): string {
  const file = path.join(c.dir, 'nginx.conf');
  fs.writeFileSync(file, nginxConfig(c));
  return file;
}

/** A port free right now on 127.0.0.1 (nginx cannot listen on port 0 and tell us which it got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

/** Resolves once something accepts connections on `port`; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on :${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
