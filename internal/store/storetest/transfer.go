package storetest

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests, namedTest{name: "OwnershipTransfer", fn: testOwnershipTransfer})
}

// testOwnershipTransfer (docs/protocol.md §18.5): one open offer per
// organisation, replaced by a new one, withdrawn; accepted in one
// transaction only while it is the open offer, the roster at its version
// and the offered keys cover every key the old owner holds; the
// acceptance moves the owner, the roles, the organisation groups (not
// private ones), gives the new owner manage on every vault handed over,
// turns recovery off, cancels open invitations and keeps the transfer.
func testOwnershipTransfer(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	laura, _ := newAccount(t, s, "laura@example.com")
	intern, _ := newAccount(t, s, "intern@example.com")
	bob, _ := newAccount(t, s, "bob@example.com")
	outsider, _ := newAccount(t, s, "outsider@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, laura)
	o = confirm(t, s, o, intern)

	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Meta: []byte("sealed"), Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, []store.VaultKeyWrap{{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}},
		[]store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage, CreatedAt: now},
			{VaultID: v.ID, GranteeKind: "user", GranteeID: laura.ID, Permission: store.PermView, CreatedAt: now}}, manifest(v.ID, 1, owner.ID)); err != nil {
		t.Fatal(err)
	}
	team := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("sig"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, team, store.KeyWrap{ObjectID: team.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	private := store.Group{ID: id(), OrgID: o.ID, ManagerID: intern.ID, Private: true, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp2"), KEMPub: []byte("kp2"), KeysSig: []byte("sig"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, private, store.KeyWrap{ObjectID: private.ID, Epoch: 1, MemberID: intern.ID, SignerID: intern.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.EnableRecovery(ctx, recoveryKey(o.ID, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Enrol(ctx, enrolment(o.ID, intern.ID, 1)); err != nil {
		t.Fatal(err)
	}
	open := store.Invitation{ID: id(), Email: "pending@example.com"}
	if err := s.CreateInvitations(ctx, store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("vh"), OrgTag: []byte("tag"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: now},
		[]store.Invitation{open}); err != nil {
		t.Fatal(err)
	}

	// next is the organisation's roster moved on by one, members
	// unchanged: every offer and every withdrawal stores one (§18.5).
	next := func() store.Org {
		cur, err := s.Org(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.RosterVersion++
		cur.RosterSig = []byte("roster moved on")
		return cur
	}
	offerNow := func(tr store.OwnerTransfer) error {
		n := next()
		tr.RosterVersion = n.RosterVersion
		return s.OfferTransfer(ctx, tr, n)
	}
	offer := func(to store.Account, sig string, vaultWraps bool) store.OwnerTransfer {
		tr := store.OwnerTransfer{OrgID: o.ID, OldOwnerID: owner.ID, RecordHeads: []byte("heads"), NewOwnerID: to.ID, NewOwnerFingerprint: []byte("fp"),
			Sig: []byte(sig), OfferedAt: now,
			GroupWraps: []store.KeyWrap{{ObjectID: team.ID, Epoch: 1, MemberID: to.ID, SignerID: owner.ID, Wrap: []byte("gw"), Sig: []byte("gs"), CreatedAt: now}}}
		if vaultWraps {
			tr.VaultWraps = []store.VaultKeyWrap{{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: to.ID, SignerID: owner.ID, Wrap: []byte("vw"), Sig: []byte("vs"), CreatedAt: now}}
		}
		return tr
	}
	wantErr(t, "offer to a non-member", offerNow(offer(outsider, "x", true)), store.ErrNotFound)
	stale := offer(laura, "x", true)
	n := next()
	stale.RosterVersion, n.RosterVersion = n.RosterVersion-1, n.RosterVersion-1
	var ce *store.ConflictError
	if err := s.OfferTransfer(ctx, stale, n); !errors.As(err, &ce) || ce.Head != o.RosterVersion {
		t.Fatalf("offer over an older roster: %v", err)
	}
	notOwner := offer(intern, "x", true)
	notOwner.OldOwnerID = laura.ID
	wantErr(t, "offer by a member", offerNow(notOwner), store.ErrNoLongerAllowed)
	if got, _ := s.Org(ctx, o.ID); got.RosterVersion != o.RosterVersion {
		t.Fatalf("refused offers moved the roster to %d", got.RosterVersion)
	}

	// One open offer: a new one replaces it; withdrawn, it is gone. Each
	// moves the roster on.
	if err := offerNow(offer(intern, "to intern", true)); err != nil {
		t.Fatal(err)
	}
	if err := offerNow(offer(laura, "to laura", false)); err != nil {
		t.Fatal(err)
	}
	if tr, err := s.OpenTransfer(ctx, o.ID); err != nil || tr.NewOwnerID != laura.ID || string(tr.Sig) != "to laura" || len(tr.GroupWraps) != 1 ||
		tr.RosterVersion != o.RosterVersion+2 || string(tr.RecordHeads) != "heads" {
		t.Fatalf("the open offer: %+v %v", tr, err)
	}
	if err := s.WithdrawTransfer(ctx, next()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Org(ctx, o.ID); got.RosterVersion != o.RosterVersion+3 {
		t.Fatalf("the withdrawal left the roster at %d", got.RosterVersion)
	}
	wantErr(t, "no open offer", func() error { _, err := s.OpenTransfer(ctx, o.ID); return err }(), store.ErrNotFound)
	wantErr(t, "withdraw twice", s.WithdrawTransfer(ctx, next()), store.ErrNotFound)

	accept := func() store.Org {
		n := next()
		n.OwnerID, n.RosterSig = laura.ID, []byte("laura's roster")
		return n
	}
	wantErr(t, "accept without an offer", s.AcceptTransfer(ctx, accept(), []byte("to laura"), now), store.ErrNotFound)

	// An offer without the vault key the owner holds falls short.
	if err := offerNow(offer(laura, "short", false)); err != nil {
		t.Fatal(err)
	}
	var rc *store.RecordConflict
	if err := s.AcceptTransfer(ctx, accept(), []byte("short"), now); !errors.As(err, &rc) {
		t.Fatalf("accepting an offer without the vault's key: %v", err)
	}
	if err := offerNow(offer(laura, "full", true)); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Org(ctx, o.ID)
	nextOwner := accept()
	if orgs, _ := s.OrgsForUser(ctx, laura.ID); len(orgs) != 1 || orgs[0].Offer == nil || orgs[0].Offer.NewOwnerID != laura.ID || len(orgs[0].Offer.VaultWraps) != 0 {
		t.Fatalf("the offer in the listing: %+v", orgs)
	}
	wantErr(t, "accept another offer", s.AcceptTransfer(ctx, nextOwner, []byte("short"), now), store.ErrNotFound)
	byIntern := nextOwner
	byIntern.OwnerID = intern.ID
	wantErr(t, "accept by someone else", s.AcceptTransfer(ctx, byIntern, []byte("full"), now), store.ErrNotFound)
	if got, _ := s.Org(ctx, o.ID); got.OwnerID != owner.ID || got.RosterVersion != before.RosterVersion {
		t.Fatalf("a refused acceptance changed the organisation: %+v", got)
	}

	if err := s.AcceptTransfer(ctx, nextOwner, []byte("full"), now); err != nil {
		t.Fatalf("AcceptTransfer: %v", err)
	}
	got, err := s.Org(ctx, o.ID)
	if err != nil || got.OwnerID != laura.ID || got.RosterVersion != nextOwner.RosterVersion || string(got.RosterSig) != "laura's roster" {
		t.Fatalf("the organisation after the transfer: %+v %v", got, err)
	}
	for who, want := range map[string]string{owner.ID: store.RoleMember, laura.ID: store.RoleOwner, intern.ID: store.RoleMember} {
		if role, _ := s.OrgRole(ctx, o.ID, who); role != want {
			t.Fatalf("role of %s: %q, want %q", who, role, want)
		}
	}
	if p, _ := s.VaultPermission(ctx, laura.ID, v.ID); p != store.PermManage {
		t.Fatalf("the new owner's permission on the vault: %v", p)
	}
	if p, _ := s.VaultPermission(ctx, owner.ID, v.ID); p != store.PermManage {
		t.Fatalf("the old owner's grant: %v", p)
	}
	wraps, _ := s.VaultKeyWraps(ctx, v.ID)
	has := false
	for _, w := range wraps {
		has = has || (w.RecipientID == laura.ID && string(w.Wrap) == "vw")
	}
	if !has {
		t.Fatalf("the offered vault wrap was not stored: %+v", wraps)
	}
	if g, _ := s.Group(ctx, team.ID); g.ManagerID != laura.ID {
		t.Fatalf("the organisation group's manager: %s", g.ManagerID)
	}
	if g, _ := s.Group(ctx, private.ID); g.ManagerID != intern.ID {
		t.Fatalf("a private group changed manager: %s", g.ManagerID)
	}
	if _, gw, _ := s.GroupsForUser(ctx, laura.ID); len(gw) != 1 || string(gw[0].Wrap) != "gw" {
		t.Fatalf("the offered group wrap: %+v", gw)
	}
	if r, _ := s.OrgRecovery(ctx, o.ID); r.Enabled {
		t.Fatal("recovery is still on after the transfer")
	}
	if es, _ := s.Enrolments(ctx, o.ID); len(es) != 0 {
		t.Fatalf("enrolments kept: %+v", es)
	}
	if in, _ := s.Invitation(ctx, open.ID); in.State != store.InviteCancelled {
		t.Fatalf("the old owner's open invitation: %s", in.State)
	}
	wantErr(t, "the accepted offer is not open", func() error { _, err := s.OpenTransfer(ctx, o.ID); return err }(), store.ErrNotFound)
	trs, err := s.Transfers(ctx, o.ID)
	if err != nil || len(trs) != 1 || trs[0].Open() || trs[0].NewOwnerID != laura.ID || string(trs[0].Sig) != "full" || len(trs[0].VaultWraps) != 0 {
		t.Fatalf("the kept transfer: %+v %v", trs, err)
	}
	if orgs, _ := s.OrgsForUser(ctx, intern.ID); len(orgs) != 1 || len(orgs[0].Transfers) != 1 || orgs[0].Offer != nil || orgs[0].OwnerID != laura.ID {
		t.Fatalf("the listing after the transfer: %+v", orgs)
	}
	// The old owner can no longer offer it; the new one can, and a
	// stale acceptance (the roster moved on) is refused.
	wantErr(t, "offer by the old owner", offerNow(offer(intern, "old", true)), store.ErrNoLongerAllowed)
	o = got
	again := store.OwnerTransfer{OrgID: o.ID, OldOwnerID: laura.ID, RecordHeads: []byte("heads"), NewOwnerID: intern.ID, NewOwnerFingerprint: []byte("fp"), Sig: []byte("again"), OfferedAt: now,
		VaultWraps: []store.VaultKeyWrap{{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: intern.ID, SignerID: laura.ID, Wrap: []byte("vw"), Sig: []byte("vs"), CreatedAt: now}},
		GroupWraps: []store.KeyWrap{{ObjectID: team.ID, Epoch: 1, MemberID: intern.ID, SignerID: laura.ID, Wrap: []byte("gw"), Sig: []byte("gs"), CreatedAt: now}}}
	if err := offerNow(again); err != nil {
		t.Fatal(err)
	}
	again.RosterVersion = o.RosterVersion + 1
	o, _ = s.Org(ctx, o.ID)
	o = confirm(t, s, o, bob)
	toIntern := o
	toIntern.OwnerID, toIntern.RosterVersion = intern.ID, again.RosterVersion+1
	if err := s.AcceptTransfer(ctx, toIntern, []byte("again"), now); !errors.As(err, &ce) {
		t.Fatalf("accepting an offer the roster moved past: %v", err)
	}
	if got, _ := s.Org(ctx, o.ID); got.OwnerID != laura.ID {
		t.Fatalf("a stale acceptance moved the owner: %s", got.OwnerID)
	}
}
