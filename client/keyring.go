package client

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// keyring is the account's sealed list of pinned organisations
// (docs/protocol.md §14.2): an organisation is accepted only if its owner's
// keys are pinned here.
type keyring struct {
	Version uint64               `json:"-"`
	Orgs    map[string]pinnedOrg `json:"orgs"`
	// Audit is, per organisation this account owns, the head of its
	// audit log last verified on any of the account's devices (§18.7).
	Audit map[string]AuditMark `json:"audit,omitempty"`
}

type pinnedOrg struct {
	OwnerID string `json:"owner_id"`
	SignPub []byte `json:"sign_pub"`
	KEMPub  []byte `json:"kem_pub"`
	// Name and OwnerEmail: what the code-authenticated invitation said,
	// pinned at join, so that a joined invitee's client can name the
	// organisation before the owner's confirmation lets it open it.
	Name       string `json:"name,omitempty"`
	OwnerEmail string `json:"owner_email,omitempty"`
	// FormerOwners are the owners before OwnerID, oldest first, each of
	// whom handed the organisation on by a signed transfer this account
	// checked (§18.5): what they signed as owner (organisation key wraps)
	// stays valid.
	FormerOwners []string `json:"former_owners,omitempty"`
}

// isOwnerOf reports whether userID owns or owned the organisation.
func (p pinnedOrg) isOwnerOf(userID string) bool {
	if userID == p.OwnerID {
		return true
	}
	for _, id := range p.FormerOwners {
		if id == userID {
			return true
		}
	}
	return false
}

func (p pinnedOrg) keys() crypto.PublicKeys { return crypto.PublicKeys{Sign: p.SignPub, KEM: p.KEMPub} }

func (s *Session) keyringAD() []byte {
	return crypto.Tuple("coffer/v1/keyring", []byte(s.Profile.UserID))
}

// loadKeyring fetches and opens the keyring. A version lower than one this
// session wrote or read is a rollback.
func (s *Session) loadKeyring(ctx context.Context) (*keyring, error) {
	var resp api.Keyring
	if err := s.t.do(ctx, "GET", "/keyring", nil, &resp); err != nil {
		return nil, err
	}
	kr := &keyring{Version: resp.Version, Orgs: map[string]pinnedOrg{}}
	s.mu.Lock()
	seen := s.keyringSeen
	s.mu.Unlock()
	if resp.Version == 0 {
		if seen > 0 {
			return nil, tampered("keyring withheld")
		}
		return kr, nil
	}
	if resp.Version < seen {
		return nil, tampered("keyring rolled back to version %d after %d", resp.Version, seen)
	}
	pt, err := crypto.Open(s.ak, resp.Box, s.keyringAD())
	if err != nil {
		return nil, tampered("keyring")
	}
	if err := json.Unmarshal(pt, kr); err != nil {
		return nil, tampered("keyring content")
	}
	if kr.Orgs == nil {
		kr.Orgs = map[string]pinnedOrg{}
	}
	s.mu.Lock()
	if resp.Version != s.keyringSeen {
		s.cacheChangedLocked()
	}
	s.keyringSeen = resp.Version
	s.mu.Unlock()
	return kr, nil
}

// pinOrg adds an organisation's owner to the keyring (read, modify, write
// with optimistic concurrency; retried on a concurrent change).
func (s *Session) pinOrg(ctx context.Context, orgID string, p pinnedOrg) error {
	for attempt := 0; attempt < 3; attempt++ {
		kr, err := s.loadKeyring(ctx)
		if err != nil {
			return err
		}
		if old, ok := kr.Orgs[orgID]; ok {
			handedOn := old.OwnerID != p.OwnerID && slices.Contains(p.FormerOwners, old.OwnerID)
			if !handedOn && (old.OwnerID != p.OwnerID || !crypto.Equal(old.SignPub, p.SignPub) || !crypto.Equal(old.KEMPub, p.KEMPub)) {
				return tampered("organisation %s is pinned with another owner", orgID)
			}
			if !handedOn && (p.Name == "" || (old.Name == p.Name && old.OwnerEmail == p.OwnerEmail && len(p.FormerOwners) <= len(old.FormerOwners))) {
				return nil
			}
			// The same owner: only what the invitation said is new. Or an
			// invitation (authenticated by its code) from an owner the
			// organisation was handed on to since (§18.5).
			if !handedOn && len(p.FormerOwners) < len(old.FormerOwners) {
				p.FormerOwners = old.FormerOwners
			}
		}
		kr.Orgs[orgID] = p
		pt, err := json.Marshal(kr)
		if err != nil {
			return err
		}
		box, err := crypto.Seal(s.ak, pt, s.keyringAD())
		if err != nil {
			return err
		}
		err = s.t.do(ctx, "PUT", "/keyring", api.PutKeyringRequest{BaseVersion: kr.Version, Box: box}, nil)
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == api.CodeConflict {
			continue
		}
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.keyringSeen = kr.Version + 1
		s.cacheChangedLocked()
		s.mu.Unlock()
		return nil
	}
	return errors.New("the keyring kept changing; try again")
}

// repinOrg moves an organisation's pin from the owner pinned as from to
// the owner to — only after a transfer from one to the other was checked
// (§18.5). The owners in between (a chain of transfers) are in via.
func (s *Session) repinOrg(ctx context.Context, orgID string, from pinnedOrg, to pinnedOrg, via ...string) error {
	return s.updateKeyring(ctx, func(kr *keyring) bool {
		cur, ok := kr.Orgs[orgID]
		if !ok || cur.OwnerID != from.OwnerID || !crypto.Equal(cur.SignPub, from.SignPub) {
			return false // changed meanwhile: the next sync looks again
		}
		next := to
		next.Name = cur.Name
		next.FormerOwners = append(append(append([]string(nil), cur.FormerOwners...), cur.OwnerID), via...)
		kr.Orgs[orgID] = next
		return true
	})
}

// updateKeyring changes the keyring with change (which reports whether it
// changed anything) and writes it: read, modify, write with optimistic
// concurrency, retried on a concurrent change.
func (s *Session) updateKeyring(ctx context.Context, change func(*keyring) bool) error {
	for attempt := 0; attempt < 3; attempt++ {
		kr, err := s.loadKeyring(ctx)
		if err != nil {
			return err
		}
		if !change(kr) {
			return nil
		}
		pt, err := json.Marshal(kr)
		if err != nil {
			return err
		}
		box, err := crypto.Seal(s.ak, pt, s.keyringAD())
		if err != nil {
			return err
		}
		err = s.t.do(ctx, "PUT", "/keyring", api.PutKeyringRequest{BaseVersion: kr.Version, Box: box}, nil)
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == api.CodeConflict {
			continue
		}
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.keyringSeen = kr.Version + 1
		s.cacheChangedLocked()
		s.mu.Unlock()
		return nil
	}
	return errors.New("the keyring kept changing; try again")
}
