package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Instance administration (docs/protocol.md §18.8). An administrator is a
// server role: these calls read and change routing metadata only, and no
// key is ever wrapped to an administrator as such.

// AdminAccount is an account as an instance administrator sees it.
type AdminAccount = api.AdminAccount

// AdminAccountDetail is an account with its organisations and groups
// (ids and sizes: names are sealed).
type AdminAccountDetail = api.AdminAccountDetail

// ErrAccountDisabled: an instance administrator disabled the account; it
// cannot log in until one enables it.
var ErrAccountDisabled = errors.New("this account is disabled by an instance administrator; ask them to enable it")

// ErrTransferOwnership: an organisation's owner cannot leave it, be
// removed or unbound, nor delete their account while they own one.
var ErrTransferOwnership = errors.New("transfer ownership first")

// IsInstanceAdmin asks the server whether this account is an instance
// administrator (what the web app's Administrator Portal is shown for).
func (s *Session) IsInstanceAdmin(ctx context.Context) (bool, error) {
	var acct api.Account
	if err := s.t.do(ctx, "GET", "/account", nil, &acct); err != nil {
		return false, err
	}
	return acct.InstanceAdmin, nil
}

func adminPath(ref string) string { return "/admin/accounts/" + url.PathEscape(ref) }

// AdminSearch lists accounts whose address or name contains text.
func (s *Session) AdminSearch(ctx context.Context, text string) ([]AdminAccount, error) {
	var out []AdminAccount
	err := s.t.do(ctx, "GET", "/admin/accounts?search="+url.QueryEscape(text), nil, &out)
	return out, err
}

// AdminAccount returns an account (by address or id) with its bindings.
func (s *Session) AdminAccount(ctx context.Context, ref string) (*AdminAccountDetail, error) {
	var out AdminAccountDetail
	if err := s.t.do(ctx, "GET", adminPath(ref), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AdminUnbind cuts an account (by address or id) from an organisation (by
// id: the administrator cannot read its name). Never its owner.
func (s *Session) AdminUnbind(ctx context.Context, ref, orgID string) error {
	return ownershipError(s.t.do(ctx, "POST", adminPath(ref)+"/orgs/"+url.PathEscape(orgID)+"/unbind", struct{}{}, nil))
}

// AdminDisable disables an account: it cannot log in, and its sessions
// are revoked at once. It returns how many.
func (s *Session) AdminDisable(ctx context.Context, ref string) (int, error) {
	var out api.AdminDisabled
	err := s.t.do(ctx, "POST", adminPath(ref)+"/disable", struct{}{}, &out)
	return out.RevokedSessions, err
}

// AdminResetSecondFactors turns an account's two-factor log-in off (its
// TOTP, recovery codes and security keys), for someone who lost them all;
// the account's user is told at their next unlock.
func (s *Session) AdminResetSecondFactors(ctx context.Context, ref string) error {
	return s.t.do(ctx, "POST", adminPath(ref)+"/reset-2fa", struct{}{}, nil)
}

// AdminEnable lets a disabled account log in again.
func (s *Session) AdminEnable(ctx context.Context, ref string) error {
	return s.t.do(ctx, "POST", adminPath(ref)+"/enable", struct{}{}, nil)
}

// ownershipError makes the server's "transfer ownership first" refusal
// errors.Is ErrTransferOwnership, keeping its words.
func ownershipError(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeTransferOwnership {
		return &ownershipErr{ae}
	}
	return err
}

// ownershipErr is the server's refusal in its own words; it is both
// ErrTransferOwnership and the *APIError.
type ownershipErr struct{ ae *APIError }

func (e *ownershipErr) Error() string   { return sanitize(e.ae.Message, 300) }
func (e *ownershipErr) Unwrap() []error { return []error{ErrTransferOwnership, e.ae} }

// LeaveOrg leaves an organisation: the server cuts this account's access
// at once; the owner's client then signs the roster with it as a former
// member. The owner cannot leave (ErrTransferOwnership).
func (s *Session) LeaveOrg(ctx context.Context, ref string) error {
	o, err := s.FindOrg(ref)
	if err != nil {
		return err
	}
	if err := s.LeaveRefusal(o); err != nil {
		return err
	}
	// Leaving is recorded in the organisation's audit log with this
	// account's signed statement (§18.7).
	stmt := s.statement(o.ID, api.AuditLeave, api.TargetMember(s.Profile.UserID))
	if err := ownershipError(s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/leave", stmt, struct{}{}, nil)); err != nil {
		return err
	}
	return s.refresh(ctx)
}

// LeaveRefusal is why this account cannot leave o (ErrTransferOwnership:
// it owns it), or nil: what LeaveOrg refuses before asking the server.
func (s *Session) LeaveRefusal(o *Org) error {
	if o.OwnerID == s.Profile.UserID {
		return fmt.Errorf("%w: you own %s and cannot leave it", ErrTransferOwnership, sanitize(o.Name, 100))
	}
	return nil
}

// DeleteAccount deletes this account for good, proving the master
// password afresh (protocol §4): the server leaves every organisation and
// deletes My Vault, its files and every session. Refused
// (ErrTransferOwnership) while the account owns an organisation.
func (s *Session) DeleteAccount(ctx context.Context, password []byte) error {
	var acct api.Account
	if err := s.t.do(ctx, "GET", "/account", nil, &acct); err != nil {
		return err
	}
	if acct.UserID != s.Profile.UserID || !sameIdentity(acct.Keys, s.Profile.Keys) {
		return tampered("the server returned another account's key material")
	}
	mk, err := crypto.DeriveMasterKeys(password, s.Profile.Email, kdfFromAPI(acct.KDF))
	if err != nil {
		return err
	}
	if _, err := crypto.UnwrapAccountKey(mk.KEK, acct.Keys.WrappedAccountKey, s.Profile.UserID); err != nil {
		return ErrWrongPassword
	}
	err = s.t.do(ctx, "DELETE", "/account", api.DeleteAccountRequest{AuthKey: mk.AuthKey}, nil)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeWrongPassword {
		return ErrWrongPassword
	}
	return ownershipError(err)
}

// completeDepartures signs, for every organisation this account owns, the
// next roster version with each member who left, was unbound or deleted
// their account as a former member (protocol §18.4), re-signing the keys
// of groups they made. It checks the server's word against the roster it
// holds: only a current, non-owner member of the signed roster is moved.
// It reports whether it sent anything. Failures are warnings: the next
// sync tries again. The caller holds s.op.
func (s *Session) completeDepartures(ctx context.Context) bool {
	type job struct {
		o *Org
		m Member
	}
	var jobs []job
	s.mu.Lock()
	for _, o := range s.orgs {
		if o.OwnerID != s.Profile.UserID {
			continue
		}
		for userID := range o.departed {
			m, ok := s.former[o.ID][userID]
			if ok && userID != o.OwnerID && inRosterAsMember(o, userID) {
				jobs = append(jobs, job{o, m})
			}
		}
	}
	s.mu.Unlock()
	sent := false
	for _, j := range jobs {
		if err := s.sendRemoval(ctx, j.o, j.m); err != nil {
			s.mu.Lock()
			s.warn("%s left %s; signing the roster without them failed (tried again at the next sync): %v", j.m.Email, j.o.Name, err)
			s.mu.Unlock()
			continue
		}
		sent = true
	}
	return sent
}

func inRosterAsMember(o *Org, userID string) bool {
	for _, m := range o.roster {
		if m.UserID == userID {
			return !m.Former
		}
	}
	return false
}

// AdminAuditLog is AuditLog for an instance administrator (§18.7,
// §18.8), who is not a member of the organisation (named by id: its name
// is sealed): the whole log is read through the administrator's
// endpoints and verified the same way — the chain, no gaps, every
// client action's statement against the keys of the owner-signed roster,
// and the heads this account (keyring) and this device remembered, which
// then move to the log's head. Any failure is ErrTampered.
//
// The roster's signature is checked with the owner's keys as this
// account pinned them if it is a member itself; otherwise with the
// owner's keys as the server serves them (self-signed), since an
// administrator pinned nothing at an invitation: against a server that
// swaps the owner's keys and the whole roster, an administrator's check
// of statements is only as good as that — the remembered heads still
// catch a log rewritten after this account saw it.
func (s *Session) AdminAuditLog(ctx context.Context, orgID string, f AuditFilter) ([]AuditEntry, error) {
	var ro api.AdminOrgRoster
	if err := s.t.do(ctx, "GET", "/admin/orgs/"+url.PathEscape(orgID)+"/roster", nil, &ro); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == statusForbidden {
			return nil, fmt.Errorf("%w: only instance administrators read an organisation's audit log this way", ErrNotAllowed)
		}
		return nil, err
	}
	kr, err := s.loadKeyring(ctx)
	if err != nil {
		return nil, err
	}
	who, err := s.adminRosterKeys(orgID, ro, kr)
	if err != nil {
		return nil, err
	}
	list, err := s.fetchAuditAt(ctx, "/admin/orgs/"+url.PathEscape(orgID)+"/audit", orgID,
		"only instance administrators read an organisation's audit log this way")
	if err != nil {
		return nil, err
	}
	out, err := s.verifyAudit(orgID, list, who)
	if err != nil {
		return nil, err
	}
	return s.checkAndRemember(ctx, orgID, list, kr, out, f)
}

// adminRosterKeys verifies the roster an administrator is served — signed
// by the owner, not older than this device saw, every listed account's
// keys self-signed and matching its fingerprint — and returns the keys
// statements are checked against.
func (s *Session) adminRosterKeys(orgID string, ro api.AdminOrgRoster, kr *keyring) (auditKeys, error) {
	if ro.OrgID != orgID {
		return nil, tampered("audit log of %s: the roster of another organisation", orgID)
	}
	served := map[string]crypto.PublicKeys{}
	for _, k := range ro.Keys {
		pk := crypto.PublicKeys{Sign: k.SignPub, KEM: k.KEMPub}
		if crypto.VerifyPublicKeys(crypto.RecipientUser, k.UserID, pk, pk, k.PublicKeysSig) != nil {
			return nil, tampered("audit log of %s: the keys of %s are not self-signed", orgID, k.UserID)
		}
		served[k.UserID] = pk
	}
	owner, ok := served[ro.OwnerID]
	if pin, pinned := kr.Orgs[orgID]; pinned {
		if pin.OwnerID != ro.OwnerID {
			return nil, tampered("audit log of %s: another owner than the one this account pinned", orgID)
		}
		owner, ok = pin.keys(), true
	}
	if !ok {
		return nil, tampered("audit log of %s: the owner's keys were withheld", orgID)
	}
	members := make([]crypto.RosterMember, 0, len(ro.Roster.Members))
	for _, m := range ro.Roster.Members {
		members = append(members, crypto.RosterMember{UserID: m.UserID, Email: m.Email, Fingerprint: m.Fingerprint, Former: m.Former})
	}
	if crypto.VerifyRoster(owner, orgID, ro.Roster.Version, ro.OwnerID, members, ro.Roster.Sig) != nil {
		return nil, tampered("audit log of %s: its roster is not signed by the owner", orgID)
	}
	byID := map[string]Member{}
	for _, m := range ro.Roster.Members {
		pk, ok := served[m.UserID]
		if !ok || !crypto.Equal(pk.Fingerprint(), m.Fingerprint) {
			return nil, tampered("audit log of %s: the keys of %s do not match the signed roster", orgID, sanitize(m.Email, 80))
		}
		byID[m.UserID] = Member{UserID: m.UserID, Email: m.Email, Keys: pk}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ro.Roster.Version < s.rosterSeen[orgID] {
		return nil, tampered("audit log of %s: its roster rolled back to version %d", orgID, ro.Roster.Version)
	}
	s.rosterSeen[orgID] = ro.Roster.Version
	me, myEmail, myKeys := s.Profile.UserID, s.Profile.Email, s.id.Public()
	return func(actorID string) (string, crypto.PublicKeys, bool) {
		if m, ok := byID[actorID]; ok {
			return m.Email, m.Keys, true
		}
		if actorID == me {
			// The administrator's own server-attested actions (unbind).
			return myEmail, myKeys, false
		}
		return "", crypto.PublicKeys{}, false
	}, nil
}
