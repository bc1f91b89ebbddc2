import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

const external = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies),
  ...Object.keys(pkg.devDependencies),
];

/** Builds the headless gateway (`npm run serve`, `npm run sluice`) and the benchmark for plain Node, no Electron. */
export default defineConfig({
  build: {
    ssr: true,
    outDir: 'out/headless',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    minify: false,
    rolldownOptions: {
      input: {
        cli: 'src/main/app/cli.ts',
        // The store worker (src/main/store/worker/spawn.ts looks for it beside the bundle).
        'store-worker': 'src/main/store/worker/store-worker.ts',
        bench: 'bench/bench.ts',
        'store-bench': 'bench/store-bench.ts',
        'hot-path': 'bench/hot-path.ts',
      },
      external: (id) => external.some((e) => id === e || id.startsWith(`${e}/`)),
      output: { format: 'cjs', entryFileNames: '[name].js' },
    },
  },
});
