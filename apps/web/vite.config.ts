// Vite: builds the page into dist/; `vite` serves it on :5174 and proxies /trpc (WebSocket) to the server (:3000, or PORT).
import { defineConfig } from "vite";

/**
 * Where `pnpm dev` finds the server: on the PORT it was given too (`PORT=3215 pnpm dev` moves
 * both), or anywhere PORTHOLE_DEV_SERVER says (e.g. http://127.0.0.1:3100).
 */
const serverUrl = process.env.PORTHOLE_DEV_SERVER ?? `http://127.0.0.1:${process.env.PORT || 3000}`;

export default defineConfig({
  server: {
    port: 5174,
    strictPort: true,
    proxy: {
      "/trpc": { target: serverUrl, ws: true },
      "/health": { target: serverUrl },
    },
  },
  preview: {
    port: 5174,
    strictPort: true,
    proxy: {
      "/trpc": { target: serverUrl, ws: true },
    },
  },
  build: {
    target: "es2022",
    sourcemap: true,
    // xterm.js and its WebGL renderer are large; one chunk loads fastest from the server.
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      treeshake: {
        // @porthole/protocol's modules only define schemas and constants: the page uses a few
        // constants, so the schemas (and zod with them) are left out of the bundle.
        moduleSideEffects: [
          { test: /[\\/]packages[\\/]protocol[\\/]dist[\\/]/, sideEffects: false },
        ],
      },
    },
  },
});
