package storetest

import (
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

// Conformance tests for issue 13's hardening: who shares an organisation.
func init() {
	extraTests = append(extraTests,
		namedTest{"SharesOrg", testSharesOrg},
	)
}

func testSharesOrg(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	member, _ := newAccount(t, s, "member@example.com")
	outsider, _ := newAccount(t, s, "outsider@example.com")
	o := newOrg(t, s, owner)
	shares := func(a, b store.Account) bool {
		t.Helper()
		ok, err := s.SharesOrg(ctx, a.ID, b.ID)
		if err != nil {
			t.Fatalf("SharesOrg: %v", err)
		}
		return ok
	}
	if shares(owner, member) || shares(member, owner) {
		t.Fatal("accounts share an organisation before the member was confirmed")
	}
	o = confirm(t, s, o, member)
	if !shares(owner, member) || !shares(member, owner) {
		t.Fatal("owner and confirmed member do not share the organisation")
	}
	if shares(outsider, owner) || shares(member, outsider) {
		t.Fatal("an outsider shares an organisation")
	}
	o.RosterVersion++
	if err := s.RemoveMember(ctx, o, member.ID); err != nil {
		t.Fatal(err)
	}
	if shares(owner, member) {
		t.Fatal("a removed member still shares the organisation")
	}
}
