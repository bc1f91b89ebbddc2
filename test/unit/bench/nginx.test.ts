import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Children } from '../../../bench/children';
import { NGINX_BIN, nginxConfig, writeNginxConfig } from '../../../bench/nginx';

const haveNginx = fs.existsSync(NGINX_BIN);

describe('the bench nginx baseline', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('writes a streaming proxy config with every writable path inside its own dir', () => {
    const text = nginxConfig({ dir: '/tmp/x', listenPort: 1001, upstreamPort: 1002, workers: '1' });
    expect(text).toContain('proxy_buffering off;');
    expect(text).toContain('proxy_http_version 1.1;');
    expect(text).toContain('proxy_set_header Connection "";');
    expect(text).toMatch(/upstream upstream_bench \{\s+server 127\.0\.0\.1:1002;\s+keepalive \d+;/);
    expect(text).toContain('listen 127.0.0.1:1001;');
    expect(text).toContain('access_log off;');
    expect(text).toContain('daemon off;');
    expect(text).toContain('worker_processes 1;');
    for (const m of text.matchAll(/(?:pid|_temp_path) (\S+);/g))
      expect(m[1]!.startsWith('/tmp/x/')).toBe(true);
  });

  it.skipIf(!haveNginx)('is a config nginx accepts, without root', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-conf-test-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = writeNginxConfig({ dir, listenPort: 1, upstreamPort: 2, workers: '1' });
    // -t parses, opens the pid/temp paths and logs; it throws on a non-zero exit.
    execFileSync(NGINX_BIN, ['-t', '-q', '-p', dir, '-c', file], { stdio: 'pipe' });
  });

  it.skipIf(!haveNginx)(
    'relays a stream chunk by chunk, and reports its worker among its processes',
    async () => {
      let sendRest = (): void => undefined;
      const upstream = http.createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        sendRest = () => res.end('data: two\n\n');
      });
      await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
      cleanups.push(() => new Promise<void>((r) => upstream.close(() => r())));
      const children = new Children();
      cleanups.push(() => children.killAllNow());
      const nginx = await children.startNginx((upstream.address() as { port: number }).port);
      expect(nginx).not.toBeNull();
      expect(nginx!.pids.length).toBe(2);

      const body = await new Promise<string>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: nginx!.port, method: 'POST', path: '/v1/x' },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => {
              // The first event arrives while the upstream still holds the second: nothing was buffered.
              if (text === '') sendRest();
              text += c;
            });
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
      expect(body).toBe('data: one\n\ndata: two\n\n');
      const stop = await children.stop(nginx!);
      expect(stop.how).not.toBe('SIGKILL');
      for (const pid of nginx!.pids) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    },
  );
});
