// Package authz is the one place that decides what a vault permission
// allows. Handlers ask it; they never compare permissions themselves.
package authz

import "github.com/coffer-pm/coffer/internal/store"

// Action is something a user may try on a vault.
type Action int

const (
	// ReadVault: list items, get items, read history and key wraps.
	ReadVault Action = iota
	// WriteItems: create, edit, trash and restore items.
	WriteItems
	// ManageGrants: change who can open the vault.
	ManageGrants
)

// Allows reports whether permission p allows action a.
func Allows(p store.Permission, a Action) bool {
	switch a {
	case ReadVault:
		return p >= store.PermView
	case WriteItems:
		return p >= store.PermEdit
	case ManageGrants:
		return p >= store.PermManage
	}
	return false
}
