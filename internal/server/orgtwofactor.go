package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

// An organisation's two-factor requirement (issue 27, docs/protocol.md
// §8.3). The owner turns it on; while it is on, the owner's client cannot
// confirm a joined invitee whose two-factor log-in is off, a member
// without it cannot accept the organisation's ownership (§18.5), and a
// member cannot turn theirs off. All are decided by the store inside the
// write's transaction (ConfirmMember, AcceptTransfer, DisableTwoFactor),
// serialised with the requirement's changes: the checks here only answer
// early.
//
// Members already confirmed when it is turned on stay: the server cannot
// remove anyone (a removal is the owner's signed roster and a key
// rotation, §18), so the owner sees who lacks it and removes them, or
// asks them to turn it on.

const (
	msgInviteeNeeds2FA  = "this organisation requires two-factor log-in and %s has not turned it on: ask them to turn on two-factor log-in in Account → Security (coffer account 2fa enable), then confirm them"
	msgOwnerNeeds2FA    = "the requirement holds you too: turn on two-factor log-in for your own account first (Account → Security, or coffer account 2fa enable)"
	msgHeldBy2FA        = "an organisation you belong to requires two-factor log-in, so it stays on; leave that organisation, or ask its owner to stop requiring it, before you turn it off"
	msgNewOwnerNeeds2FA = "this organisation requires two-factor log-in, of its owner too: turn on two-factor log-in for your own account first (Account → Security, or coffer account 2fa enable), then accept the offer again"
)

func errTwoFactorRequired(msg string) error {
	return &httpError{http.StatusConflict, api.CodeTwoFactorRequired, msg, 0}
}

// setTwoFactorPolicy: PUT /orgs/{org}/two-factor-policy (the owner).
func (s *Server) setTwoFactorPolicy(w http.ResponseWriter, r *http.Request) error {
	var req api.TwoFactorPolicy
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.SetTwoFactorPolicy)
	if err != nil {
		return err
	}
	if err := s.audit(r, o.ID, api.AuditTwoFactorPolicy, api.TargetTwoFactorPolicy(req.Require)); err != nil {
		return err
	}
	err = s.store.SetOrgRequireTwoFactor(r.Context(), o.ID, req.Require)
	switch {
	case errors.Is(err, store.ErrTwoFactorRequired):
		return errTwoFactorRequired(msgOwnerNeeds2FA)
	case errors.Is(err, store.ErrNotFound):
		return errNotFound("organisation")
	case err != nil:
		return err
	}
	s.log.InfoContext(r.Context(), "organisation two-factor requirement set", "org", o.ID, "policy", api.TwoFactorPolicyName(req.Require))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// twoFactorOf says whether each account's two-factor log-in is on, for
// the answers of the owner (authz.SeeTwoFactor) only.
func (s *Server) twoFactorOf(ctx context.Context, role string, userIDs []string) (map[string]bool, error) {
	if !authz.AllowsOrg(role, authz.SeeTwoFactor) || len(userIDs) == 0 {
		return nil, nil
	}
	return s.store.TwoFactorOn(ctx, userIDs)
}

// heldByTwoFactor is the early answer to a disable while an organisation
// the caller belongs to requires two-factor log-in (before a code is
// used up); the store decides it again in the disable's transaction.
func (s *Server) heldByTwoFactor(ctx context.Context, userID string) error {
	orgs, err := s.store.OrgsForUser(ctx, userID)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if o.RequireTwoFactor {
			return errTwoFactorRequired(msgHeldBy2FA)
		}
	}
	return nil
}
