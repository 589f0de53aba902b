package client

import (
	"context"
	"errors"
	"fmt"
)

// Writable says whether this account may change what vault v holds: My
// Vault always, an organisation vault with edit or manage. The server
// decides in the end (a 403 is ErrReadOnly); the client uses this to
// refuse early and to say what a view offers.
func (v *Vault) Writable() bool {
	return v.Kind != "org" || v.Permission == "edit" || v.Permission == "manage"
}

// Manageable says whether this account may see and change who opens v
// (grant, revoke, access).
func (v *Vault) Manageable() bool { return v.Kind == "org" && v.Permission == "manage" }

// CheckMove is the rule for moving item it from vault from into vault to:
// a live item, into another vault, both writable, never between two
// organisations (a vault item is shared within one organisation only).
// MoveItem applies it, and a view's move targets are the vaults it
// allows (issue 24: the page had a copy that let a view-only item move).
func CheckMove(it *Item, from, to *Vault) error {
	switch {
	case it.Trashed:
		return ErrTrashed
	case to.ID == from.ID:
		return errors.New("the item is already in this vault")
	case to.Kind == "org" && from.Kind == "org" && from.OrgID != to.OrgID:
		return errors.New("items cannot move between organisations: a vault item is shared only within one organisation")
	case !from.Writable():
		return fmt.Errorf("%w (%s)", ErrReadOnly, sanitize(from.Label(), 200))
	case !to.Writable():
		return fmt.Errorf("%w (%s)", ErrReadOnly, sanitize(to.Label(), 200))
	}
	return nil
}

// MoveTargets lists the vaults item it may move into (CheckMove), in the
// order of Vaults.
func (s *Session) MoveTargets(it *Item) []*Vault {
	from, ok := s.vault(it.VaultID)
	if !ok {
		return nil
	}
	var out []*Vault
	for _, v := range s.Vaults() {
		if CheckMove(it, from, v) == nil {
			out = append(out, v)
		}
	}
	return out
}

// UpdateItemAt is UpdateItem for an editor or a script that read
// revision base: when the item has moved on since, it writes nothing and
// returns a *ConflictError, never overwriting someone else's change
// silently. base 0 means "whatever the head is". The CLI's `item edit
// --revision` and the web app's update use it.
func (s *Session) UpdateItemAt(ctx context.Context, it *Item, c Content, base uint64) (*Item, error) {
	if base > 0 && base != it.Revision {
		return nil, &ConflictError{Base: base, Head: it.Revision}
	}
	return s.UpdateItem(ctx, it, c)
}
