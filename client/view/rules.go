package view

import (
	"fmt"
	"strings"

	"github.com/coffer-pm/coffer/client"
)

// Addresses is a list of e-mail addresses as typed, checked with the
// client core's one e-mail rule (client.NormalizeEmail) and the
// invitation batch limit: the page asks the core rather than keeping a
// regular expression of its own (issue 24: three validators, three
// rules).
type Addresses struct {
	Emails []string `json:"emails"` // normalized, each once
	Bad    []string `json:"bad"`    // the pieces that are no address, as typed
	Max    int      `json:"max"`    // the batch limit
	// Problem is what stops an invitation, in words ("" when none).
	Problem string `json:"problem,omitempty"`
}

// CheckAddresses checks text (one address per line, or separated by
// commas, semicolons or spaces; "Name <a@b.c>" too) for an invitation.
func CheckAddresses(text string) Addresses {
	emails, bad := client.ParseAddresses(text)
	a := Addresses{Emails: emails, Bad: bad, Max: client.MaxInvites}
	switch {
	case len(bad) > 0:
		shown := make([]string, len(bad))
		for i, b := range bad {
			shown[i] = client.Displayable(b, 80)
		}
		a.Problem = "Not an e-mail address: " + strings.Join(shown, ", ") + "."
	case len(emails) == 0:
		a.Problem = "Type or paste at least one address."
	case len(emails) > client.MaxInvites:
		a.Problem = fmt.Sprintf("At most %d addresses at a time (%d given).", client.MaxInvites, len(emails))
	}
	return a
}

// PasswordCheck says whether a new master password meets the rules.
type PasswordCheck struct {
	_       [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	OK      bool      `json:"ok"`
	Min     int       `json:"min"`
	Problem string    `json:"problem,omitempty"`
}

// CheckMasterPassword applies client.CheckNewPassword, for a form that
// says so before anything is sent.
func CheckMasterPassword(pw []byte) PasswordCheck {
	c := PasswordCheck{OK: true, Min: client.MinPasswordLength}
	if err := client.CheckNewPassword(pw); err != nil {
		c.OK, c.Problem = false, fmt.Sprintf("The master password must have at least %d characters.", client.MinPasswordLength)
	}
	return c
}
