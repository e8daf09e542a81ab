import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The dashboard is served by `personae serve` from web/dist with a strict Content-Security-Policy
// (script-src 'self'; style-src 'self'): no inline scripts or <style> elements may end up in the
// build, so the module-preload polyfill (an inline script in some setups) is turned off and CSS is
// always emitted as files.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    cssCodeSplit: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev`: the API of a local `personae serve` (make run) behind Vite's dev server.
    proxy: {
      "/api": { target: process.env.PERSONAE_URL ?? "http://127.0.0.1:8080", changeOrigin: false },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
