package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/api"
)

// The Administrator Portal, leaving and deleting (issue 25): the same
// client calls as the CLI's `coffer admin users|user|unbind|disable|
// enable`, `coffer org leave|delete|audit` and `coffer account delete`.

func (c *Core) adminSearch(text string) ([]view.AdminUser, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return view.AdminSearch(context.Background(), s, strings.TrimSpace(text))
}

func (c *Core) adminUser(ref string) (*view.AdminUserDetail, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return view.AdminUserOf(context.Background(), s, ref)
}

func (c *Core) adminDisable(ref string) (Revoked, error) {
	s, err := c.Session()
	if err != nil {
		return Revoked{}, err
	}
	n, err := s.AdminDisable(context.Background(), ref)
	return Revoked{n}, err
}

// rotations(org): the key rotations the organisation owes, in words.
func (c *Core) rotations(org string) (view.Rotations, error) {
	s, err := c.Session()
	if err != nil {
		return view.Rotations{}, err
	}
	return view.PendingRotations(context.Background(), s, org)
}

// AuditLog is an organisation's verified audit log as the page shows it:
// the entries the filter selects (`coffer org audit --json`'s), and
// every action there is, for the filter's choices.
type AuditLog struct {
	Entries []view.AuditEntry `json:"entries"`
	Actions []string          `json:"actions"`
}

// AuditFilter is what audit's filterJSON may hold: the actor's address,
// an action, and a day (2025-01-31, UTC) or time (RFC 3339) the entries
// are at or after.
type AuditFilter struct {
	_      [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Since  string    `json:"since"`
}

// errBadSince: a since that is neither a day nor a time.
var errBadSince = errors.New("the date is not a day (2025-01-31) or a time (2025-01-31T09:00:00Z)")

func (c *Core) audit(org, raw string) (AuditLog, error) {
	s, err := c.Session()
	if err != nil {
		return AuditLog{}, err
	}
	var f AuditFilter
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &f); err != nil {
			return AuditLog{}, errors.New("bad audit filter")
		}
	}
	cf := client.AuditFilter{Actor: strings.TrimSpace(f.Actor), Action: f.Action}
	if since := strings.TrimSpace(f.Since); since != "" {
		t, err := time.Parse(time.RFC3339, since)
		if err != nil {
			if t, err = time.Parse("2006-01-02", since); err != nil {
				return AuditLog{}, errBadSince
			}
		}
		cf.Since = t
	}
	list, err := view.Audit(context.Background(), s, org, cf)
	if err != nil {
		return AuditLog{}, err
	}
	return AuditLog{Entries: list, Actions: append([]string{}, api.AuditActions...)}, nil
}

// deleteAccount(password) deletes the account for good (the master
// password proved afresh) and forgets this browser's profile, device
// cache and marks, as logout does.
func (c *Core) deleteAccount(password string) (Status, error) {
	s, err := c.Session()
	if err != nil {
		return Status{}, err
	}
	if err := s.DeleteAccount(context.Background(), []byte(password)); err != nil {
		return Status{}, err
	}
	return c.logout()
}
