package client

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// The organisation audit log (docs/protocol.md §18.7): the client signs
// a statement for each organisation action it performs, and the owner's
// client reads, verifies and remembers the log.

// statement is the StatementHeader value for action on target in orgID:
// the caller's signature over crypto.AuditStatement. The (action, target)
// pair comes from internal/api, as the server's.
func (s *Session) statement(orgID, action string, target api.AuditTarget) string {
	now := uint64(s.opt.now().UnixMilli())
	sig := s.id.Sign(crypto.AuditStatement(orgID, action, s.Profile.UserID, now, target.JSON()))
	return api.FormatStatement(now, sig)
}

// AuditStatement is the api.StatementHeader value this account sends for
// action on target in orgID, for a caller that builds an audited request
// itself (tests that act as an insider, tools).
func (s *Session) AuditStatement(orgID, action string, target api.AuditTarget) string {
	return s.statement(orgID, action, target)
}

// itemStatement is statement for an item change that writes no revision
// (trash, restore, purge); none in My Vault, which is in no log.
func (s *Session) itemStatement(v *Vault, action, itemID string) string {
	if v.Kind != "org" {
		return ""
	}
	return s.statement(v.OrgID, action, api.TargetItem(v.ID, itemID, 0, ""))
}

// AuditMark is the head of an organisation's audit log a client has
// verified: its last entry's number and hash. Remembered in the account's
// keyring and in the device's marks, it makes a log that is later
// shortened, reordered or rewritten — even with a recomputed chain —
// fail (§18.7).
type AuditMark struct {
	Seq  uint64 `json:"seq"`
	Hash []byte `json:"hash"`
}

// AuditEntry is one verified entry of an organisation's audit log.
type AuditEntry struct {
	Seq     uint64
	Time    time.Time // the server's clock
	ActorID string    // "" for the server itself
	// Actor is the actor's e-mail address from the signed roster (former
	// members too), "" for the server or an account the roster never
	// listed (a server-attested join by someone not confirmed yet).
	Actor  string
	Action string
	Target api.AuditTarget
	Source string // the client's address as the server saw it
	// Signed: the entry carries the actor's verified statement; false
	// for server-attested actions (api.ServerAttested).
	Signed bool
}

// AuditFilter selects entries to return; the whole log is verified
// whatever it selects.
type AuditFilter struct {
	Since  time.Time // entries at or after (server time)
	Actor  string    // the actor's e-mail address
	Action string
}

// auditPage is how many entries one request asks for.
const auditPage = 1000

// AuditLog reads an organisation's whole audit log (the owner only),
// verifies it — the chain, every statement against the actor's roster
// keys, that each client action has one that matches the entry, no gaps,
// and the heads this account and this device remembered — and returns
// the entries f selects. Any failure is ErrTampered. The new head is
// remembered in the keyring and the device's marks.
func (s *Session) AuditLog(ctx context.Context, orgRef string, f AuditFilter) ([]AuditEntry, error) {
	o, err := s.requireOwner(orgRef)
	if err != nil {
		return nil, err
	}
	list, err := s.fetchAudit(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	kr, err := s.loadKeyring(ctx)
	if err != nil {
		return nil, err
	}
	out, err := s.verifyAudit(o.ID, list, s.memberAuditKeys(o.ID))
	if err != nil {
		return nil, err
	}
	return s.checkAndRemember(ctx, o.ID, list, kr, out, f)
}

// checkAndRemember checks a verified log against the heads this account
// and this device remembered, remembers its new head, and returns the
// entries f selects.
func (s *Session) checkAndRemember(ctx context.Context, orgID string, list []api.AuditEntry, kr *keyring, out []AuditEntry, f AuditFilter) ([]AuditEntry, error) {
	s.mu.Lock()
	seen := s.auditSeen[orgID]
	s.mu.Unlock()
	for _, m := range []AuditMark{kr.Audit[orgID], seen} {
		if err := checkAuditMark(orgID, list, m); err != nil {
			return nil, err
		}
	}
	if err := s.rememberAudit(ctx, orgID, list); err != nil {
		return nil, err
	}
	return filterAudit(out, f), nil
}

// auditKeys names an actor (their e-mail address as the roster signs it)
// and gives the keys their statements verify with; ok false for an
// account the roster never listed.
type auditKeys func(actorID string) (email string, keys crypto.PublicKeys, ok bool)

// memberAuditKeys are the roster's keys as this member's session verified
// them: current and former members (§14.2).
func (s *Session) memberAuditKeys(orgID string) auditKeys {
	return func(actorID string) (string, crypto.PublicKeys, bool) {
		if actorID == s.Profile.UserID {
			return s.Profile.Email, s.id.Public(), true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		m, ok := s.signerKeys(orgID, actorID)
		return m.Email, m.Keys, ok
	}
}

// fetchAudit reads every page of the log, the owner's way.
func (s *Session) fetchAudit(ctx context.Context, orgID string) ([]api.AuditEntry, error) {
	return s.fetchAuditAt(ctx, "/orgs/"+url.PathEscape(orgID)+"/audit", orgID, "only the organisation's owner reads its audit log")
}

// fetchAuditAt reads every page of the log at base; refused says who may.
func (s *Session) fetchAuditAt(ctx context.Context, base, orgID, refused string) ([]api.AuditEntry, error) {
	var all []api.AuditEntry
	for {
		var page api.AuditLog
		path := base + "?after=" + strconv.Itoa(len(all)) + "&limit=" + strconv.Itoa(auditPage)
		if err := s.t.do(ctx, "GET", path, nil, &page); err != nil {
			var ae *APIError
			if errors.As(err, &ae) && ae.Status == statusForbidden {
				return nil, fmt.Errorf("%w: %s", ErrNotAllowed, refused)
			}
			return nil, err
		}
		if len(page.Entries) > auditPage || (page.More && len(page.Entries) == 0) {
			return nil, tampered("audit log of %s: a page out of bounds", orgID)
		}
		all = append(all, page.Entries...)
		if !page.More {
			return all, nil
		}
	}
}

// verifyAudit checks the chain and every entry's statement against the
// keys who gives.
func (s *Session) verifyAudit(orgID string, list []api.AuditEntry, who auditKeys) ([]AuditEntry, error) {
	out := make([]AuditEntry, 0, len(list))
	prev := crypto.ZeroHash()
	for i, e := range list {
		if e.Seq != uint64(i+1) || !crypto.Equal(e.PrevHash, prev) {
			return nil, tampered("audit log of %s: the chain breaks at entry %d (an entry missing, moved or replaced)", orgID, i+1)
		}
		h := crypto.AuditEntryHash(crypto.AuditEntry{OrgID: orgID, Seq: e.Seq, PrevHash: e.PrevHash, Time: e.Time, ActorID: e.ActorID,
			Action: e.Action, Target: e.Target, Source: e.Source, Statement: e.Statement, StatementSig: e.StatementSig})
		if !crypto.Equal(h, e.Hash) {
			return nil, tampered("audit log of %s: entry %d was altered", orgID, e.Seq)
		}
		entry, err := checkAuditEntry(orgID, e, who)
		if err != nil {
			return nil, err
		}
		out = append(out, entry)
		prev = h
	}
	return out, nil
}

// checkAuditEntry checks one entry's action, target and statement.
func checkAuditEntry(orgID string, e api.AuditEntry, who auditKeys) (AuditEntry, error) {
	bad := func(why string) (AuditEntry, error) {
		return AuditEntry{}, tampered("audit log of %s: entry %d (%s): %s", orgID, e.Seq, sanitize(e.Action, 40), why)
	}
	if !slices.Contains(api.AuditActions, e.Action) {
		return bad("not an action of the protocol")
	}
	var t api.AuditTarget
	dec := json.NewDecoder(bytes.NewReader(e.Target))
	dec.DisallowUnknownFields()
	if dec.Decode(&t) != nil || !bytes.Equal(t.JSON(), e.Target) {
		return bad("its target is not in the protocol's form")
	}
	out := AuditEntry{Seq: e.Seq, Time: time.UnixMilli(int64(e.Time)).UTC(), ActorID: e.ActorID, Action: e.Action, Target: t, Source: e.Source}
	email, keys, known := "", crypto.PublicKeys{}, false
	if e.ActorID != "" {
		email, keys, known = who(e.ActorID)
	}
	out.Actor = email
	if api.ServerAttested(e.Action) {
		if len(e.Statement) > 0 || len(e.StatementSig) > 0 {
			return bad("a server-attested action with a statement")
		}
		return out, nil
	}
	if len(e.Statement) == 0 {
		return bad("a client action without the actor's statement")
	}
	if !known {
		return bad("its actor is not in the organisation's signed roster")
	}
	if crypto.Verify(keys, e.Statement, e.StatementSig) != nil {
		return bad("the statement's signature does not verify with the actor's keys")
	}
	if !statementMatches(orgID, e, t) {
		return bad("the statement says something else than the entry")
	}
	out.Signed = true
	return out, nil
}

// statementMatches reports whether what the actor signed is this entry:
// for an item change the revision's signed message names the
// organisation, vault, item, revision and author; for any other action
// the statement is exactly crypto.AuditStatement of the entry.
func statementMatches(orgID string, e api.AuditEntry, t api.AuditTarget) bool {
	label, f, ok := crypto.ParseTuple(e.Statement)
	if !ok {
		return false
	}
	if api.RevisionStated(e.Action) {
		return label == "coffer/v1/revision-sig" && len(f) == 11 && string(f[0]) == orgID && string(f[1]) == t.Vault &&
			string(f[2]) == t.Item && len(f[3]) == 8 && binary.BigEndian.Uint64(f[3]) == t.Revision && string(f[7]) == e.ActorID
	}
	if label != "coffer/v1/audit-statement" || len(f) != 5 || len(f[3]) != 8 {
		return false
	}
	return bytes.Equal(e.Statement, crypto.AuditStatement(orgID, e.Action, e.ActorID, binary.BigEndian.Uint64(f[3]), e.Target))
}

// checkAuditMark: a remembered head must still be in the log, unchanged.
func checkAuditMark(orgID string, list []api.AuditEntry, m AuditMark) error {
	if m.Seq == 0 {
		return nil
	}
	if m.Seq > uint64(len(list)) {
		return tampered("audit log of %s: %d entries, but this account has seen %d (entries deleted or withheld)", orgID, len(list), m.Seq)
	}
	if !crypto.Equal(list[m.Seq-1].Hash, m.Hash) {
		return tampered("audit log of %s: entry %d is not the one this account saw (the log was rewritten)", orgID, m.Seq)
	}
	return nil
}

// rememberAudit raises the remembered heads to the log's newest entry:
// the device's marks, and the keyring (only when it moved, so that a
// read of an unchanged log writes nothing).
func (s *Session) rememberAudit(ctx context.Context, orgID string, list []api.AuditEntry) error {
	if len(list) == 0 {
		return nil
	}
	head := AuditMark{Seq: uint64(len(list)), Hash: list[len(list)-1].Hash}
	s.mu.Lock()
	if s.auditSeen[orgID].Seq < head.Seq {
		s.auditSeen[orgID] = head
	}
	s.mu.Unlock()
	return s.updateKeyring(ctx, func(kr *keyring) bool {
		if kr.Audit[orgID].Seq >= head.Seq {
			return false
		}
		if kr.Audit == nil {
			kr.Audit = map[string]AuditMark{}
		}
		kr.Audit[orgID] = head
		return true
	})
}

func filterAudit(list []AuditEntry, f AuditFilter) []AuditEntry {
	out := list[:0:0]
	for _, e := range list {
		if (!f.Since.IsZero() && e.Time.Before(f.Since)) || (f.Action != "" && e.Action != f.Action) ||
			(f.Actor != "" && !strings.EqualFold(e.Actor, strings.TrimSpace(f.Actor))) {
			continue
		}
		out = append(out, e)
	}
	return out
}
