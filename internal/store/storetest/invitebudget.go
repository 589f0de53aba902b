package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "InviteBudget", fn: testInviteBudget},
		namedTest{name: "RaceInviteBudget", fn: testRaceInviteBudget},
	)
}

func budgetBatch(o store.Org, inviter string, bu store.InviteBudget) store.InviteBatch {
	return store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("vh"), OrgTag: []byte("tag"), Details: []byte("d"), SealedCode: []byte("c"),
		CreatedAt: now, InviterID: inviter, Budget: &bu}
}

func budgetInvites(n int) []store.Invitation {
	out := make([]store.Invitation, n)
	for i := range out {
		out[i] = store.Invitation{ID: id(), Email: fmt.Sprintf("b%d-%s@example.com", i, id()[:8])}
	}
	return out
}

// testInviteBudget: a batch that does not fit the inviter's or the
// organisation's budget is refused whole, with which budget and how much
// is left; invitations before Since do not count.
func testInviteBudget(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	bu := store.InviteBudget{Since: now, PerInviter: 3, PerOrg: 100}
	old := budgetBatch(o, owner.ID, bu)
	old.CreatedAt = now.Add(-1)
	old.Budget = nil
	if err := s.CreateInvitations(ctx, old, budgetInvites(5)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInvitations(ctx, budgetBatch(o, owner.ID, bu), budgetInvites(2)); err != nil {
		t.Fatal(err)
	}
	var be *store.InviteBudgetError
	err := s.CreateInvitations(ctx, budgetBatch(o, owner.ID, bu), budgetInvites(2))
	if !errors.As(err, &be) || be.ByOrg || be.Max != 3 || be.Used != 2 || be.BatchCount != 2 {
		t.Fatalf("over the inviter's budget: %v (%+v)", err, be)
	}
	if byOrg, byInviter, err := s.InvitationsSince(ctx, o.ID, owner.ID, now); err != nil || byOrg != 2 || byInviter != 2 {
		t.Fatalf("after a refused batch: %d, %d, %v; want 2, 2", byOrg, byInviter, err)
	}
	if err := s.CreateInvitations(ctx, budgetBatch(o, owner.ID, bu), budgetInvites(1)); err != nil {
		t.Fatalf("the last place: %v", err)
	}
	bu = store.InviteBudget{Since: now, PerInviter: 100, PerOrg: 4}
	err = s.CreateInvitations(ctx, budgetBatch(o, owner.ID, bu), budgetInvites(2))
	if !errors.As(err, &be) || !be.ByOrg || be.Max != 4 || be.Used != 3 {
		t.Fatalf("over the organisation's budget: %v (%+v)", err, be)
	}
}

// testRaceInviteBudget: concurrent one-invitation batches of one inviter
// store exactly the budget, however many race.
func testRaceInviteBudget(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	bu := store.InviteBudget{Since: now, PerInviter: 5, PerOrg: 100}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateInvitations(ctx, budgetBatch(o, owner.ID, bu), budgetInvites(1))
		}()
	}
	wg.Wait()
	stored := 0
	for _, err := range errs {
		var be *store.InviteBudgetError
		switch {
		case err == nil:
			stored++
		case errors.As(err, &be):
		default:
			t.Fatal(err)
		}
	}
	if byOrg, _, err := s.InvitationsSince(ctx, o.ID, owner.ID, now); err != nil || stored != 5 || byOrg != 5 {
		t.Fatalf("%d batches stored, %d invitations counted (%v); want 5", stored, byOrg, err)
	}
}
