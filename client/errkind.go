package client

import (
	"errors"
	"strings"

	"github.com/coffer-pm/coffer/internal/api"
)

var (
	// ErrUnreachable: no answer from the server (down, or no network).
	ErrUnreachable = errors.New("cannot reach the server")
	// ErrLocked: the web app's session is locked (the keys are gone);
	// unlock first.
	ErrLocked = errors.New("locked")
)

// ErrorKind is what an error is, in one word: the web page picks the
// sentence a person reads by it, and the CLI its exit code. It is the one
// classification of the client core's errors (issue 24: the bridge and
// the CLI each had theirs, and they disagreed — a raw 403 was "forbidden"
// for one and "error" for the other).
type ErrorKind = string

// Every ErrorKind, most specific first: an error that is two things (a
// quarantine is also tampering) is the first that matches.
var errorKinds = []struct {
	kind, means string
	is          func(error) bool
}{
	{"unverified", "the server wants the account's e-mail address proven first (a server that sends mail)", func(err error) bool {
		var ae *APIError
		return errors.As(err, &ae) && ae.Code == api.CodeEmailUnverified
	}},
	{"conflict", "someone else saved the item first (or it moved on from the revision given); nothing was saved", func(err error) bool {
		var ce *ConflictError
		return errors.As(err, &ce)
	}},
	{"account-disabled", "an instance administrator disabled the account; it cannot log in until one enables it", func(err error) bool {
		var ae *APIError
		return errors.Is(err, ErrAccountDisabled) || errors.As(err, &ae) && ae.Code == api.CodeAccountDisabled
	}},
	{"transfer-ownership", "an organisation's owner cannot leave it, be removed or unbound, nor delete their account while owning one", func(err error) bool {
		var ae *APIError
		return errors.Is(err, ErrTransferOwnership) || errors.As(err, &ae) && ae.Code == api.CodeTransferOwnership
	}},
	{"sso-required", "the address is at a domain whose people log in and sign up with the company's single sign-on, not with an e-mail address and master password", func(err error) bool {
		var ae *APIError
		return errors.As(err, &ae) && ae.Code == api.CodeSSORequired
	}},
	{"sso-ticket", "the single sign-on expired, was used already or is another address's (or the identity is linked to another account); sign in with the company's account again", func(err error) bool {
		var ae *APIError
		return errors.As(err, &ae) && (ae.Code == api.CodeSSOTicket || ae.Code == api.CodeSSOLinked)
	}},
	{"signup-refused", "the server's sign-up policy does not admit the address (not invited, not at an allowed domain); the message says what to do", func(err error) bool {
		var ae *APIError
		return errors.As(err, &ae) && ae.Code == api.CodeSignupRefused
	}},
	{"key-mismatch", "a confirm found an invitee's keys swapped; nobody was confirmed", is(ErrKeyMismatch)},
	{"server-restored", "the server was restored from a backup: nothing changes on this device until the person accepts the restore, which gives back what the device holds that the server lost", is(ErrServerRestored)},
	{"tampered", "data from the server failed authentication; nothing of it is shown", is(ErrTampered)},
	{"invitation-locked", "the invitation's wrong-code attempts are used up; only the owner's re-issue helps", is(ErrInvitationLocked)},
	{"already-invited", "the address has a working invitation already; re-issue replaces it", is(ErrAlreadyInvited)},
	{"wrong-password", "the master password is wrong", is(ErrWrongPassword)},
	{"second-factor-required", "the account has two-factor log-in; give a code from the authenticator app or a recovery code", is(ErrSecondFactorRequired)},
	{"two-factor-required", "an organisation requires two-factor log-in: of an invitee before they are confirmed, of its owner before they require it, of a member before they accept its ownership, and a member cannot turn theirs off; the message says what to do", func(err error) bool {
		var ae *APIError
		return errors.Is(err, ErrInviteeNeedsTwoFactor) || errors.Is(err, ErrOwnTwoFactorFirst) || errors.Is(err, ErrTwoFactorHeld) || errors.Is(err, ErrNewOwnerNeedsTwoFactor) ||
			errors.As(err, &ae) && ae.Code == api.CodeTwoFactorRequired
	}},
	{"security-key-cloned", "the security key's signature counter went backwards (a cloned key?); the log-in was refused", is(ErrSecurityKeyCloned)},
	{"wrong-second-factor", "the two-factor code was wrong, used already or expired; it counts as a failed log-in", is(ErrWrongSecondFactor)},
	{"unauthorized", "the server session ended (expired, revoked, password changed elsewhere); unlock again", is(ErrUnauthorized)},
	{"locked", "the session is locked; unlock first", is(ErrLocked)},
	{"weak-password", "a new master password is shorter than the rules allow", is(ErrWeakPassword)},
	{"bad-email", "an address is not an e-mail address", is(ErrBadEmail)},
	{"permission-scope", "a permission asked for one item would change it for the others in its vault", is(ErrPermissionScope)},
	{"not-found", "no such item, vault, organisation, group, member or field", func(err error) bool {
		var ae *APIError
		return errors.Is(err, ErrNotFound) || errors.As(err, &ae) && ae.Status == statusNotFound
	}},
	{"forbidden", "a permission the account lacks (the server's 403 included)", func(err error) bool {
		var ae *APIError
		return errors.Is(err, ErrReadOnly) || errors.Is(err, ErrNotAllowed) || errors.As(err, &ae) && ae.Status == statusForbidden
	}},
	{"ambiguous", "a name matches more than one thing; the message names their ids", is(ErrAmbiguous)},
	{"exists", "the name is taken, or it is done already", is(ErrExists)},
	{"not-empty", "an organisation, group or vault still holds something", is(ErrNotEmpty)},
	{"wrong-code", "a wrong invitation or recovery code", is(ErrWrongCode)},
	{"bad-totp", "a TOTP secret that yields no code", is(ErrBadTOTP)},
	{"offline", "the server cannot be reached", func(err error) bool {
		// In the browser net/http says it through the Fetch API's words.
		msg := err.Error()
		return errors.Is(err, ErrUnreachable) || strings.Contains(msg, "Fetch API") || strings.Contains(msg, "Failed to fetch") || strings.Contains(msg, "NetworkError")
	}},
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

// KindOf classifies err ("" for nil, "error" for anything unnamed).
func KindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	for _, k := range errorKinds {
		if k.is(err) {
			return k.kind
		}
	}
	return "error"
}

// KindInfo is one error kind and what it means.
type KindInfo struct {
	Kind  string `json:"kind"`
	Means string `json:"means"`
}

// ErrorKinds lists every kind KindOf returns, "error" last.
func ErrorKinds() []KindInfo {
	out := make([]KindInfo, 0, len(errorKinds)+1)
	for _, k := range errorKinds {
		out = append(out, KindInfo{k.kind, k.means})
	}
	return append(out, KindInfo{"error", "anything else; the message says what"})
}
