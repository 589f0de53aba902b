package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

// Issue 23, findings 1 and 2: an authorization a handler decided before a
// write must hold inside the write's transaction (store.Require). Each test
// races the write, from several goroutines in a loop, against the removal
// that takes the authorization away, on a real database; afterwards
// nothing the removed member wrote after their removal may exist.

func init() {
	extraTests = append(extraTests,
		namedTest{name: "RaceGrantAgainstRemoval", fn: testRaceGrantAgainstRemoval},
		namedTest{name: "RaceGroupCreateAgainstRemoval", fn: testRaceGroupCreateAgainstRemoval},
		namedTest{name: "RaceItemWriteAgainstRevoke", fn: testRaceItemWriteAgainstRevoke},
		namedTest{name: "RequirementsAreChecked", fn: testRequirementsAreChecked},
	)
}

// as returns a context whose writes re-check rs, as a request's do.
func as(rs ...store.Requirement) context.Context {
	c := store.WithRequirements(ctx)
	for _, r := range rs {
		store.Require(c, r)
	}
	return c
}

// race runs write in 4 goroutines until stop is closed (after remove ran),
// and returns how many writes succeeded and how many were refused as no
// longer allowed; any other error fails the test.
func race(t *testing.T, write func() error, remove func() error) (ok, refused int64) {
	t.Helper()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var started sync.WaitGroup
	for range 4 {
		started.Add(1)
		wg.Go(func() {
			first := true
			for {
				err := write()
				if first {
					started.Done()
					first = false
				}
				switch {
				case err == nil:
					atomic.AddInt64(&ok, 1)
				case errors.Is(err, store.ErrNoLongerAllowed), errors.Is(err, store.ErrNotFound):
					atomic.AddInt64(&refused, 1)
				case errors.Is(err, store.ErrLimit), errors.As(err, new(*store.LimitError)):
					// A slow removal let the writers reach a row limit (a
					// loaded machine: CI saw 100 private groups): a refusal
					// too, and the writes go on racing the removal.
					atomic.AddInt64(&refused, 1)
				default:
					t.Errorf("write: %v", err)
					return
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}
	started.Wait() // every writer has written once: the removal races them
	err := remove()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("the removal: %v", err)
	}
	return ok, refused
}

func testRaceGrantAgainstRemoval(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Meta: []byte("vm"), Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, []store.VaultKeyWrap{{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s")}},
		[]store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage}}); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		m, _ := newAccount(t, s, fmt.Sprintf("manager%d@example.com", round))
		o = confirm(t, s, o, m)
		wrap := store.VaultKeyWrap{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: m.ID, SignerID: m.ID, Wrap: []byte("w"), Sig: []byte("s")}
		if err := s.GrantVault(ctx, store.Grant{VaultID: v.ID, GranteeKind: "user", GranteeID: m.ID, Permission: store.PermManage}, []store.VaultKeyWrap{wrap}); err != nil {
			t.Fatal(err)
		}
		// The manager re-grants the vault to themselves, as the grant
		// handler would after checking their manage and their membership.
		mctx := as(store.Requirement{UserID: m.ID, VaultID: v.ID, Perm: store.PermManage}, store.Requirement{UserID: m.ID, OrgID: o.ID})
		ok, _ := race(t, func() error {
			return s.GrantVault(mctx, store.Grant{VaultID: v.ID, GranteeKind: "user", GranteeID: m.ID, Permission: store.PermManage}, []store.VaultKeyWrap{wrap})
		}, func() error {
			o.RosterVersion++
			_, err := s.RemoveMember(ctx, o, m.ID, nil)
			return err
		})
		if ok == 0 {
			t.Fatal("no grant went through before the removal: the race was not run")
		}
		if p, err := s.VaultPermission(ctx, m.ID, v.ID); err != nil || p != store.PermNone {
			t.Fatalf("round %d: the removed manager keeps %v on the vault (%v)", round, p, err)
		}
		wraps, _ := s.VaultKeyWraps(ctx, v.ID)
		for _, w := range wraps {
			if w.RecipientID == m.ID {
				t.Fatalf("round %d: the removed manager keeps a key wrap", round)
			}
		}
	}
}

func testRaceGroupCreateAgainstRemoval(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	for round := range 5 {
		m, _ := newAccount(t, s, fmt.Sprintf("member%d@example.com", round))
		o = confirm(t, s, o, m)
		mctx := as(store.Requirement{UserID: m.ID, OrgID: o.ID})
		ok, _ := race(t, func() error {
			g := store.Group{ID: id(), OrgID: o.ID, ManagerID: m.ID, Private: true, DefaultPermission: store.PermView, Meta: []byte("m"),
				SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
			return s.CreateGroup(mctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: m.ID, SignerID: m.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil)
		}, func() error {
			o.RosterVersion++
			_, err := s.RemoveMember(ctx, o, m.ID, nil)
			return err
		})
		if ok == 0 {
			t.Fatal("no group was created before the removal: the race was not run")
		}
		groups, err := s.GroupsInOrg(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			if g.ManagerID == m.ID || contains(g.Members, m.ID) {
				t.Fatalf("round %d: group %s keeps the removed member (manager %s, members %v)", round, g.ID, g.ManagerID, g.Members)
			}
		}
	}
}

func testRaceItemWriteAgainstRevoke(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	editor, _ := newAccount(t, s, "editor@example.com")
	o = confirm(t, s, o, editor)
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Meta: []byte("vm"), Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, nil, []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage}}); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		if err := s.GrantVault(ctx, store.Grant{VaultID: v.ID, GranteeKind: "user", GranteeID: editor.ID, Permission: store.PermEdit}, nil); err != nil {
			t.Fatal(err)
		}
		ectx := as(store.Requirement{UserID: editor.ID, VaultID: v.ID, Perm: store.PermEdit})
		race(t, func() error {
			it := store.Item{ID: id(), VaultID: v.ID, Type: "login", CreatedAt: now}
			_, err := s.CreateItem(ectx, it, revision(editor.ID, v.ID, "x"), nil)
			return err
		}, func() error {
			return s.RevokeGrant(ctx, v.ID, "user", editor.ID)
		})
		// A write decided before the revoke and run after it is refused.
		it := store.Item{ID: id(), VaultID: v.ID, Type: "login", CreatedAt: now}
		if _, err := s.CreateItem(ectx, it, revision(editor.ID, v.ID, "late"), nil); !errors.Is(err, store.ErrNoLongerAllowed) {
			t.Fatalf("round %d: a write after the revoke: %v", round, err)
		}
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// testRequirementsAreChecked: each kind of requirement refuses a write
// once it does not hold, and nothing is written.
func testRequirementsAreChecked(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	member, _ := newAccount(t, s, "member@example.com")
	stranger, personal := newAccount(t, s, "stranger@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, member)
	g := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	write := func(c context.Context) error {
		it := store.Item{ID: id(), VaultID: personal.ID, Type: "login", CreatedAt: now}
		_, err := s.CreateItem(c, it, revision(stranger.ID, personal.ID, "x"), nil)
		return err
	}
	for _, tc := range []struct {
		name string
		r    store.Requirement
		ok   bool
	}{
		{"member", store.Requirement{UserID: member.ID, OrgID: o.ID}, true},
		{"not a member", store.Requirement{UserID: stranger.ID, OrgID: o.ID}, false},
		{"owner", store.Requirement{UserID: owner.ID, OrgID: o.ID, Owner: true}, true},
		{"member is no owner", store.Requirement{UserID: member.ID, OrgID: o.ID, Owner: true}, false},
		{"manages the group", store.Requirement{UserID: owner.ID, GroupID: g.ID}, true},
		{"does not manage it", store.Requirement{UserID: member.ID, GroupID: g.ID}, false},
		{"edit on own vault", store.Requirement{UserID: stranger.ID, VaultID: personal.ID, Perm: store.PermEdit}, true},
		{"no permission", store.Requirement{UserID: member.ID, VaultID: personal.ID, Perm: store.PermView}, false},
		{"no such vault", store.Requirement{UserID: member.ID, VaultID: id(), Perm: store.PermView}, false},
	} {
		err := write(as(tc.r))
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, store.ErrNoLongerAllowed) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func init() {
	extraTests = append(extraTests, namedTest{name: "PruneEventsKeepsRecentOnes", fn: testPruneEvents})
}

// testPruneEvents: pruning deletes the events below a sequence number and
// nothing else; the newest stay for live streams to replay.
func testPruneEvents(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "events@example.com")
	var seqs []int64
	for i := range 30 {
		it := newItem(t, s, a.ID, v.ID, fmt.Sprint("item ", i))
		seqs = append(seqs, it.Seq)
	}
	cut := seqs[20]
	n, err := s.PruneEvents(ctx, cut)
	if err != nil || n < 20 {
		t.Fatalf("PruneEvents = %d, %v", n, err)
	}
	evs, _, _, err := s.EventsSince(ctx, a.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 10 || evs[0].Seq != cut {
		t.Fatalf("after pruning below %d: %d events, first %+v", cut, len(evs), evs[0])
	}
	if n, err := s.PruneEvents(ctx, cut); err != nil || n != 0 {
		t.Fatalf("second prune = %d, %v", n, err)
	}
}

func init() {
	extraTests = append(extraTests,
		namedTest{name: "RaceShareAgainstRevoke", fn: testRaceShareAgainstRevoke},
		namedTest{name: "RaceAddGroupMemberAgainstRemoval", fn: testRaceAddMemberAgainstRemoval},
		namedTest{name: "RaceEnrolAgainstRemoval", fn: testRaceEnrolAgainstRemoval},
	)
}

// testRaceShareAgainstRevoke: a manager shares a vault with their private
// group in a loop while the owner revokes the manager's grant; afterwards
// the group holds no grant the manager made after losing manage.
func testRaceShareAgainstRevoke(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	m, _ := newAccount(t, s, "manager@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, m)
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Meta: []byte("vm"), Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, nil, []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage}}); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		g := store.Group{ID: id(), OrgID: o.ID, ManagerID: m.ID, Private: true, DefaultPermission: store.PermView, Meta: []byte("m"),
			SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
		if err := s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: m.ID, SignerID: m.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.GrantVault(ctx, store.Grant{VaultID: v.ID, GranteeKind: "user", GranteeID: m.ID, Permission: store.PermManage}, nil); err != nil {
			t.Fatal(err)
		}
		mctx := as(store.Requirement{UserID: m.ID, VaultID: v.ID, Perm: store.PermManage}, store.Requirement{UserID: m.ID, GroupID: g.ID})
		var revoked bool
		race(t, func() error {
			return s.GrantVault(mctx, store.Grant{VaultID: v.ID, GranteeKind: "group", GranteeID: g.ID, Permission: store.PermView}, nil)
		}, func() error {
			// Revoke the manager's grant and the group's, as an owner
			// taking the vault back would.
			if err := s.RevokeGrant(ctx, v.ID, "user", m.ID); err != nil {
				return err
			}
			revoked = true
			err := s.RevokeGrant(ctx, v.ID, "group", g.ID)
			if errors.Is(err, store.ErrNotFound) {
				err = nil
			}
			return err
		})
		if !revoked {
			t.Fatal("not revoked")
		}
		grants, err := s.VaultGrants(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, gr := range grants {
			if gr.GranteeID == g.ID || gr.GranteeID == m.ID {
				t.Fatalf("round %d: a grant made after the revoke survives: %+v", round, gr)
			}
		}
	}
}

// testRaceAddMemberAgainstRemoval: the owner adds a member to a group in a
// loop (removing them again each time) while the member is removed from
// the organisation; afterwards they are in no group.
func testRaceAddMemberAgainstRemoval(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	g := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		m, _ := newAccount(t, s, fmt.Sprintf("member%d@example.com", round))
		o = confirm(t, s, o, m)
		octx := as(store.Requirement{UserID: owner.ID, GroupID: g.ID}, store.Requirement{UserID: m.ID, OrgID: o.ID})
		race(t, func() error {
			err := s.AddGroupMembers(octx, g.ID, []store.KeyWrap{{ObjectID: g.ID, Epoch: 1, MemberID: m.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}})
			if errors.Is(err, store.ErrExists) {
				return nil // another writer added them first
			}
			return err
		}, func() error {
			o.RosterVersion++
			_, err := s.RemoveMember(ctx, o, m.ID, nil)
			return err
		})
		got, err := s.Group(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if contains(got.Members, m.ID) {
			t.Fatalf("round %d: the removed member is in the group", round)
		}
	}
}

// testRaceEnrolAgainstRemoval: a member enrols in recovery in a loop while
// being removed; afterwards no enrolment of theirs remains.
func testRaceEnrolAgainstRemoval(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	if err := s.EnableRecovery(ctx, recoveryKey(o.ID, 1)); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		m, _ := newAccount(t, s, fmt.Sprintf("member%d@example.com", round))
		o = confirm(t, s, o, m)
		mctx := as(store.Requirement{UserID: m.ID, OrgID: o.ID})
		race(t, func() error {
			return s.Enrol(mctx, enrolment(o.ID, m.ID, 1))
		}, func() error {
			o.RosterVersion++
			_, err := s.RemoveMember(ctx, o, m.ID, nil)
			return err
		})
		es, err := s.Enrolments(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.UserID == m.ID {
				t.Fatalf("round %d: the removed member's enrolment survives", round)
			}
		}
	}
}
