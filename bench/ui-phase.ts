import { writeFileSync } from 'node:fs';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { findBrowser, type FoundBrowser } from '../test/support/browser-path';
import { rssKb } from './proc-stats';
import { readTrace, TRACE_CATEGORIES, type TraceReading } from './ui-trace';

/*
 * §4 of issue #17, headless: the dashboard's Live view open in real Chromium while 32 streams pour
 * through the gateway. The desktop app's Electron main and renderer cannot run on this machine (no
 * Electron binary); the gateway process stands for the main process (it is what the main process
 * runs) and Chromium's renderer for Electron's (the same Blink and V8, the same page).
 */

/** What the page and its processes did while the load ran. */
export interface UiFigures {
  /** Long tasks (> 50 ms each, as the browser reports them) over the load, ms each. */
  longTasks: number[];
  /** Longest gap between two animation frames over the load, ms. */
  maxFrameGapMs: number;
  /** The page's JS heap in use (performance.memory, precise), before the load and at its highest, MB. */
  heapBeforeMb: number;
  heapPeakMb: number;
  /** The page's JS heap after the load and a full garbage collection: what it keeps, MB. */
  heapAfterGcMb: number;
  /** The page's main-thread tasks from a Chromium trace over the load: wall and CPU time. */
  trace: TraceReading;
  /**
   * The page's renderer process — of the browser's renderers (a spare one is kept ready), the one
   * whose RSS peaked highest — before and at the highest during the load, MB; `renderers` counted.
   */
  rendererBeforeMb: number;
  rendererPeakMb: number;
  renderers: number;
  /** The gateway's RSS before and at the highest during the load, MB. */
  gatewayBeforeMb: number;
  gatewayPeakMb: number;
  /** Requests the Live list shows at the end (its grid rows, as the virtualised list renders them). */
  rowsShown: number;
}

/** Page-side probes: long tasks and the longest gap between animation frames. */
const PROBES = `
  window.__bench = { longTasks: [], maxFrameGap: 0 };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__bench.longTasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: false });
  let last = performance.now();
  const tick = (t) => { window.__bench.maxFrameGap = Math.max(window.__bench.maxFrameGap, t - last); last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
`;

async function rendererPids(cdp: CDPSession): Promise<number[]> {
  const info = (await cdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number }[];
  };
  return info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
}

async function heapMb(page: Page): Promise<number> {
  const used = await page.evaluate(
    () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize,
  );
  return used / 2 ** 20;
}

/** Reads `kb()` now and every 250 ms until stopped; the highest reading, MB. */
function peakSampler(kb: () => number): { stop: () => number } {
  let peak = kb();
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, kb());
    } catch {
      // a renderer process ended between the listing and the read
    }
  }, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return peak / 1024;
    },
  };
}

/**
 * Opens `dashboardUrl` (the gateway's `/_sluice/?token=…`), waits for the Live view's push channel,
 * runs `load`, and reads the page and the processes over it; without a Chromium, why not.
 */
export async function uiPhase(
  dashboardUrl: string,
  gatewayPid: number,
  load: () => Promise<void>,
): Promise<UiFigures | string> {
  let found: FoundBrowser;
  try {
    // As the browser tests find it: CHROMIUM_PATH, a system Chromium, or the npm one.
    found = await findBrowser();
  } catch (err) {
    return `skipped: ${err instanceof Error ? err.message : String(err)}`;
  }
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: found.executablePath,
      env: { ...process.env, ...found.env },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--enable-precise-memory-info',
      ],
    });
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(dashboardUrl);
    await page.locator('header[data-live="open"]').waitFor();
    await page.evaluate(PROBES);
    const cdp = await browser.newBrowserCDPSession();
    const renderers = await rendererPids(cdp);
    const heapBeforeMb = await heapMb(page);
    const rendererBefore = renderers.map((pid) => rssKb(pid) / 1024);
    const gatewayBeforeMb = rssKb(gatewayPid) / 1024;
    const rendererPeaks = renderers.map((pid) => peakSampler(() => rssKb(pid)));
    const gateway = peakSampler(() => rssKb(gatewayPid));
    // BENCH_UI_PROFILE=<file>: the page's CPU profile over the load, for Chrome DevTools (finding where time goes).
    const profilePath = process.env.BENCH_UI_PROFILE;
    const pageCdp = profilePath === undefined ? null : await page.context().newCDPSession(page);
    if (pageCdp !== null) {
      await pageCdp.send('Profiler.enable');
      await pageCdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await pageCdp.send('Profiler.start');
    }
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    let heapPeakMb = heapBeforeMb;
    const heapTimer = setInterval(() => {
      heapMb(page).then(
        (mb) => (heapPeakMb = Math.max(heapPeakMb, mb)),
        () => undefined,
      );
    }, 500);
    try {
      await load();
    } finally {
      clearInterval(heapTimer);
    }
    // The last pushes land and render.
    await page.waitForTimeout(1_000);
    const traceJson = (await browser.stopTracing()).toString('utf8');
    // BENCH_UI_TRACE=<file> keeps the trace (Chrome DevTools' Performance panel opens it).
    if (process.env.BENCH_UI_TRACE !== undefined) writeFileSync(process.env.BENCH_UI_TRACE, traceJson);
    if (pageCdp !== null && profilePath !== undefined) {
      const { profile } = await pageCdp.send('Profiler.stop');
      writeFileSync(profilePath, JSON.stringify(profile));
    }
    heapPeakMb = Math.max(heapPeakMb, await heapMb(page));
    // What the page keeps, as against garbage not yet collected (which the peak includes).
    const gcCdp = await page.context().newCDPSession(page);
    await gcCdp.send('HeapProfiler.collectGarbage');
    const heapAfterGcMb = await heapMb(page);
    const probe = await page.evaluate(
      () => (globalThis as unknown as { __bench: { longTasks: number[]; maxFrameGap: number } }).__bench,
    );
    const rowsShown = await page.getByRole('row').count();
    const peaks = rendererPeaks.map((r) => r.stop());
    const pageIndex = peaks.indexOf(Math.max(...peaks));
    return {
      longTasks: probe.longTasks,
      maxFrameGapMs: probe.maxFrameGap,
      heapBeforeMb,
      heapPeakMb,
      heapAfterGcMb,
      trace: readTrace(traceJson),
      rendererBeforeMb: rendererBefore[pageIndex] ?? NaN,
      rendererPeakMb: peaks[pageIndex] ?? NaN,
      renderers: renderers.length,
      gatewayBeforeMb,
      gatewayPeakMb: gateway.stop(),
      rowsShown,
    };
  } finally {
    await browser?.close();
  }
}

function traceLine(t: TraceReading): string {
  const tasks = t.long.map((x) => `${x.wallMs.toFixed(0)}/${x.cpuMs.toFixed(0)}`).join(', ');
  const ownOver = t.long.filter((x) => x.cpuMs > 50).length;
  return (
    `${t.long.length} task(s) over 50 ms of wall time${tasks === '' ? '' : ` (${tasks})`}, ${ownOver} of them over 50 ms of CPU; ` +
    `the longest task's CPU ${t.maxCpuMs.toFixed(0)} ms; main thread CPU over the load ${t.cpuMs.toFixed(0)} ms ` +
    `(wall time beyond CPU is the thread waiting for a core: the load average says how busy the machine was)`
  );
}

/** The §4 lines of the report; `u` is the ui phase's figures, or why it has none. */
export function renderUi(u: UiFigures | string, idleMb: number, streams: string): string {
  const lines = [`### The app as a whole (issue #17 §4)`, ''];
  lines.push(`- Gateway idle RSS (after start, before any request): ${idleMb.toFixed(1)} MB.`);
  if (typeof u === 'string') {
    lines.push(`- Live view in Chromium: ${u}.`);
    return lines.join('\n');
  }
  const over = u.longTasks.filter((d) => d > 50);
  const longest = u.longTasks.length === 0 ? 0 : Math.max(...u.longTasks);
  lines.push(
    `- With the dashboard's Live view open in headless Chromium during ${streams}:`,
    `  - gateway (what Electron's main process runs): ${u.gatewayBeforeMb.toFixed(1)} → peak ${u.gatewayPeakMb.toFixed(1)} MB RSS;`,
    `  - renderer: JS heap ${u.heapBeforeMb.toFixed(1)} → peak ${u.heapPeakMb.toFixed(1)} MB, ${u.heapAfterGcMb.toFixed(1)} MB kept after a full GC at the end (performance.memory); ` +
      `the page's renderer process ${u.rendererBeforeMb.toFixed(1)} → peak ${u.rendererPeakMb.toFixed(1)} MB RSS (the largest of ${u.renderers} renderers);`,
    `  - long tasks: ${u.longTasks.length} (longest ${longest.toFixed(0)} ms), ${over.length} over 50 ms — goal none over 50 ms ${over.length === 0 ? '✓ met' : '✗ not met'}; ` +
      `longest gap between animation frames ${u.maxFrameGapMs.toFixed(0)} ms; ${u.rowsShown} rows rendered at the end;`,
    `  - the same in a Chromium trace (wall ms / the main thread's own CPU ms): ${traceLine(u.trace)}.`,
    `- Electron's own main and renderer processes are not measured: there is no Electron binary on this machine ` +
      `(npm ci runs with ELECTRON_SKIP_BINARY_DOWNLOAD=1); the headless gateway and Chromium are their equivalents.`,
  );
  return lines.join('\n');
}
