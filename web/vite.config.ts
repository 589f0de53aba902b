import { defineConfig } from 'vite';

// The build goes into internal/webui/dist, which the Go binary embeds.
// Nothing is inlined (the Content-Security-Policy allows no inline script
// or style, and no data: URLs for scripts), and file names carry content
// hashes, so a build is reproducible and cacheable.
export default defineConfig({
  build: {
    outDir: process.env.COFFER_WEB_OUT ?? '../internal/webui/dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
