package storetest

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "ExportPolicy", fn: testExportPolicy},
		namedTest{name: "RaceExportAgainstPolicy", fn: testRaceExportAgainstPolicy},
	)
}

// testExportPolicy: the account flag and a group's flag, what each
// restricts, and a refused export's entry not written.
func testExportPolicy(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	mia, _ := newAccount(t, s, "mia@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, mia)
	other := newOrg(t, s, owner)
	g := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMembers(ctx, g.ID, []store.KeyWrap{{ObjectID: g.ID, Epoch: 1, MemberID: mia.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}}); err != nil {
		t.Fatal(err)
	}
	policy := func() store.ExportPolicy {
		p, err := s.ExportPolicy(ctx, mia.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := policy(); p.MyVaultOnly || len(p.RestrictedOrgs) != 0 {
		t.Fatalf("no policy set: %+v", p)
	}
	if err := s.RecordExport(audited(auditEntry(o.ID, mia.ID, "export", 1)), o.ID, mia.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetGroupExportPolicy(audited(auditEntry(o.ID, owner.ID, "export-policy", 2)), g.ID, true, owner.ID, now); err != nil {
		t.Fatal(err)
	}
	if p := policy(); p.MyVaultOnly || len(p.RestrictedOrgs) != 1 || p.RestrictedOrgs[0] != o.ID {
		t.Fatalf("a group flag: %+v", p)
	}
	if got, _ := s.Group(ctx, g.ID); !got.ExportMyVaultOnly {
		t.Fatal("the group does not show its flag")
	}
	wantErr(t, "a restricted export", s.RecordExport(audited(auditEntry(o.ID, mia.ID, "export", 3)), o.ID, mia.ID), store.ErrExportRestricted)
	if err := s.RecordExport(audited(auditEntry(other.ID, owner.ID, "export", 1)), other.ID, owner.ID); err != nil {
		t.Fatalf("another organisation: %v", err)
	}
	list, err := s.AuditLog(ctx, o.ID, 0, 100)
	if err != nil || len(list) == 0 || list[len(list)-1].Action != "export-policy" {
		t.Fatalf("the refused export's entry was written, or the policy's not: %v %v", list, err)
	}
	// The account flag restricts every organisation; lifted, nothing.
	if err := s.SetAccountExportPolicy(ctx, mia.ID, true, "admin", now); err != nil {
		t.Fatal(err)
	}
	if p := policy(); !p.MyVaultOnly {
		t.Fatalf("the account flag: %+v", p)
	}
	if err := s.SetGroupExportPolicy(audited(auditEntry(o.ID, owner.ID, "export-policy", 4)), g.ID, false, owner.ID, now); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "an account-restricted export", s.RecordExport(audited(auditEntry(o.ID, mia.ID, "export", 5)), o.ID, mia.ID), store.ErrExportRestricted)
	if err := s.SetAccountExportPolicy(ctx, mia.ID, false, "admin", now); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordExport(audited(auditEntry(o.ID, mia.ID, "export", 6)), o.ID, mia.ID); err != nil {
		t.Fatalf("lifted: %v", err)
	}
	wantErr(t, "no such account", s.SetAccountExportPolicy(ctx, id(), true, "admin", now), store.ErrNotFound)
	wantErr(t, "no such group", s.SetGroupExportPolicy(audited(auditEntry(o.ID, owner.ID, "export-policy", 7)), id(), true, owner.ID, now), store.ErrNotFound)
}

// testRaceExportAgainstPolicy: exports recorded in a loop race the
// owner restricting the exporter's group; in the log, no export of the
// member comes after the restriction (each is decided in its own
// transaction, under the same lock).
func testRaceExportAgainstPolicy(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	for round := range 3 {
		m, _ := newAccount(t, s, "member"+string(rune('a'+round))+"@example.com")
		o = confirm(t, s, o, m)
		g := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
			SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
		if err := s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.AddGroupMembers(ctx, g.ID, []store.KeyWrap{{ObjectID: g.ID, Epoch: 1, MemberID: m.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}}); err != nil {
			t.Fatal(err)
		}
		var n atomic.Int64
		ok, _ := race(t, func() error {
			err := s.RecordExport(audited(auditEntry(o.ID, m.ID, "export", int(n.Add(1)))), o.ID, m.ID)
			if errors.Is(err, store.ErrExportRestricted) {
				return store.ErrNoLongerAllowed
			}
			return err
		}, func() error {
			return s.SetGroupExportPolicy(audited(auditEntry(o.ID, owner.ID, "export-policy", 0)), g.ID, true, owner.ID, now)
		})
		if ok == 0 {
			t.Fatal("no export was recorded before the restriction: the race was not run")
		}
		list, err := s.AuditLog(ctx, o.ID, 0, 100000)
		if err != nil {
			t.Fatal(err)
		}
		at := -1 // this round's restriction: the newest
		for i, e := range list {
			if e.Action == "export-policy" && string(e.Target) == `{"n":0}` {
				at = i
			}
		}
		if at < 0 {
			t.Fatalf("round %d: the restriction is not in the log", round)
		}
		for _, e := range list[at+1:] {
			if e.Action == "export" && e.ActorID == m.ID {
				t.Fatalf("round %d: an export (seq %d) recorded after the restriction (seq %d)", round, e.Seq, list[at].Seq)
			}
		}
		// The next round's group is restricted afresh.
		if err := s.SetGroupExportPolicy(audited(auditEntry(o.ID, owner.ID, "export-policy", -1)), g.ID, false, owner.ID, now); err != nil {
			t.Fatal(err)
		}
	}
}
