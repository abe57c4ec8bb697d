/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// Preact's automatic JSX runtime through esbuild: no framework plugin needed.
export default defineConfig({
  base: './', // the Tauri custom protocol serves dist/ from its root, so asset URLs stay relative
  esbuild: {
    jsx: 'automatic',
    jsxImportSource: 'preact',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The webviews Tauri uses all support modulepreload; skipping the polyfill keeps the bundle CSP-clean.
    modulePreload: { polyfill: false },
  },
  server: {
    port: 1420,
    strictPort: true,
  },
  clearScreen: false,
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
