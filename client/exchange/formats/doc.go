// Package formats reads and writes the files of other tools and Coffer's
// password-protected export (docs/protocol.md §19.3–§19.6) as exchange
// items: CSV profiles, Bitwarden JSON, KeePass KDBX and XML. It knows
// files, not sessions; the web app carries it in a WebAssembly module of
// its own (cmd/coffer-tools), loaded when an import or an export starts.
package formats
