package client

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/coffer-pm/coffer/internal/api"
)

// VerificationNeededError: the server sends e-mail, so a sign-up becomes
// an account only once the code mailed to the address is entered with
// VerifySignup (then log in). The server answers the same way when the
// address already has an account; its owner then gets a notice instead of
// a code, and no code will arrive.
type VerificationNeededError struct {
	Server, UserID, Email string
}

func (e *VerificationNeededError) Error() string {
	return fmt.Sprintf("the server mailed a verification code to %s; enter it with: coffer account verify CODE (if %s already has an account, no code comes: log in instead)", e.Email, e.Email)
}

// VerifySignup completes a pending sign-up (or verifies an existing
// account's address) with the code mailed to it. After a sign-up, log in.
func VerifySignup(ctx context.Context, server, userID, code string, opt Options) error {
	t := newTransport(server, opt.HTTPClient)
	return t.do(ctx, "POST", "/accounts/"+url.PathEscape(userID)+"/verify", api.VerifyEmailRequest{Code: code}, nil)
}

// RequestVerification asks the server to mail a code to the account's
// address (for accounts made before the server sent e-mail); enter it
// with VerifyEmail.
func (s *Session) RequestVerification(ctx context.Context) error {
	return s.t.do(ctx, "POST", "/account/verification", struct{}{}, nil)
}

// VerifyEmail enters the code mailed by RequestVerification.
func (s *Session) VerifyEmail(ctx context.Context, code string) error {
	return s.t.do(ctx, "POST", "/accounts/"+url.PathEscape(s.Profile.UserID)+"/verify", api.VerifyEmailRequest{Code: code}, nil)
}

// Reissue re-invites addresses whose invitation is locked (too many wrong
// codes) or otherwise still open and unjoined: it cancels the open
// invitations, then invites the addresses again with a fresh confirmation
// code made on this device (protocol §14.3), exactly like Invite. An
// address that has joined is refused (confirm or cancel it instead). If
// the new invitation fails, the old ones stay cancelled: run it again.
func (s *Session) Reissue(ctx context.Context, orgID string, emails []string) (*InviteResult, error) {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return nil, err
	}
	if len(emails) == 0 || len(emails) > MaxInvites {
		return nil, fmt.Errorf("re-issue 1 to %d addresses at a time (got %d)", MaxInvites, len(emails))
	}
	var resp api.Members
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/members", nil, &resp); err != nil {
		return nil, err
	}
	var cancel []string
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		for _, in := range resp.Invitations {
			switch {
			case in.Email != e:
			case in.State == "joined":
				return nil, fmt.Errorf("nothing was re-issued: %s has joined with the code; confirm or cancel it", e)
			case in.State == "invited":
				cancel = append(cancel, in.ID)
			}
		}
	}
	for _, id := range cancel {
		if err := s.t.do(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/invitations/"+url.PathEscape(id)+"/cancel", nil, nil); err != nil {
			return nil, err
		}
	}
	return s.Invite(ctx, o.ID, emails)
}
