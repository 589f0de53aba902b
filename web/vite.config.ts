import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// integrity is the Subresource Integrity value of bytes: what a browser
// checks a file against before it runs or applies it (internal/webui's
// Integrity is the same rule, for `coffer web verify`).
function integrity(b: string | Uint8Array): string {
  return 'sha384-' + createHash('sha384').update(b).digest('base64');
}

// The client core and the tools module, as scripts/build-web.sh built
// them into public/. Their hashes go into the bundle (core.ts and
// tools.ts fetch them with it), so each module is bound to the script,
// and the script to the page: a build without them would load unchecked
// code, so it fails.
function wasmIntegrity(name: string, build: boolean): string {
  const wasm = fileURLToPath(new URL(`./public/${name}`, import.meta.url));
  if (existsSync(wasm)) return integrity(readFileSync(wasm));
  if (build) throw new Error(`public/${name} is missing: build with scripts/build-web.sh`);
  return ''; // the dev server and unit tests: no module to check
}

const tag = /<(script|link)\b[^>]*>/g;

// subresourceIntegrity names every script and stylesheet of the built
// index.html with its integrity, from the bytes written next to it (the
// bundle's chunks and assets, and public/ for wasm_exec.js), so that a
// browser runs only this build's files — whatever a server or the HTTP
// cache hands it under those names. A referenced file it cannot find
// fails the build.
function subresourceIntegrity(): Plugin {
  let publicDir = '';
  return {
    name: 'coffer-subresource-integrity',
    apply: 'build',
    enforce: 'post',
    configResolved(config) { publicDir = config.publicDir; },
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const bytesOf = (path: string): string | Uint8Array => {
          const name = path.replace(/^\//, '');
          const out = bundle[name];
          if (out) return out.type === 'chunk' ? out.code : out.source;
          const pub = join(publicDir, name);
          if (existsSync(pub)) return readFileSync(pub);
          throw new Error(`index.html names ${path}, which the build does not have`);
        };
        const page = bundle['index.html'];
        if (!page || page.type !== 'asset') throw new Error('no index.html in the bundle');
        page.source = String(page.source).replace(tag, (t, name: string) => {
          const ref = name === 'script' ? /\ssrc="([^"]+)"/.exec(t) : /\srel="(stylesheet|modulepreload)"/.test(t) ? /\shref="([^"]+)"/.exec(t) : null;
          if (!ref || / integrity=/.test(t)) return t;
          return t.replace(/\s*\/?>$/, (end) => ` integrity="${integrity(bytesOf(ref[1]))}"${end}`);
        });
      },
    },
  };
}

// The build goes into internal/webui/dist, which the Go binary embeds.
// Nothing is inlined but the page's one guard script (the
// Content-Security-Policy names its hash; no other inline script or
// style, and no data: URLs for scripts), file names carry content hashes,
// and every script and stylesheet carries its integrity, so a build is
// reproducible and cacheable and binds the page to its files.
export default defineConfig(({ command }) => ({
  define: {
    __CORE_WASM_INTEGRITY__: JSON.stringify(wasmIntegrity('core.wasm', command === 'build')),
    __TOOLS_WASM_INTEGRITY__: JSON.stringify(wasmIntegrity('tools.wasm', command === 'build')),
  },
  plugins: [subresourceIntegrity()],
  // TSX with Preact's automatic runtime (tsconfig.json says the same to tsc).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // Component tests run in happy-dom; the Chromium scenarios (e2e/) cover
  // what needs a real browser.
  test: { environment: 'happy-dom', include: ['src/**/*.test.{ts,tsx}'], setupFiles: ['src/test/setup.ts'] },
  build: {
    outDir: process.env.COFFER_WEB_OUT ?? '../internal/webui/dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
}));
