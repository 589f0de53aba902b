package client

import (
	"context"
	"fmt"
	"net/url"

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
