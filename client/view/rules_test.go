package view_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
)

// TestCheckAddresses: what the invite dialog shows as it is typed — the
// core's one e-mail rule and batch limit, with the problem in words and
// nothing typed echoed raw (a control character in a pasted "address"
// is made inert).
func TestCheckAddresses(t *testing.T) {
	a := view.CheckAddresses("Laura <Laura@PVY.example>\nintern@pvy.example, intern@pvy.example; max@pvy.example")
	if a.Problem != "" || strings.Join(a.Emails, " ") != "laura@pvy.example intern@pvy.example max@pvy.example" || a.Max != client.MaxInvites {
		t.Fatalf("three addresses: %+v", a)
	}
	if a := view.CheckAddresses("a@b.example\nnot-an-address x@y"); len(a.Bad) != 2 || !strings.HasPrefix(a.Problem, "Not an e-mail address: not-an-address, x@y") {
		t.Fatalf("bad ones: %+v", a)
	}
	if a := view.CheckAddresses("  \n ; "); a.Problem != "Type or paste at least one address." {
		t.Fatalf("none: %+v", a)
	}
	var many []string
	for i := range client.MaxInvites + 1 {
		many = append(many, fmt.Sprintf("p%d@pvy.example", i))
	}
	if a := view.CheckAddresses(strings.Join(many, "\n")); a.Problem != fmt.Sprintf("At most %d addresses at a time (%d given).", client.MaxInvites, client.MaxInvites+1) {
		t.Fatalf("too many: %+v", a)
	}
	if a := view.CheckAddresses("evil\x1b[31m@x"); strings.ContainsRune(a.Problem, 0x1b) {
		t.Fatalf("a control character echoed: %q", a.Problem)
	}
}

// TestCheckMasterPassword: the rule is the core's minimum length.
func TestCheckMasterPassword(t *testing.T) {
	short := strings.Repeat("a", client.MinPasswordLength-1)
	if c := view.CheckMasterPassword([]byte(short)); c.OK || c.Min != client.MinPasswordLength || c.Problem == "" {
		t.Fatalf("a short password: %+v", c)
	}
	if c := view.CheckMasterPassword([]byte(short + "b")); !c.OK || c.Problem != "" {
		t.Fatalf("a long enough password: %+v", c)
	}
}
