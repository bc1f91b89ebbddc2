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
export function cpuNs(pids: number | readonly number[]): number {
  if (typeof pids !== 'number') return pids.reduce((n, pid) => n + cpuNs(pid), 0);
  const pid = pids;
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

/** Resident set size of `pid` (or the sum over several processes), KiB. */
export function rssKb(pids: number | readonly number[]): number {
  if (typeof pids !== 'number') return pids.reduce((n, pid) => n + rssKb(pid), 0);
  const pid = pids;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** The processes whose parent is `pid` (nginx's workers), from /proc/<pid>/stat of every process. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // the process ended between readdir and read
    }
  }
  return out;
}

/** The machine's CPU time so far, in USER_HZ ticks: all of it, and the part stolen by the hypervisor. */
export interface MachineTicks {
  total: number;
  steal: number;
}

/** Parses the aggregate `cpu` line of /proc/stat (user nice system idle iowait irq softirq steal …). */
export function parseProcStat(text: string): MachineTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no aggregate cpu line');
  // guest and guest_nice are already counted in user and nice.
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
}

export function machineTicks(): MachineTicks {
  return parseProcStat(fs.readFileSync('/proc/stat', 'utf8'));
}

/** Steal as a share of all CPU time between two readings (since boot when `from` is zeros), %. */
export function stealPercent(from: MachineTicks, to: MachineTicks): number {
  const total = to.total - from.total;
  return total > 0 ? (100 * (to.steal - from.steal)) / total : 0;
}
