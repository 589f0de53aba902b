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
		namedTest{name: "OrgRequireTwoFactor", fn: testOrgRequireTwoFactor},
		namedTest{name: "RaceConfirmAgainstTwoFactorDisable", fn: testRaceConfirmAgainstTwoFactorDisable},
		namedTest{name: "RaceRequirementAgainstTwoFactorDisable", fn: testRaceRequirementAgainstTwoFactorDisable},
		namedTest{name: "TransferRequiresTwoFactor", fn: testTransferRequiresTwoFactor},
		namedTest{name: "RaceTransferAgainstRequirement", fn: testRaceTransferAgainstRequirement},
	)
}

// joined invites member to o and joins them; it returns the invitation's id.
func joined(t *testing.T, s store.Store, o store.Org, member store.Account) string {
	t.Helper()
	b := store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("vh"), OrgTag: []byte("tag"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: now}
	inv := store.Invitation{ID: id(), Email: member.Email}
	if err := s.CreateInvitations(ctx, b, []store.Invitation{inv}); err != nil {
		t.Fatalf("CreateInvitations: %v", err)
	}
	if err := s.JoinInvitation(ctx, inv.ID, member.ID, []byte("mac"), now); err != nil {
		t.Fatalf("JoinInvitation: %v", err)
	}
	return inv.ID
}

func confirmJoined(s store.Store, o store.Org, invID string, member store.Account) error {
	o.RosterVersion++
	return s.ConfirmMember(ctx, invID, o, store.KeyWrap{ObjectID: o.ID, Epoch: 1, MemberID: member.ID, SignerID: o.OwnerID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, now)
}

// testOrgRequireTwoFactor: the owner needs their own two-factor log-in to
// turn the requirement on; while it is on an invitee without two-factor
// log-in is not confirmed, and a member does not turn it off; turning it
// off lets both happen again.
func testOrgRequireTwoFactor(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "req-owner@example.com")
	o := newOrg(t, s, owner)
	if got, err := s.Org(ctx, o.ID); err != nil || got.RequireTwoFactor {
		t.Fatalf("a new organisation requires nothing: %+v %v", got, err)
	}
	wantErr(t, "on without the owner's own 2FA", s.SetOrgRequireTwoFactor(ctx, o.ID, true), store.ErrTwoFactorRequired)
	enrolTwoFactor(t, s, owner.ID, nil)
	if err := s.SetOrgRequireTwoFactor(ctx, o.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Org(ctx, o.ID); err != nil || !got.RequireTwoFactor {
		t.Fatalf("on: %+v %v", got, err)
	}
	list, err := s.OrgsForUser(ctx, owner.ID)
	if err != nil || len(list) != 1 || !list[0].RequireTwoFactor {
		t.Fatalf("the member's view: %+v %v", list, err)
	}
	wantErr(t, "an unknown organisation", s.SetOrgRequireTwoFactor(ctx, id(), true), store.ErrNotFound)

	lacking, _ := newAccount(t, s, "req-lacking@example.com")
	inv := joined(t, s, o, lacking)
	wantErr(t, "an invitee without 2FA", confirmJoined(s, o, inv, lacking), store.ErrTwoFactorRequired)
	if role, _ := s.OrgRole(ctx, o.ID, lacking.ID); role != "" {
		t.Fatalf("refused but a member: %q", role)
	}
	// Started, not confirmed: not on.
	if err := s.StartTwoFactor(ctx, lacking.ID, []byte("pending"), now); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "an invitee with a pending enrolment", confirmJoined(s, o, inv, lacking), store.ErrTwoFactorRequired)
	on, err := s.TwoFactorOn(ctx, []string{owner.ID, lacking.ID})
	if err != nil || !on[owner.ID] || on[lacking.ID] {
		t.Fatalf("TwoFactorOn: %v %v", on, err)
	}
	if err := s.ConfirmTwoFactor(ctx, lacking.ID, 100, nil, now); err != nil {
		t.Fatal(err)
	}
	if err := confirmJoined(s, o, inv, lacking); err != nil {
		t.Fatalf("an invitee with 2FA: %v", err)
	}
	o.RosterVersion++
	var held *store.TwoFactorHeldError
	if err := s.DisableTwoFactor(ctx, lacking.ID); !errors.As(err, &held) || len(held.Orgs) != 1 || held.Orgs[0] != o.ID {
		t.Fatalf("a member of a requiring organisation disables 2FA: %v", err)
	}
	if on, _ := s.TwoFactorOn(ctx, []string{lacking.ID}); !on[lacking.ID] {
		t.Fatal("refused, but 2FA is off")
	}
	if err := s.DisableTwoFactor(ctx, owner.ID); !errors.As(err, &held) {
		t.Fatalf("the owner disables 2FA: %v", err)
	}
	if err := s.SetOrgRequireTwoFactor(ctx, o.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := s.DisableTwoFactor(ctx, lacking.ID); err != nil {
		t.Fatalf("off: %v", err)
	}
	other, _ := newAccount(t, s, "req-other@example.com")
	if err := confirmJoined(s, o, joined(t, s, o, other), other); err != nil {
		t.Fatalf("off: an invitee without 2FA: %v", err)
	}
}

// testRaceConfirmAgainstTwoFactorDisable: an invitee with two-factor
// log-in disables it while the owner confirms them into an organisation
// that requires it. One wins: never a member without two-factor log-in.
func testRaceConfirmAgainstTwoFactorDisable(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "race2fa-owner@example.com")
	o := newOrg(t, s, owner)
	enrolTwoFactor(t, s, owner.ID, nil)
	if err := s.SetOrgRequireTwoFactor(ctx, o.ID, true); err != nil {
		t.Fatal(err)
	}
	confirmed, disabled := 0, 0
	for i := range 12 {
		m, _ := newAccount(t, s, fmt.Sprintf("race2fa-%d@example.com", i))
		enrolTwoFactor(t, s, m.ID, nil)
		inv := joined(t, s, o, m)
		var confirmErr, disableErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Go(func() { <-start; confirmErr = confirmJoined(s, o, inv, m) })
		wg.Go(func() { <-start; disableErr = s.DisableTwoFactor(ctx, m.ID) })
		close(start)
		wg.Wait()
		role, err := s.OrgRole(ctx, o.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		on, err := s.TwoFactorOn(ctx, []string{m.ID})
		if err != nil {
			t.Fatal(err)
		}
		var held *store.TwoFactorHeldError
		switch {
		case confirmErr == nil && errors.As(disableErr, &held):
			confirmed++
			if role != store.RoleMember || !on[m.ID] {
				t.Fatalf("round %d: confirmed first, but member %q, 2FA %v", i, role, on[m.ID])
			}
			o.RosterVersion++
		case disableErr == nil && errors.Is(confirmErr, store.ErrTwoFactorRequired):
			disabled++
			if role != "" || on[m.ID] {
				t.Fatalf("round %d: disabled first, but member %q, 2FA %v", i, role, on[m.ID])
			}
		default:
			t.Fatalf("round %d: confirm %v, disable %v: exactly one must win", i, confirmErr, disableErr)
		}
	}
	t.Logf("confirmed first %d times, disabled first %d times", confirmed, disabled)
}

// testRaceRequirementAgainstTwoFactorDisable: the owner turns the
// requirement on while disabling their own two-factor log-in (two
// devices). One wins: never a requiring organisation whose owner has no
// two-factor log-in.
func testRaceRequirementAgainstTwoFactorDisable(t *testing.T, s store.Store) {
	for i := range 12 {
		owner, _ := newAccount(t, s, fmt.Sprintf("racereq-%d@example.com", i))
		o := newOrg(t, s, owner)
		enrolTwoFactor(t, s, owner.ID, nil)
		var setErr, disableErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Go(func() { <-start; setErr = s.SetOrgRequireTwoFactor(ctx, o.ID, true) })
		wg.Go(func() { <-start; disableErr = s.DisableTwoFactor(ctx, owner.ID) })
		close(start)
		wg.Wait()
		got, err := s.Org(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		on, _ := s.TwoFactorOn(ctx, []string{owner.ID})
		var held *store.TwoFactorHeldError
		switch {
		case setErr == nil && errors.As(disableErr, &held):
			if !got.RequireTwoFactor || !on[owner.ID] {
				t.Fatalf("round %d: set first, but requires %v, 2FA %v", i, got.RequireTwoFactor, on[owner.ID])
			}
		case disableErr == nil && errors.Is(setErr, store.ErrTwoFactorRequired):
			if got.RequireTwoFactor || on[owner.ID] {
				t.Fatalf("round %d: disabled first, but requires %v, 2FA %v", i, got.RequireTwoFactor, on[owner.ID])
			}
		default:
			t.Fatalf("round %d: set %v, disable %v: exactly one must win", i, setErr, disableErr)
		}
	}
}

// offeredOrg makes owner's organisation with to confirmed (before any
// requirement) and an open ownership offer to to (§18.5: no vaults, no
// groups, so the offer's keys are the organisation key to holds); the
// requirement is on when require (owner needs two-factor log-in then).
// It returns the accepting roster (to the owner, one version on).
func offeredOrg(t *testing.T, s store.Store, owner, to store.Account, require bool) store.Org {
	t.Helper()
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, to)
	if require {
		if err := s.SetOrgRequireTwoFactor(ctx, o.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	next := o
	next.RosterVersion++
	next.RosterSig = []byte("offer's roster")
	if err := s.OfferTransfer(ctx, store.OwnerTransfer{OrgID: o.ID, OldOwnerID: owner.ID, NewOwnerID: to.ID, NewOwnerFingerprint: []byte("fp"),
		RecordHeads: []byte("heads"), Sig: []byte("offer"), OfferedAt: now, RosterVersion: next.RosterVersion}, next); err != nil {
		t.Fatalf("OfferTransfer: %v", err)
	}
	accept := next
	accept.RosterVersion++
	accept.OwnerID, accept.RosterSig = to.ID, []byte("new owner's roster")
	return accept
}

// testTransferRequiresTwoFactor: a member confirmed before the
// requirement, without two-factor log-in, does not become the owner of an
// organisation that requires it (nothing changes; the offer stays open);
// with it on, they do, and are then held by it like any owner.
func testTransferRequiresTwoFactor(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "xfer2fa-owner@example.com")
	laura, _ := newAccount(t, s, "xfer2fa-laura@example.com")
	enrolTwoFactor(t, s, owner.ID, nil)
	accept := offeredOrg(t, s, owner, laura, true)
	wantErr(t, "accepting without 2FA", s.AcceptTransfer(ctx, accept, []byte("offer"), now), store.ErrTwoFactorRequired)
	if got, _ := s.Org(ctx, accept.ID); got.OwnerID != owner.ID || got.RosterVersion != accept.RosterVersion-1 {
		t.Fatalf("a refused acceptance changed the organisation: %+v", got)
	}
	if _, err := s.OpenTransfer(ctx, accept.ID); err != nil {
		t.Fatalf("a refused acceptance closed the offer: %v", err)
	}
	// Started, not confirmed: not on.
	if err := s.StartTwoFactor(ctx, laura.ID, []byte("pending"), now); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "accepting with a pending enrolment", s.AcceptTransfer(ctx, accept, []byte("offer"), now), store.ErrTwoFactorRequired)
	if err := s.ConfirmTwoFactor(ctx, laura.ID, 100, nil, now); err != nil {
		t.Fatal(err)
	}
	if err := s.AcceptTransfer(ctx, accept, []byte("offer"), now); err != nil {
		t.Fatalf("accepting with 2FA: %v", err)
	}
	if role, _ := s.OrgRole(ctx, accept.ID, laura.ID); role != store.RoleOwner {
		t.Fatalf("laura's role: %q", role)
	}
	var held *store.TwoFactorHeldError
	if err := s.DisableTwoFactor(ctx, laura.ID); !errors.As(err, &held) {
		t.Fatalf("the new owner disables 2FA: %v", err)
	}

	// Without the requirement, no two-factor log-in is needed.
	bob, _ := newAccount(t, s, "xfer2fa-bob@example.com")
	if err := s.AcceptTransfer(ctx, offeredOrg(t, s, owner, bob, false), []byte("offer"), now); err != nil {
		t.Fatalf("accepting without a requirement: %v", err)
	}
}

// testRaceTransferAgainstRequirement: the owner turns the requirement on
// while the offer's new owner, without two-factor log-in, accepts it.
// One wins: never an owner without two-factor log-in of an organisation
// that requires it (accepted first, the requirement then holds the new
// owner, who lacks it; required first, the acceptance is refused).
func testRaceTransferAgainstRequirement(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "racexfer-owner@example.com")
	enrolTwoFactor(t, s, owner.ID, nil)
	accepted, required := 0, 0
	for i := range 12 {
		to, _ := newAccount(t, s, fmt.Sprintf("racexfer-%d@example.com", i))
		accept := offeredOrg(t, s, owner, to, false)
		var acceptErr, setErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Go(func() { <-start; acceptErr = s.AcceptTransfer(ctx, accept, []byte("offer"), now) })
		wg.Go(func() { <-start; setErr = s.SetOrgRequireTwoFactor(ctx, accept.ID, true) })
		close(start)
		wg.Wait()
		got, err := s.Org(ctx, accept.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case acceptErr == nil && errors.Is(setErr, store.ErrTwoFactorRequired):
			accepted++
			if got.OwnerID != to.ID || got.RequireTwoFactor {
				t.Fatalf("round %d: accepted first, but owner %s, requires %v", i, got.OwnerID, got.RequireTwoFactor)
			}
		case setErr == nil && errors.Is(acceptErr, store.ErrTwoFactorRequired):
			required++
			if got.OwnerID != owner.ID || !got.RequireTwoFactor {
				t.Fatalf("round %d: required first, but owner %s, requires %v", i, got.OwnerID, got.RequireTwoFactor)
			}
		default:
			t.Fatalf("round %d: accept %v, requirement %v: exactly one must win", i, acceptErr, setErr)
		}
	}
	t.Logf("accepted first %d times, required first %d times", accepted, required)
}
