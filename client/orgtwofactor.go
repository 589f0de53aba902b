package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/coffer-pm/coffer/internal/api"
)

// An organisation's two-factor requirement (docs/protocol.md §8.3): the
// owner sets it; the server refuses to confirm an invitee without
// two-factor log-in while it holds, and refuses a member's disable. The
// words are the client's own: server text is never shown as ours.

var (
	// ErrInviteeNeedsTwoFactor: the organisation requires two-factor
	// log-in and the joined invitee has not turned it on.
	ErrInviteeNeedsTwoFactor = errors.New("this organisation requires two-factor log-in and they have not turned it on: ask them to turn on two-factor log-in in Account → Security, then confirm them")
	// ErrOwnTwoFactorFirst: the owner turns the requirement on without
	// having two-factor log-in themselves.
	ErrOwnTwoFactorFirst = errors.New("the requirement holds you too: turn on two-factor log-in for your own account first (Account → Security)")
	// ErrTwoFactorHeld: an organisation this account belongs to requires
	// two-factor log-in, so it cannot be turned off.
	ErrTwoFactorHeld = errors.New("an organisation you belong to requires two-factor log-in, so it stays on: leave that organisation, or ask its owner to stop requiring it, first")
	// ErrNewOwnerNeedsTwoFactor: the organisation offered to this account
	// requires two-factor log-in, of its owner too, and this account's is
	// off (§18.5).
	ErrNewOwnerNeedsTwoFactor = errors.New("this organisation requires two-factor log-in, of its owner too: turn on two-factor log-in for your own account first (Account → Security), then accept the offer again")
)

// SetTwoFactorPolicy requires two-factor log-in of the organisation's
// members, or stops requiring it (the owner).
func (s *Session) SetTwoFactorPolicy(ctx context.Context, orgID string, require bool) error {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return err
	}
	stmt := s.statement(o.ID, api.AuditTwoFactorPolicy, api.TargetTwoFactorPolicy(require))
	err = s.t.doStated(ctx, "PUT", "/orgs/"+url.PathEscape(o.ID)+"/two-factor-policy", stmt, api.TwoFactorPolicy{Require: require}, nil)
	if isTwoFactorRequired(err) {
		return ErrOwnTwoFactorFirst
	}
	if err != nil {
		return err
	}
	return s.refresh(ctx)
}

func isTwoFactorRequired(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == api.CodeTwoFactorRequired
}

// inviteeNeedsTwoFactor is the refusal of confirming email.
func inviteeNeedsTwoFactor(email string) error {
	return fmt.Errorf("%s: %w", email, ErrInviteeNeedsTwoFactor)
}
