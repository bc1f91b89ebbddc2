import fs from 'node:fs';

/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux Node runs on. */
const TICKS_PER_S = 100;

function statTicksNs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces, hence the split at its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e9) / TICKS_PER_S;
}

/**
 * CPU time of all threads of `pid` (V8 GC and libuv threads included), ns. The per-thread schedstat
 * counts ns where /proc/<pid>/stat counts 10 ms ticks, too coarse for a one-second phase.
 */
export function cpuNs(pid: number): number {
  let total = 0;
  let threads = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const run = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        if (Number.isFinite(run)) {
          total += run;
          threads++;
        }
      } catch {
        // the thread ended between readdir and read
      }
    }
  } catch {
    threads = 0;
  }
  return threads > 0 ? total : statTicksNs(pid);
}

/** Resident set size of `pid`, KiB. */
export function rssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}
