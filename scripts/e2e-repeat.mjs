#!/usr/bin/env node
// `npm run test:e2e:repeat [-- --times N] [--hogs K] [files…]`: runs the end-to-end files (default
// test/e2e/) with vitest N times in a row (default 10) and stops at the first failing run, saying which
// run failed; the failing run's own output names the test. `--hogs K` keeps K busy-looping processes
// running meanwhile, as a loaded machine would, to shake out tests that wait for time, not for state.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { times: { type: 'string', default: '10' }, hogs: { type: 'string', default: '0' } },
});
const times = Number(values.times);
const hogs = Number(values.hogs);
if (!Number.isInteger(times) || times < 1 || times > 1000)
  fail(`--times must be 1–1000, got ${values.times}`);
if (!Number.isInteger(hogs) || hogs < 0 || hogs > 64) fail(`--hogs must be 0–64, got ${values.hogs}`);
const files = positionals.length > 0 ? positionals : ['test/e2e/'];

function fail(line) {
  process.stderr.write(`e2e-repeat: ${line}\n`);
  process.exit(2);
}

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

// Each hog is its own process, ended by its pid when the runs are over (or this script is stopped).
const hogProcs = Array.from({ length: hogs }, () => {
  const hog = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  // A running hog must not keep this script alive once the runs are over (exit kills it).
  hog.unref();
  return hog;
});
const stopHogs = () => {
  for (const h of hogProcs) h.kill('SIGKILL');
};
process.on('exit', stopHogs);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const started = Date.now();
const took = [];
for (let run = 1; run <= times; run++) {
  const t0 = Date.now();
  process.stdout.write(`e2e-repeat: run ${run}/${times}${hogs > 0 ? ` (with ${hogs} CPU hogs)` : ''}\n`);
  const r = spawnSync(process.execPath, [vitest, 'run', ...files], { cwd: root, stdio: 'inherit' });
  const ms = Date.now() - t0;
  took.push(ms);
  if (r.status !== 0) {
    const why = r.status === null ? `killed by ${r.signal}` : `exit ${r.status}`;
    process.stderr.write(
      `e2e-repeat: FAILED on run ${run} of ${times} after ${secs(ms)} (${why}); ${run - 1} earlier run(s) passed. The failing test is named above.\n`,
    );
    process.exit(1);
  }
}
const total = Date.now() - started;
process.stdout.write(
  `e2e-repeat: all ${times} runs passed in ${secs(total)} (each ${took.map(secs).join(', ')})\n`,
);
