declare module '*.css';

// The client core's Subresource Integrity (sha384-…), put in by
// vite.config.ts from the core.wasm it bundles with; empty in the dev
// server and unit tests.
declare const __CORE_WASM_INTEGRITY__: string;
// The tools module's (tools.wasm, loaded by Tools → Import and Export).
declare const __TOOLS_WASM_INTEGRITY__: string;
