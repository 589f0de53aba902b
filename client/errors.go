package client

import (
	"errors"
	"fmt"

	"github.com/coffer-pm/coffer/internal/crypto"
)

var (
	// ErrTampered: data from the server failed authentication. Nothing from
	// it is shown or used.
	ErrTampered = crypto.ErrTampered
	// ErrWrongPassword: the master password did not open the account key.
	ErrWrongPassword = errors.New("wrong master password")
	// ErrWeakKDF: the server asked for key-derivation parameters below the floor.
	ErrWeakKDF = crypto.ErrWeakKDF
	// ErrNotFound: no item or vault matches.
	ErrNotFound = errors.New("not found")
	// ErrAmbiguous: a name matches more than one item, vault, group or
	// organisation; the error names the candidates.
	ErrAmbiguous = errors.New("the name is not unique")
	// ErrReadOnly: the caller's permission does not allow writing.
	ErrReadOnly = errors.New("permission denied: you can only view this vault")
	// ErrNotAllowed: an organisation's rules (owner, group manager) do not
	// let this account do it; the client knows them and does not ask.
	ErrNotAllowed = errors.New("permission denied")
	// ErrExists: a new or changed name is already taken where it must be
	// unique (an owner's organisations, an organisation's vaults and
	// groups).
	ErrExists = errors.New("the name is taken")
	// ErrWeakPassword: a new master password does not meet the policy.
	ErrWeakPassword = errors.New("master password too weak")
	// ErrTrashed: the item is in the trash and must be restored first.
	ErrTrashed = errors.New("the item is in the trash; restore it first")
)

// ConflictError: someone else changed the item since it was read. Nothing
// was written; re-read the item and apply the change again.
type ConflictError struct {
	Base, Head uint64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("conflict: the item changed since you read it (you edited revision %d, the current revision is %d); nothing was saved — fetch it again and redo your change", e.Base, e.Head)
}

// forbidden turns the server's 403 into ErrReadOnly, keeping its message.
// Permissions are the server's to enforce: the client does not guess them.
func forbidden(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == 403 {
		return fmt.Errorf("%w (the server refused with HTTP 403: %s)", ErrReadOnly, sanitize(ae.Message, 200))
	}
	return err
}

// tampered wraps ErrTampered with where it happened (no secret data).
func tampered(format string, a ...any) error {
	return fmt.Errorf("%w [%s]", ErrTampered, fmt.Sprintf(format, a...))
}
