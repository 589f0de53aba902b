package store

import (
	"context"
	"errors"
	"sync"
)

// ErrNoLongerAllowed: an authorization the write was decided on was taken
// away by a concurrent request (a removal, a revoke, a downgrade) before
// the write's transaction ran. Nothing was written.
var ErrNoLongerAllowed = errors.New("no longer allowed: access changed while the request ran")

// Requirement is an authorization a handler checked before a write, which
// a concurrent request can make false: UserID is a confirmed member of
// OrgID (its owner, with Owner); holds at least Perm on VaultID; manages
// GroupID; the address Invited (lower-cased) has an invitation to some
// organisation still in state invited — the sign-up of UserID under a
// server's invitation policy (issue 27), which a cancel must not slip
// past. Every field left empty is not required.
//
// A check before a transaction is a race (issue 23: a member re-granted a
// vault to themselves while the owner removed them, and kept it). So every
// write transaction of a request re-checks every requirement the request
// registered, with the write's own reads, under locks that a removal, a
// revoke or a change of permission must wait for (PostgreSQL: FOR SHARE on
// the rows the decision rests on; SQLite serialises writers anyway).
type Requirement struct {
	UserID  string
	OrgID   string
	Owner   bool
	VaultID string
	Perm    Permission
	GroupID string
	Invited string
}

type requirements struct {
	mu   sync.Mutex
	list []Requirement
}

type requirementsKey struct{}

// WithRequirements returns a context whose writes re-check what Require
// registers in it: one per request.
func WithRequirements(ctx context.Context) context.Context {
	return context.WithValue(ctx, requirementsKey{}, &requirements{})
}

// Require registers r with the request's context; without
// WithRequirements it does nothing.
func Require(ctx context.Context, r Requirement) {
	rs, _ := ctx.Value(requirementsKey{}).(*requirements)
	if rs == nil || r.UserID == "" {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, have := range rs.list {
		if have == r {
			return
		}
	}
	rs.list = append(rs.list, r)
}

// Required returns what the context's request registered.
func Required(ctx context.Context) []Requirement {
	rs, _ := ctx.Value(requirementsKey{}).(*requirements)
	if rs == nil {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]Requirement(nil), rs.list...)
}
