import { defineConfig, type Plugin } from 'vite';

/**
 * Relata's server drivers (better-sqlite3, pg, mysql2) are imported dynamically inside their drivers
 * and never run in the page, which uses SqliteWasmDialect; a stub keeps them and their Node
 * built-ins out of the bundle.
 */
const NODE_ONLY = ['better-sqlite3', 'pg', 'mysql2', 'mysql2/promise'];
const RELATA_CORE = /[\\/]src[\\/](orm|sql|engine|dialects)[\\/][^?]*$/;

function nodeOnlyDrivers(): Plugin {
  const prefix = '\0node-only:';
  return {
    name: 'relata-node-only-drivers',
    enforce: 'pre',
    resolveId(id) {
      return NODE_ONLY.includes(id) ? prefix + id : null;
    },
    load(id) {
      if (!id.startsWith(prefix)) return null;
      const name = id.slice(prefix.length);
      return `export default function unavailable() { throw new Error(${JSON.stringify(`${name} runs on Node.js only; in the browser Relata uses SqliteWasmDialect`)}); }`;
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [nodeOnlyDrivers()],
  // The page imports Relata's own sources (../src) and the seed twins (../examples).
  server: { fs: { allow: ['..'] } },
  optimizeDeps: { exclude: ['@sqlite.org/sqlite-wasm'] },
  worker: {
    format: 'es',
    plugins: () => [nodeOnlyDrivers()],
    rolldownOptions: {
      output: {
        // Relata reports an N+1 lazy load at the first stack frame outside its own src/orm, src/sql…
        // folders. Bundled, its code keeps such a path, so that frame is the example's own line.
        codeSplitting: { groups: [{ name: 'relata', test: RELATA_CORE }] },
        chunkFileNames: (chunk) =>
          chunk.name === 'relata' ? 'assets/relata/src/orm/[name]-[hash].js' : 'assets/[name]-[hash].js',
        // Relata's errors are named after their classes (NotLoadedError…): minify, but keep class names.
        keepNames: true,
      },
    },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
  },
});
