package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
)

// The exposure report (docs/protocol.md §18.6): what a person could read
// each time they lost access — a removal, leaving, unbinding, account
// deletion, or a revoke or removal from a group that left them unable to
// open a vault. The records are the server's (it wrote them in the
// transaction that cut the access); this client names what it can open.

// Exposure is one record: what the person could read when they lost
// access at At.
type Exposure struct {
	// How: "removed", "left", "unbound", "deleted" (the whole
	// organisation), "revoked" or "group" (only the vaults listed).
	How string
	At  time.Time
	// Vaults they could open then, by id; VaultLabels names those this
	// account can open (ORG/NAME), "" for the others.
	Vaults      []string
	VaultLabels []string
	// Items this account can open, by vault label then name.
	Items []ExposedItem
	// Hidden counts the items this account cannot name: in a vault it
	// does not hold (a private group's, which the owner never holds) or
	// no longer there (purged, or its vault deleted since).
	Hidden int
	// HiddenByVault counts them per vault id (the vault then).
	HiddenByVault map[string]int
}

// ExposedItem is an item the person could read, named by this account.
type ExposedItem struct {
	ID      string `json:"id"`
	Name    string `json:"name"` // as this account sees it now
	Type    string `json:"type"`
	VaultID string `json:"vault_id"` // its vault then
	Vault   string `json:"vault"`    // its vault then, ORG/NAME (or where it is now, if this account cannot open that one)
	// Revision is the head they could read; Changed its signed time (the
	// author's clock) and Updated the server's time of that change.
	Revision uint64    `json:"revision"`
	Changed  time.Time `json:"changed"`
	Updated  time.Time `json:"updated"`
	Trashed  bool      `json:"trashed"` // it was in the trash then
	// ChangedSince: the item has a newer revision now than the one they
	// could read (which may or may not have changed its password).
	ChangedSince bool `json:"changed_since"`
	// MovedTo: the label of the vault it is in now, when it moved since.
	MovedTo string    `json:"moved_to,omitempty"`
	_       [0]func() // not comparable: no equality function in core.wasm
}

// Exposure returns, newest first, what the person with this e-mail
// address — a current or former member of the organisation, as its signed
// roster lists them — could read each time they lost access. The owner
// only. What they could read, they may have copied: the passwords of
// these items are the ones to change.
func (s *Session) Exposure(ctx context.Context, orgRef, email string) ([]Exposure, error) {
	o, err := s.requireOwner(orgRef)
	if err != nil {
		return nil, err
	}
	userID, err := s.rosterPerson(o.ID, email)
	if err != nil {
		return nil, err
	}
	var resp api.Exposures
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/exposure/"+url.PathEscape(userID), nil, &resp); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == statusForbidden {
			return nil, fmt.Errorf("%w: only the organisation's owner reads what a member could read", ErrNotAllowed)
		}
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.materializeLocked()
	out := make([]Exposure, 0, len(resp.Records))
	for _, r := range resp.Records {
		if r.UserID != userID {
			return nil, tampered("exposure of %s: a record of someone else", sanitize(email, 80))
		}
		e := Exposure{How: r.How, At: r.At, Vaults: r.Vaults, HiddenByVault: map[string]int{}}
		for _, v := range r.Vaults {
			e.VaultLabels = append(e.VaultLabels, s.knownVaultLabelLocked(v))
		}
		for _, x := range r.Items {
			it, ok := s.items[x.ItemID]
			label := s.knownVaultLabelLocked(x.VaultID)
			if !ok {
				e.Hidden++
				e.HiddenByVault[x.VaultID]++
				continue
			}
			item := ExposedItem{ID: x.ItemID, VaultID: x.VaultID, Vault: label, Name: it.Content.Name, Type: it.Type,
				Revision: x.Revision, Changed: time.UnixMilli(x.Time).UTC(), Updated: x.UpdatedAt, Trashed: x.TrashedAt != nil,
				ChangedSince: it.Revision > x.Revision}
			if it.VaultID != x.VaultID {
				item.MovedTo = s.knownVaultLabelLocked(it.VaultID)
				if item.Vault == "" {
					item.Vault = item.MovedTo
				}
			}
			e.Items = append(e.Items, item)
		}
		sort.SliceStable(e.Items, func(i, j int) bool {
			if e.Items[i].Vault != e.Items[j].Vault {
				return e.Items[i].Vault < e.Items[j].Vault
			}
			return naturalCompare(strings.ToLower(e.Items[i].Name), strings.ToLower(e.Items[j].Name)) < 0
		})
		out = append(out, e)
	}
	return out, nil
}

// knownVaultLabelLocked is a vault's label if this account opens it, else
// "". The caller holds s.mu.
func (s *Session) knownVaultLabelLocked(id string) string {
	if v, ok := s.vaults[id]; ok {
		return v.Label()
	}
	return ""
}

// rosterPerson finds a current or former member of an organisation by
// e-mail address, as its signed roster lists them.
func (s *Session) rosterPerson(orgID, email string) (string, error) {
	email = strings.TrimSpace(email)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, set := range []map[string]Member{s.members[orgID], s.former[orgID]} {
		for _, m := range set {
			if strings.EqualFold(m.Email, email) {
				return m.UserID, nil
			}
		}
	}
	return "", fmt.Errorf("%q is neither a member nor a former member of the organisation: %w", sanitize(email, 80), ErrNotFound)
}

// FormerMembers lists the addresses of an organisation's former members,
// as its signed roster lists them (and those gone whose roster is still
// pending): whose exposure its owner may read.
func (s *Session) FormerMembers(orgID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{}
	for _, m := range s.former[orgID] {
		out = append(out, m.Email)
	}
	sort.Strings(out)
	return out
}
