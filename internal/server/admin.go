package server

import (
	"github.com/google/uuid"

	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

// Instance administrators (docs/protocol.md §18.8) are a server role: they
// search accounts, see an account's bindings by id and size, unbind an
// account from an organisation and disable or enable an account. They hold
// no key and gain none: every handler here reads and writes routing
// metadata only.

// maxAdminResults bounds one account search.
const maxAdminResults = 200

// errTransferOwnership is the refusal of anything that would leave an
// organisation without its owner.
func errTransferOwnership(msg string) error {
	return &httpError{http.StatusConflict, api.CodeTransferOwnership, msg + "; transfer ownership first", 0}
}

// isAdmin reports whether the account is an instance administrator: named
// at start-up (Config.Admins, matched by address, so an account that signs
// up later with a named address is one from then on), or granted on the
// server machine (coffer admin grant-admin).
func (s *Server) isAdmin(ctx context.Context, a store.Account) (bool, error) {
	if !a.DeletedAt.IsZero() {
		return false, nil
	}
	if slices.ContainsFunc(s.cfg.Admins, func(e string) bool { return strings.EqualFold(e, a.Email) }) {
		return true, nil
	}
	return s.store.IsGrantedAdmin(ctx, a.ID)
}

// adminOnly wraps a handler for instance administrators; anyone else gets
// 403 (the endpoints' existence is no secret).
func (s *Server) adminOnly(h handlerFunc) http.Handler {
	return s.authed(func(w http.ResponseWriter, r *http.Request) error {
		me, err := s.store.AccountByID(r.Context(), s.userID(r))
		if err != nil {
			return err
		}
		ok, err := s.isAdmin(r.Context(), me)
		if err != nil {
			return err
		}
		if !ok {
			return errForbidden("only instance administrators may do this")
		}
		return h(w, r)
	})
}

// adminTarget finds the account a path's {user} names: an id, or an
// address (with an @). Deleted accounts are not found.
func (s *Server) adminTarget(r *http.Request) (store.Account, error) {
	ref := r.PathValue("user")
	var a store.Account
	var err error
	if strings.Contains(ref, "@") {
		email, e := normalizeEmail(ref)
		if e != nil {
			return a, e
		}
		a, err = s.store.AccountByEmail(r.Context(), email)
	} else {
		if e := checkID("user id", ref); e != nil {
			return a, e
		}
		a, err = s.store.AccountByID(r.Context(), ref)
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && !a.DeletedAt.IsZero()) {
		return a, errNotFound("account")
	}
	return a, err
}

func (s *Server) adminAccount(ctx context.Context, a store.AccountSummary) api.AdminAccount {
	out := api.AdminAccount{UserID: a.ID, Email: a.Email, Name: a.Name, CreatedAt: a.CreatedAt, Admin: a.Granted, Orgs: a.Orgs}
	if !a.DisabledAt.IsZero() {
		at := a.DisabledAt
		out.Disabled, out.DisabledAt = true, &at
	}
	if !out.Admin {
		out.Admin, _ = s.isAdmin(ctx, store.Account{ID: a.ID, Email: a.Email})
	}
	return out
}

// adminSearch: GET /admin/accounts?search=TEXT.
func (s *Server) adminSearch(w http.ResponseWriter, r *http.Request) error {
	text := r.URL.Query().Get("search")
	if len(text) > 254 {
		return errBadRequest("search must be at most 254 bytes")
	}
	list, err := s.store.SearchAccounts(r.Context(), text, maxAdminResults)
	if err != nil {
		return err
	}
	out := make([]api.AdminAccount, 0, len(list))
	for _, a := range list {
		out = append(out, s.adminAccount(r.Context(), a))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// adminAccountDetail: GET /admin/accounts/{user}: the account and its
// organisations and groups (ids and sizes; names are sealed).
func (s *Server) adminAccountDetail(w http.ResponseWriter, r *http.Request) error {
	a, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	b, err := s.store.AccountBindings(r.Context(), a.ID)
	if err != nil {
		return err
	}
	granted, err := s.store.IsGrantedAdmin(r.Context(), a.ID)
	if err != nil {
		return err
	}
	out := api.AdminAccountDetail{AdminAccount: s.adminAccount(r.Context(), store.AccountSummary{ID: a.ID, Email: a.Email, Name: a.Name,
		CreatedAt: a.CreatedAt, DisabledAt: a.DisabledAt, Granted: granted, Orgs: len(b.Orgs)}),
		Orgs: []api.AdminOrgBinding{}, Groups: []api.AdminGroupBinding{}}
	on, err := s.store.TwoFactorOn(r.Context(), []string{a.ID})
	if err != nil {
		return err
	}
	out.TwoFactor = on[a.ID]
	for _, o := range b.Orgs {
		out.Orgs = append(out.Orgs, api.AdminOrgBinding{OrgID: o.OrgID, Role: o.Role, Members: o.Members, OwnerID: o.OwnerID, OwnerEmail: o.OwnerEmail})
	}
	for _, g := range b.Groups {
		out.Groups = append(out.Groups, api.AdminGroupBinding{GroupID: g.GroupID, OrgID: g.OrgID, Private: g.Private, Members: g.Members, Member: g.Member, Manager: g.Manager})
	}
	p, err := s.store.ExportPolicy(r.Context(), a.ID)
	if err != nil {
		return err
	}
	out.ExportMyVaultOnly = p.MyVaultOnly
	writeJSON(w, http.StatusOK, out)
	return nil
}

// adminUnbind: POST /admin/accounts/{user}/orgs/{org}/unbind. Access goes
// at once, as at a removal; the roster is pending until the owner's
// client signs it (§18.4). Never the owner.
func (s *Server) adminUnbind(w http.ResponseWriter, r *http.Request) error {
	a, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	orgID := r.PathValue("org")
	if err := checkID("organisation id", orgID); err != nil {
		return err
	}
	// Recorded in the organisation's log in the departure's transaction:
	// server-attested, the administrator as actor (§18.7).
	s.auditServer(r, orgID, s.userID(r), api.AuditUnbind, api.TargetMember(a.ID))
	if err := s.depart(r.Context(), orgID, a.ID, store.DepartUnbound); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "member unbound by an instance administrator", "org", orgID, "user", a.ID, "admin", s.userID(r))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// depart cuts a member's access without a roster and answers the store's
// refusals in words.
func (s *Server) depart(ctx context.Context, orgID, userID, how string) error {
	err := s.store.Depart(ctx, orgID, userID, how, s.now())
	switch {
	case errors.Is(err, store.ErrOwner):
		return errTransferOwnership("the organisation's owner cannot leave it or be unbound from it")
	case errors.Is(err, store.ErrNotFound):
		return errNotFound("membership")
	}
	return err
}

// adminDisable: POST /admin/accounts/{user}/disable. The account cannot
// log in; its sessions are revoked in the same transaction and its live
// streams close. An administrator cannot disable their own account: that
// could leave the instance without one (only the server machine could
// then help).
func (s *Server) adminDisable(w http.ResponseWriter, r *http.Request) error {
	a, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	if a.ID == s.userID(r) {
		return errConflict("an administrator cannot disable their own account; ask another administrator", 0)
	}
	n, err := s.store.SetDisabled(r.Context(), a.ID, true, s.now())
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "account disabled", "user", a.ID, "admin", s.userID(r), "revoked_sessions", n)
	writeJSON(w, http.StatusOK, api.AdminDisabled{RevokedSessions: n})
	return nil
}

// adminResetSecondFactors: POST /admin/accounts/{user}/reset-2fa. For
// someone who lost their authenticator, their recovery codes and their
// security keys: the account's two-factor log-in is turned off (its
// master password still guards it, and the vault stays sealed — a second
// factor opens nothing), and its user is shown a notice saying who did it
// at their next unlock. An organisation's requirement does not stop it:
// the administrator's decision is the way back in; the person turns it on
// again.
func (s *Server) adminResetSecondFactors(w http.ResponseWriter, r *http.Request) error {
	a, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	adminID := s.userID(r)
	admin, err := s.store.AccountByID(r.Context(), adminID)
	if err != nil {
		return err
	}
	now := s.now()
	notice := store.AccountNotice{ID: uuid.NewString(), Kind: store.NoticeSecondFactorReset, ActorID: adminID, ActorEmail: admin.Email,
		ApprovedAt: now, ClientAddr: s.clientAddr(r), CreatedAt: now}
	if err := s.store.ResetSecondFactors(r.Context(), a.ID, notice); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("two-factor log-in on this account")
		}
		return err
	}
	s.log.InfoContext(r.Context(), "second factors reset", "user", a.ID, "admin", adminID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// adminEnable: POST /admin/accounts/{user}/enable.
func (s *Server) adminEnable(w http.ResponseWriter, r *http.Request) error {
	a, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	if _, err := s.store.SetDisabled(r.Context(), a.ID, false, s.now()); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "account enabled", "user", a.ID, "admin", s.userID(r))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// leaveOrg: POST /orgs/{org}/leave. A member leaves; the owner cannot.
func (s *Server) leaveOrg(w http.ResponseWriter, r *http.Request) error {
	orgID := r.PathValue("org")
	if err := checkID("organisation id", orgID); err != nil {
		return err
	}
	role, err := s.store.OrgRole(r.Context(), orgID, s.userID(r))
	if errors.Is(err, store.ErrNotFound) || (err == nil && role == "") {
		return errNotFound("organisation")
	}
	if err != nil {
		return err
	}
	// Recorded with the member's signed statement, in the departure's
	// transaction (§18.7); a request without one is refused before
	// anything is done.
	if role != store.RoleOwner {
		if err := s.audit(r, orgID, api.AuditLeave, api.TargetMember(s.userID(r))); err != nil {
			return err
		}
	}
	if err := s.depart(r.Context(), orgID, s.userID(r), store.DepartLeft); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "member left", "org", orgID, "user", s.userID(r))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteAccount: DELETE /account, with the master password proved afresh
// (a stolen session token alone cannot delete an account). Refused while
// the account owns an organisation.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request) error {
	var req api.DeleteAccountRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	c := callerFrom(r.Context())
	me, err := s.store.AccountByID(r.Context(), c.session.UserID)
	if err != nil {
		return err
	}
	acct, err := s.checkAuthKey(w, r, me.Email, req.AuthKey)
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusUnauthorized {
		return &httpError{http.StatusForbidden, api.CodeWrongPassword, "the master password is wrong; nothing was deleted", 0}
	}
	if err != nil {
		return err
	}
	if acct.ID != me.ID {
		return errUnauthorized("the account changed its address meanwhile; try again")
	}
	// Every organisation it leaves records it, in the deletion's
	// transaction: server-attested, the account as actor (§18.7).
	store.AuditEachOrg(r.Context(), s.auditEntry(r, "", me.ID, api.AuditAccountDelete, api.TargetMember(me.ID).JSON(), nil, nil))
	err = s.store.DeleteAccount(r.Context(), me.ID, s.now())
	if errors.Is(err, store.ErrOwnsOrgs) {
		return errTransferOwnership("this account owns an organisation and cannot be deleted")
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "account deleted", "user", me.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// completeDeparture is the owner's removal request for a member who left,
// was unbound or deleted their account (the member row is gone already):
// it stores the signed roster with them as a former member and the
// owner's signatures of group keys they signed, and clears the mark.
func (s *Server) completeDeparture(w http.ResponseWriter, r *http.Request, o store.Org, userID string, req api.RemoveMemberRequest) error {
	members, err := s.confirmedMembers(r.Context(), o.ID)
	if err != nil {
		return err
	}
	if o, err = s.checkRoster(r.Context(), o, req.Roster, memberIDs(members), append(formerMembers(o, userID), userID)); err != nil {
		return err
	}
	resigned, err := s.resignedGroupKeys(r.Context(), o, userID, req.GroupKeys)
	if err != nil {
		return err
	}
	left, err := s.store.CompleteDeparture(r.Context(), o, userID, resigned)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("member")
	}
	if err != nil {
		return rosterConflict(err)
	}
	s.log.InfoContext(r.Context(), "departure signed into the roster", "org", o.ID, "user", userID)
	if left == nil {
		left = []string{}
	}
	writeJSON(w, http.StatusOK, api.RemoveMemberResult{Resign: left})
	return nil
}

// departuresOf returns an organisation's pending departures for its
// members' list, and the departed members' public keys: the roster still
// lists them, so clients need their keys to verify it.
func (s *Server) departuresOf(ctx context.Context, orgID string) ([]api.Departure, []api.PublicKeys, error) {
	deps, err := s.store.Departures(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	var out []api.Departure
	var keys []api.PublicKeys
	for _, d := range deps {
		a, err := s.store.AccountByID(ctx, d.UserID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		out = append(out, api.Departure{UserID: d.UserID, How: d.How, At: d.At})
		keys = append(keys, publicKeysToAPI(a))
	}
	return out, keys, nil
}

// accountDisabled is the answer to a login of a disabled account, given
// only after the password was proved (so it reveals nothing to others).
var accountDisabled = &httpError{http.StatusForbidden, api.CodeAccountDisabled,
	"this account is disabled by an instance administrator; ask them to enable it", 0}
