package view

import (
	"fmt"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// Version is one revision of an item's history, with what it changed
// from the revision before and how to say what it did.
type Version struct {
	Revision uint64    `json:"revision"`
	Author   string    `json:"author"` // e-mail, or the user id of someone no longer known
	Time     time.Time `json:"time"`   // the author's signed clock
	// What says what the revision did when it was not a plain edit:
	// "rolled back to revision 2", "password restored from revision 3",
	// "moved here from Acme/Ops".
	What   string                 `json:"what,omitempty"`
	Change *client.RevisionChange `json:"change,omitempty"`
	From   string                 `json:"from_vault,omitempty"` // a move's origin, named
	// Values are every field of this revision (the name, tags, favourite
	// and attachments too), in reading order.
	Values []Field `json:"values"`
	// Changes are the fields that differ from the revision before, in
	// reading order (for revision 1, each of its fields, as added).
	Changes []Change `json:"changes"`
	// CanRollBack: a new revision with this one's content may be written
	// (not the head; the vault writable).
	CanRollBack bool `json:"can_roll_back"`
}

// Change is one field's change in a revision.
type Change struct {
	_      [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Field  string    `json:"field"`
	Label  string    `json:"label"`
	Kind   string    `json:"kind"`
	Old    string    `json:"old"` // "" when it was added
	New    string    `json:"new"` // "" when it was removed
	Secret bool      `json:"secret"`
	Masked bool      `json:"masked,omitempty"` // Old and New are Masked where set
	// Restorable: restoreField(item, field, revision - 1) brings the old
	// value back (not an attachment's line; the vault writable).
	Restorable bool `json:"restorable"`
}

// History is an item's verified history (client.Session.History), as a
// client shows it: labels, authors and each revision's changes computed
// here, once (issue 24: the CLI and the page each had a diff).
func History(s *client.Session, it *client.Item, versions []client.Version, reveal bool) []Version {
	writable := false
	if v, err := s.FindVault(it.VaultID); err == nil {
		writable = v.Writable() && !it.Trashed
	}
	out := make([]Version, 0, len(versions))
	var prev []client.Entry
	for i, v := range versions {
		cur := v.Content.Entries()
		x := Version{Revision: v.Revision, Author: Author(s, v.AuthorID), Time: v.Time, Change: v.Content.Change,
			What: ChangeLabel(s, v.Content.Change), Values: []Field{}, Changes: []Change{},
			CanRollBack: writable && i < len(versions)-1}
		if ch := v.Content.Change; ch != nil && ch.Op == client.ChangeMove {
			x.From = vaultLabel(s, ch.FromVault)
		}
		for _, e := range cur {
			x.Values = append(x.Values, fieldOf(e, reveal))
		}
		// Revision 1's changes are its fields, each added (nothing
		// before it to restore from).
		x.Changes = diff(prev, cur, reveal, writable && i > 0)
		out = append(out, x)
		prev = cur
	}
	return out
}

// diff lists the fields that differ between two revisions' entries: in
// the new one's order, then those it no longer has. A value secret in
// either revision is masked unless reveal.
func diff(old, cur []client.Entry, reveal, writable bool) []Change {
	was := map[string]client.Entry{}
	for _, e := range old {
		was[e.Name] = e
	}
	is := map[string]bool{}
	out := []Change{}
	add := func(o, n client.Entry, name string) {
		if o.Value == n.Value {
			return
		}
		c := Change{Field: name, Label: n.Label, Kind: n.Kind, Old: o.Value, New: n.Value, Secret: o.Secret || n.Secret,
			Restorable: writable && n.Kind != client.KindFile && o.Kind != client.KindFile}
		if c.Label == "" {
			c.Label, c.Kind = o.Label, o.Kind
		}
		if c.Secret && !reveal {
			c.Old, c.New, c.Masked = maskIfSet(c.Old), maskIfSet(c.New), true
		}
		out = append(out, c)
	}
	for _, n := range cur {
		is[n.Name] = true
		add(was[n.Name], n, n.Name)
	}
	for _, o := range old {
		if !is[o.Name] {
			add(o, client.Entry{}, o.Name)
		}
	}
	return out
}

func maskIfSet(v string) string {
	if v == "" {
		return ""
	}
	return Masked
}

// ChangeLabel says what a revision did when it was not a plain edit ("" for
// an edit).
func ChangeLabel(s *client.Session, c *client.RevisionChange) string {
	if c == nil {
		return ""
	}
	switch c.Op {
	case client.ChangeRollback:
		return fmt.Sprintf("rolled back to revision %d", c.Revision)
	case client.ChangeRestoreField:
		return fmt.Sprintf("%s restored from revision %d", client.Displayable(c.Field, 0), c.Revision)
	case client.ChangeMove:
		return "moved here from " + vaultLabel(s, c.FromVault)
	}
	return client.Displayable(c.Op, 0)
}

// vaultLabel names a vault by id, or "another vault" when this account
// does not open it (any more).
func vaultLabel(s *client.Session, id string) string {
	if id != "" {
		if v, err := s.FindVault(id); err == nil {
			return v.Label()
		}
	}
	return "another vault"
}

// Author names a revision's author: this account's or a member's
// e-mail, else the user id.
func Author(s *client.Session, id string) string {
	if id == s.Profile.UserID {
		return s.Profile.Email
	}
	if e := s.MemberEmail(id); e != "" {
		return e
	}
	return id
}
