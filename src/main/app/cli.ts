import { parseArgs } from 'node:util';
import path from 'node:path';
import { startApp } from './app';
import { defaultDataDir } from '../config/data-dir';
import { API_TOKEN_FILE } from '../config/local-token';
import { runUsageCommand, stdoutSink } from './usage-command';
import { SETUP_USAGE, UsageError, runSetupCommand } from '../setup/command';

const USAGE = `Usage:
  sluice serve [--port N] [--host H] [--data-dir DIR] [--config FILE]
  sluice usage [--since ISO] [--until ISO] [--json|--csv] [--group-by day|model|provider|client] [--utc]
               [--limit N] [--data-dir DIR]
${SETUP_USAGE}`;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function parsePort(raw: string): number {
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0–65535, got "${raw}"`);
  return port;
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      // Not given → the port saved in Settings, else 8787 (startApp decides).
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? undefined : parsePort(values.port);
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const app = await startApp({
    dataDir,
    ...(values.config === undefined ? {} : { configFile: path.resolve(values.config) }),
    ...(port === undefined ? {} : { port }),
    host: values.host,
    // Bundled to out/headless/cli.js; `npm run serve` builds the renderer into out/renderer beside it.
    dashboardDir: path.join(__dirname, '../renderer'),
  });
  process.stdout.write(`Sluice listening on ${app.url}\n`);
  process.stdout.write(`Sluice dashboard: ${app.url}/_sluice/?token=${app.token}\n`);
  if (!LOOPBACK.has(values.host)) {
    process.stderr.write(
      `Sluice: reachable beyond this machine on ${values.host}; API clients must send the API token (${path.join(dataDir, API_TOKEN_FILE)}) as their API key\n`,
    );
  }
  await new Promise<void>((resolve) => {
    let closing = false;
    const stop = (signal: string): void => {
      if (closing) {
        process.stderr.write(`Sluice: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      closing = true;
      process.stderr.write(`Sluice: ${signal}, finishing in-flight requests…\n`);
      app.close().then(resolve, (err: unknown) => {
        process.stderr.write(`Sluice: shutdown error: ${String(err)}\n`);
        resolve();
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'usage':
      return runUsageCommand(rest, stdoutSink());
    case 'setup':
      try {
        return runSetupCommand(rest, {
          out: (s) => process.stdout.write(s),
          err: (s) => process.stderr.write(s),
          env: process.env,
          now: () => new Date(),
        });
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`sluice: ${err.message}\n${USAGE}\n`);
        return 2;
      }
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`sluice: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sluice: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
