/*
 * Reads a Chromium trace of the Live view under load: the page's main-thread tasks over 50 ms, each with
 * its wall time and the CPU time its thread actually ran. PerformanceObserver's long tasks are wall
 * time only; on a loaded machine (the bench itself keeps both cores busy) a 5 ms task can take 60 ms of
 * wall time while the thread waits for a core, so the two together say whose time it was.
 */

/** The trace categories the reading needs (top-level tasks with thread time); light enough to keep on. */
export const TRACE_CATEGORIES = ['disabled-by-default-devtools.timeline'];

/** One top-level task of the page's main thread over 50 ms of wall time. */
export interface TracedTask {
  wallMs: number;
  /** The thread's own CPU time in it (the rest it waited for a core). */
  cpuMs: number;
}

export interface TraceReading {
  /** Tasks over 50 ms of wall time, in order. */
  long: TracedTask[];
  /** The most CPU any one task took, ms. */
  maxCpuMs: number;
  /** The main thread's CPU time over the trace, ms. */
  cpuMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

const LONG_MS = 50;

/** The page's main thread is the renderer main thread that ran the most tasks (others are spares). */
export function readTrace(json: string): TraceReading {
  const parsed = JSON.parse(json) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const mains = new Set<string>();
  for (const e of events)
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      mains.add(`${e.pid}:${e.tid}`);
  const tasks = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || e.name !== 'RunTask' || e.dur === undefined || !mains.has(key)) continue;
    let list = tasks.get(key);
    if (list === undefined) tasks.set(key, (list = []));
    list.push(e);
  }
  let page: TraceEvent[] = [];
  for (const list of tasks.values()) if (list.length > page.length) page = list;
  page.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const reading: TraceReading = { long: [], maxCpuMs: 0, cpuMs: 0 };
  let end = -Infinity;
  for (const t of page) {
    if (t.ts < end) continue; // nested in the task before
    end = t.ts + (t.dur ?? 0);
    const task = { wallMs: (t.dur ?? 0) / 1000, cpuMs: (t.tdur ?? 0) / 1000 };
    reading.cpuMs += task.cpuMs;
    reading.maxCpuMs = Math.max(reading.maxCpuMs, task.cpuMs);
    if (task.wallMs > LONG_MS) reading.long.push(task);
  }
  return reading;
}
