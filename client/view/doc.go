// Package view is what the client core shows: items, vaults,
// organisations and histories as a person reads them, each with what
// this account may do with it. The CLI's --json and the web app's bridge
// (internal/bridge) return these same types, and the web app's
// TypeScript types are generated from them (web/src/core/types.gen.ts),
// so a product rule — which fields an item has and which are secret,
// where an item may move, who sees a fingerprint, how a history change is
// labelled — is decided here once (issue 24: the page had copies of its
// own, and they disagreed with the CLI).
//
// A capability (can_edit, can_invite, …) says what the account's
// permission allows, so that a client offers only that; the server and
// the client core still refuse everything else, whatever a client shows.
package view
