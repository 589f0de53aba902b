// Package client is Coffer's client core: key derivation, sign-up, login,
// unlock, vaults, items and sync. It is what the CLI, the tests and the
// WebAssembly build of the web app use. It never imports server or storage
// code and has no OS-specific dependencies.
package client
