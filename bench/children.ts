import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, NGINX_BIN, NGINX_WORKERS, waitForPort, writeNginxConfig } from './nginx';
import { childPids } from './proc-stats';
import { isReadyMessage, type StreamMode } from './sse-script';
import { scripts } from '../package.json';

/**
 * The Node flags `npm run serve` starts the gateway with (read from package.json, so the bench runs
 * Sluice exactly as users do). `--max-semi-space-size=4` caps V8's young generation at 4 MB per
 * semi-space: a proxy holding hundreds of idle streams otherwise lets it grow to 16 MB each on a burst
 * of new requests and keeps that memory, for no CPU gain the flat-out phase can measure.
 */
export function servedNodeFlags(): string[] {
  const m = /\bnode ((?:--\S+ )*)out\/headless\/cli\.js serve\b/.exec(scripts.serve);
  if (m === null) throw new Error('package.json "serve" no longer runs `node … out/headless/cli.js serve`');
  return m[1]!.split(' ').filter((f) => f !== '');
}

/** A server the bench started, in its own process so its CPU and memory can be read alone. */
export interface Server {
  name: string;
  pid: number;
  /** Every process whose CPU and memory count as this server's: `pid`, and nginx's workers. */
  pids: number[];
  port: number;
  proc: ChildProcess;
  /** The last lines it wrote to stderr. */
  stderr: string[];
  /** Sluice's dashboard link (`/_sluice/?token=…`); empty for the other servers. */
  dashboardUrl: string;
  /** Set when it exited before we asked it to. */
  died: string | null;
  /** We asked it to exit: an exit from now on is no death. */
  stopping: boolean;
}

const STDERR_LINES = 40;
const START_TIMEOUT_MS = 20_000;

/** Starts, watches and always stops the bench's child processes, and removes Sluice's temp dir. */
export class Children {
  private readonly servers: Server[] = [];
  private readonly tempDirs: string[] = [];
  private modeSeq = 0;

  /** Forks this same bench bundle in `role` and waits for its `ready` message. */
  async forkRole(role: 'upstream' | 'bare' | 'naive', args: string[] = []): Promise<Server> {
    // BENCH_BARE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/bare" profiles the bare proxy, for a side-by-side.
    const flags = role === 'bare' ? (process.env.BENCH_BARE_NODE_ARGS ?? '').split(' ') : [];
    const proc = fork(__filename, [role, ...args], {
      execArgv: flags.filter((a) => a !== ''),
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const server = this.track(role, proc);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} did not start`)), START_TIMEOUT_MS);
      proc.on('message', (m: unknown) => {
        if (!isReadyMessage(m)) return;
        clearTimeout(timer);
        resolve(m.port);
      });
      proc.once('exit', (code) => reject(new Error(`${role} exited (${code}): ${server.stderr.join('\n')}`)));
    });
    server.port = port;
    return server;
  }

  /**
   * Spawns the real gateway (`cli.js serve`) against the fake upstream, with a temp data dir;
   * `settings` are added to its config's, `provider` to its one provider's (e.g. a `models` map).
   */
  async spawnSluice(
    upstreamPort: number,
    settings: Record<string, unknown> = {},
    provider: Record<string, unknown> = {},
  ): Promise<Server> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
    this.tempDirs.push(dir);
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        providers: [
          {
            id: 'fake',
            kind: 'openai',
            baseUrl: `http://127.0.0.1:${upstreamPort}/v1`,
            apiKey: 'sk-bench',
            priority: 1,
            ...provider,
          },
        ],
        // Sluice's defaults, as users run it (BENCH_SLUICE_SETTINGS adds to them).
        settings,
      }),
    );
    const cli = path.join(__dirname, 'cli.js');
    // BENCH_SLUICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the gateway while it is measured.
    const nodeArgs = (process.env.BENCH_SLUICE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const args = [
      ...servedNodeFlags(),
      ...nodeArgs,
      cli,
      'serve',
      '--port',
      '0',
      '--data-dir',
      path.join(dir, 'data'),
      '--config',
      config,
    ];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = this.track('sluice', proc);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Sluice printed no "listening" line in ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      let out = '';
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const m = /Sluice listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        // The dashboard's line (with its token) follows the listening one in the same turn.
        const d = /Sluice dashboard: (\S+)/.exec(out);
        if (m === null || d === null) return;
        clearTimeout(timer);
        server.dashboardUrl = d[1]!;
        resolve(Number(m[1]));
      });
      proc.once('exit', (code) =>
        reject(new Error(`Sluice exited (${code}) before listening:\n${server.stderr.join('\n')}`)),
      );
    });
    server.port = port;
    return server;
  }

  /**
   * nginx (master and workers) relaying to the fake upstream, with a generated config in a temp dir;
   * null when no nginx is installed.
   */
  async startNginx(upstreamPort: number): Promise<Server | null> {
    if (!fs.existsSync(NGINX_BIN)) return null;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-nginx-'));
    this.tempDirs.push(dir);
    const port = await freePort();
    const config = writeNginxConfig({ dir, listenPort: port, upstreamPort, workers: NGINX_WORKERS });
    const proc = spawn(NGINX_BIN, ['-p', dir, '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    const server = this.track('nginx', proc);
    const exited = new Promise<never>((_resolve, reject) =>
      proc.once('exit', (code) => reject(new Error(`nginx exited (${code}): ${server.stderr.join('\n')}`))),
    );
    // Only the race below needs the rejection: a later exit (our own SIGTERM) must not go unhandled.
    exited.catch(() => undefined);
    await Promise.race([waitForPort(port, START_TIMEOUT_MS), exited]);
    server.port = port;
    // The workers are forked by the master just before it listens: wait until they show.
    const want = NGINX_WORKERS === 'auto' ? os.cpus().length : Number(NGINX_WORKERS);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (childPids(server.pid).length < want && Date.now() < deadline) await sleep(50);
    server.pids = [server.pid, ...childPids(server.pid)];
    return server;
  }

  /** Sets the upstream's stream shape and waits until it has taken it. */
  setMode(upstream: Server, mode: StreamMode): Promise<void> {
    const seq = ++this.modeSeq;
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        if (typeof m !== 'object' || m === null) return;
        const msg = m as { type?: unknown; seq?: unknown };
        if (msg.type !== 'mode-ok' || msg.seq !== seq) return;
        upstream.proc.off('message', onMessage);
        resolve();
      };
      upstream.proc.on('message', onMessage);
      if (!upstream.proc.send({ type: 'mode', seq, mode })) reject(new Error('upstream IPC is closed'));
    });
  }

  /** When the upstream wrote each frame of the streams tagged `tags` (wall-clock ms), by tag; forgets them. */
  sentTimes(upstream: Server, tags: readonly number[]): Promise<Record<string, number[]>> {
    const seq = ++this.modeSeq;
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        if (typeof m !== 'object' || m === null) return;
        const msg = m as { type?: unknown; seq?: unknown; times?: unknown };
        if (msg.type !== 'sent-times-ok' || msg.seq !== seq) return;
        upstream.proc.off('message', onMessage);
        resolve(msg.times as Record<string, number[]>);
      };
      upstream.proc.on('message', onMessage);
      if (!upstream.proc.send({ type: 'sent-times', seq, tags })) reject(new Error('upstream IPC is closed'));
    });
  }

  /** Ends every held stream of the current mode (see `StreamMode.hold`). */
  release(upstream: Server): void {
    upstream.proc.send({ type: 'release' });
  }

  /** The first child that died on its own, described; null when all live. */
  deaths(): string | null {
    const dead = this.servers.find((s) => s.died !== null);
    return dead === undefined ? null : `${dead.name} ${dead.died}:\n${dead.stderr.join('\n')}`;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended and how long that took. */
  async stop(server: Server, graceMs = 8_000): Promise<{ how: string; ms: number }> {
    const started = Date.now();
    const { proc } = server;
    if (proc.exitCode !== null || proc.signalCode !== null) return { how: 'already exited', ms: 0 };
    const exited = new Promise<string>((resolve) =>
      proc.once('exit', (code, signal) => resolve(signal === null ? `exit ${code}` : signal)),
    );
    server.stopping = true;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    const how = await exited;
    clearTimeout(timer);
    return { how, ms: Date.now() - started };
  }

  /** Last resort on any exit path: SIGKILL whatever still runs, remove temp dirs. Synchronous. */
  killAllNow(): void {
    for (const s of this.servers) {
      if (s.proc.exitCode !== null || s.proc.signalCode !== null) continue;
      s.stopping = true;
      s.proc.kill('SIGKILL');
      // nginx's workers outlive a killed master: they go too.
      for (const pid of s.pids.slice(1)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    this.removeTempDirs();
  }

  removeTempDirs(): void {
    for (const dir of this.tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }

  private track(name: string, proc: ChildProcess): Server {
    if (proc.pid === undefined) throw new Error(`${name}: spawn failed`);
    const server: Server = {
      name,
      pid: proc.pid,
      pids: [proc.pid],
      port: 0,
      dashboardUrl: '',
      proc,
      stderr: [],
      died: null,
      stopping: false,
    };
    let partial = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      server.stderr.push(...lines);
      if (server.stderr.length > STDERR_LINES) server.stderr.splice(0, server.stderr.length - STDERR_LINES);
    });
    proc.once('exit', (code, signal) => {
      if (!server.stopping) server.died = `exited on its own (${signal ?? `code ${code}`})`;
    });
    this.servers.push(server);
    return server;
  }
}
