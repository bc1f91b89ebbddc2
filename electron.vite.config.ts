import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/**
 * The renderer's CSP lives in a <meta> tag in src/renderer/index.html (see src/main/shell/window.ts for why).
 * Only the dev server needs more: React Fast Refresh injects an inline module script, and Vite's HMR
 * client talks over a WebSocket. Builds keep the strict policy untouched.
 */
function devServerCsp(): Plugin {
  return {
    name: 'sluice:dev-server-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      const relaxed = html
        .replace("script-src 'self';", "script-src 'self' 'unsafe-inline';")
        .replace("connect-src 'self'\"", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*\"");
      // Fail loudly rather than serve a page whose React never mounts.
      if (!relaxed.includes("script-src 'self' 'unsafe-inline';") || !relaxed.includes('ws://')) {
        throw new Error(
          'sluice:dev-server-csp: the CSP <meta> in src/renderer/index.html changed; update this plugin',
        );
      }
      return relaxed;
    },
  };
}

/** `npm start` / `npm run build`: the Electron app into out/main, out/preload and out/renderer. */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // package.json dependencies (better-sqlite3 is native, so it must be) stay require()d from node_modules.
      externalizeDeps: true,
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/shell/index.ts'),
          // The store worker (src/main/store/worker/spawn.ts looks for it beside the bundle).
          'store-worker': resolve(__dirname, 'src/main/store/worker/store-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only `electron` (kept external by electron-vite), so everything
      // it imports from src/shared is bundled into the one file rather than externalized.
      externalizeDeps: false,
      rolldownOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react(), devServerCsp()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
