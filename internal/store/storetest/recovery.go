package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "RecoveryEnrolOnlyMembersAtTheCurrentVersion", fn: testRecoveryEnrol},
		namedTest{name: "RecoveryRequestsGrantAndComplete", fn: testRecoveryRequests},
		namedTest{name: "RecoveryLeavesANoticeForTheAccount", fn: testRecoveryNotices})
}

func recoveryKey(org string, version uint64) store.OrgRecovery {
	return store.OrgRecovery{OrgID: org, Version: version, SignPub: []byte("rsp"), KEMPub: []byte("rkp"), KeysSig: []byte("owner sig"),
		SealedPrivate: []byte("sealed"), UpdatedAt: now}
}

func enrolment(org, user string, version uint64) store.RecoveryEnrolment {
	return store.RecoveryEnrolment{OrgID: org, UserID: user, Version: version, Wrap: []byte("wrap of " + user), Sig: []byte("sig"), CreatedAt: now}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: %v, want %v", what, err, want)
	}
}

// testRecoveryEnrol: one key per version, only confirmed members (never
// the owner, never an outsider) enrol and only at the current version;
// disabling forgets every enrolment and the next key gets the next
// version; a removed member's enrolment goes with the removal.
func testRecoveryEnrol(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	m, _ := newAccount(t, s, "member@example.com")
	m2, _ := newAccount(t, s, "member2@example.com")
	outsider, _ := newAccount(t, s, "outsider@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, m)
	o = confirm(t, s, o, m2)
	wantErr(t, "enrol before recovery is on", s.Enrol(ctx, enrolment(o.ID, m.ID, 1)), store.ErrNotFound)
	wantErr(t, "first key at version 2", s.EnableRecovery(ctx, recoveryKey(o.ID, 2)), store.ErrExists)
	if err := s.EnableRecovery(ctx, recoveryKey(o.ID, 1)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "enable twice", s.EnableRecovery(ctx, recoveryKey(o.ID, 2)), store.ErrExists)
	wantErr(t, "owner enrols", s.Enrol(ctx, enrolment(o.ID, owner.ID, 1)), store.ErrNotFound)
	wantErr(t, "outsider enrols", s.Enrol(ctx, enrolment(o.ID, outsider.ID, 1)), store.ErrNotFound)
	wantErr(t, "enrol at another version", s.Enrol(ctx, enrolment(o.ID, m.ID, 2)), store.ErrNotFound)
	for _, u := range []string{m.ID, m2.ID} {
		if err := s.Enrol(ctx, enrolment(o.ID, u, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Enrol(ctx, enrolment(o.ID, m.ID, 1)); err != nil { // again: replaces
		t.Fatal(err)
	}
	if list, _ := s.Enrolments(ctx, o.ID); len(list) != 2 {
		t.Fatalf("enrolments: %+v", list)
	}
	mine, _, err := s.RecoveryForMember(ctx, m.ID)
	if err != nil || len(mine) != 1 || mine[0].OwnerID != owner.ID || mine[0].Enrolment == nil || mine[0].SealedPrivate != nil ||
		string(mine[0].KEMPub) != "rkp" {
		t.Fatalf("RecoveryForMember: %+v, %v", mine, err)
	}
	if mine, _, _ := s.RecoveryForMember(ctx, owner.ID); len(mine) != 0 {
		t.Fatalf("the owner is offered recovery by their own organisation: %+v", mine)
	}
	if err := s.Unenrol(ctx, o.ID, m2.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "unenrol twice", s.Unenrol(ctx, o.ID, m2.ID), store.ErrNotFound)
	if mine, _, _ := s.RecoveryForMember(ctx, m2.ID); len(mine) != 1 || mine[0].Enrolment != nil {
		t.Fatalf("after leaving: %+v", mine)
	}
	o.RosterVersion++
	if _, err := s.RemoveMember(ctx, o, m.ID, nil); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Enrolments(ctx, o.ID); len(list) != 0 {
		t.Fatalf("a removed member's enrolment stayed: %+v", list)
	}
	if err := s.Enrol(ctx, enrolment(o.ID, m2.ID, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.DisableRecovery(ctx, o.ID, now); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "disable twice", s.DisableRecovery(ctx, o.ID, now), store.ErrNotFound)
	if r, err := s.OrgRecovery(ctx, o.ID); err != nil || r.Enabled || r.Version != 1 || r.KEMPub != nil || r.SealedPrivate != nil {
		t.Fatalf("after disabling: %+v, %v", r, err)
	}
	wantErr(t, "re-enable at the same version", s.EnableRecovery(ctx, recoveryKey(o.ID, 1)), store.ErrExists)
	if err := s.EnableRecovery(ctx, recoveryKey(o.ID, 2)); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Enrolments(ctx, o.ID); len(list) != 0 {
		t.Fatalf("an enrolment survived disabling: %+v", list)
	}
}

// testRecoveryRequests: a user keeps a bounded number of open requests;
// an owner sees those of members enrolled in their organisation only; a
// grant needs an unexpired, ungranted request and a current enrolment;
// completion needs a grant, swaps the password, revokes every session
// and removes the user's requests — all or nothing.
func testRecoveryRequests(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	m, _ := newAccount(t, s, "member@example.com")
	other, _ := newAccount(t, s, "other@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, m)
	o = confirm(t, s, o, other)
	if err := s.EnableRecovery(ctx, recoveryKey(o.ID, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Enrol(ctx, enrolment(o.ID, m.ID, 1)); err != nil {
		t.Fatal(err)
	}
	req := func(user string, at time.Time) store.RecoveryRequest {
		q := store.RecoveryRequest{ID: id(), UserID: user, SignPub: []byte("qs"), KEMPub: []byte("qk"), CreatedAt: at, ExpiresAt: at.Add(72 * time.Hour)}
		if err := s.CreateRecoveryRequest(ctx, q, 3); err != nil {
			t.Fatal(err)
		}
		return q
	}
	var reqs []store.RecoveryRequest
	for i := range 3 {
		reqs = append(reqs, req(m.ID, now.Add(time.Duration(i)*time.Minute)))
	}
	// A fourth is refused: it does not push the first out (anyone may
	// ask in the member's name).
	fourth := store.RecoveryRequest{ID: id(), UserID: m.ID, SignPub: []byte("qs"), KEMPub: []byte("qk"), CreatedAt: now.Add(3 * time.Minute), ExpiresAt: now.Add(75 * time.Hour)}
	wantErr(t, "a request beyond the bound", s.CreateRecoveryRequest(ctx, fourth, 3), store.ErrLimit)
	req(other.ID, now) // not enrolled: never offered to the owner
	_, mine, _ := s.RecoveryForMember(ctx, m.ID)
	if len(mine) != 3 || mine[0].ID != reqs[2].ID || mine[2].ID != reqs[0].ID {
		t.Fatalf("a member's requests (the first 3 kept): %+v", mine)
	}
	later := now.Add(5 * time.Minute)
	open, err := s.OpenRecoveryRequests(ctx, o.ID, later)
	if err != nil || len(open) != 3 || open[0].ID != reqs[0].ID {
		t.Fatalf("open requests: %+v, %v", open, err)
	}
	// The owner discards one the member did not make; that frees a place.
	wantErr(t, "discard another organisation's request", s.DiscardRecoveryRequest(ctx, id(), reqs[0].ID), store.ErrNotFound)
	_, others, _ := s.RecoveryForMember(ctx, other.ID)
	wantErr(t, "discard a request of a member not enrolled", s.DiscardRecoveryRequest(ctx, o.ID, others[0].ID), store.ErrNotFound)
	if err := s.DiscardRecoveryRequest(ctx, o.ID, reqs[0].ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "discard twice", s.DiscardRecoveryRequest(ctx, o.ID, reqs[0].ID), store.ErrNotFound)
	reqs[0] = req(m.ID, now.Add(4*time.Minute))
	if open, _ := s.OpenRecoveryRequests(ctx, o.ID, later); len(open) != 3 || open[0].ID != reqs[1].ID {
		t.Fatalf("open requests after a discard: %+v", open)
	}
	grant := func(q store.RecoveryRequest, version uint64, at time.Time) error {
		q.GrantOrg, q.GrantVersion, q.GrantWrap, q.GrantSig, q.GrantedBy, q.GrantedAt = o.ID, version, []byte("gw"), []byte("gs"), owner.ID, at
		return s.GrantRecovery(ctx, q, at)
	}
	wantErr(t, "grant an expired request", grant(reqs[1], 1, now.Add(73*time.Hour)), store.ErrNotFound)
	wantErr(t, "grant at another version", grant(reqs[1], 2, later), store.ErrNotFound)
	wantErr(t, "grant a request of a member who is not enrolled", grant(store.RecoveryRequest{ID: id()}, 1, later), store.ErrNotFound)
	wantErr(t, "grant a request of a member who is not enrolled", grant(others[0], 1, later), store.ErrNotFound)
	pw := newPassword("recovered")
	if _, err := s.CompleteRecovery(ctx, reqs[2].ID, m.ID, m.AuthHash, pw, recoveredNotice(o.ID, owner.ID), later); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("complete an ungranted request: %v", err)
	}
	if err := grant(reqs[2], 1, later); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "grant twice", grant(reqs[2], 1, later), store.ErrNotFound)
	got, err := s.RecoveryRequest(ctx, reqs[2].ID)
	if err != nil || !got.Granted() || got.GrantedBy != owner.ID || string(got.GrantWrap) != "gw" {
		t.Fatalf("the granted request: %+v, %v", got, err)
	}
	if open, _ := s.OpenRecoveryRequests(ctx, o.ID, later); len(open) != 2 {
		t.Fatalf("a granted request is still open: %+v", open)
	}
	wantErr(t, "complete as another user", func() error {
		_, err := s.CompleteRecovery(ctx, reqs[2].ID, other.ID, other.AuthHash, pw, recoveredNotice(o.ID, owner.ID), later)
		return err
	}(), store.ErrNotFound)
	wantErr(t, "complete over a stale hash", func() error {
		_, err := s.CompleteRecovery(ctx, reqs[2].ID, m.ID, []byte("stale"), pw, recoveredNotice(o.ID, owner.ID), later)
		return err
	}(), store.ErrNotFound)
	if _, err := s.RecoveryRequest(ctx, reqs[2].ID); err != nil {
		t.Fatalf("a failed completion removed the request: %v", err)
	}
	if err := s.CreateSession(ctx, store.Session{ID: id(), UserID: m.ID, TokenHash: []byte("t"), CreatedAt: now, LastUsedAt: now,
		ExpiresAt: now.Add(time.Hour), MaxExpires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	n, err := s.CompleteRecovery(ctx, reqs[2].ID, m.ID, m.AuthHash, pw, recoveredNotice(o.ID, owner.ID), later)
	if err != nil || n != 1 {
		t.Fatalf("complete: %d, %v", n, err)
	}
	if a, _ := s.AccountByID(ctx, m.ID); string(a.AuthHash) != string(pw.AuthHash) || string(a.WrappedAccountKey) != string(pw.WrappedAccountKey) {
		t.Fatalf("the account after recovery: %+v", a)
	}
	if _, mine, _ := s.RecoveryForMember(ctx, m.ID); len(mine) != 0 {
		t.Fatalf("requests left after completion: %+v", mine)
	}
	if _, others, _ := s.RecoveryForMember(ctx, other.ID); len(others) != 1 {
		t.Fatal("another user's request went too")
	}

	// An approval not yet used is void once the member leaves, recovery
	// is turned off, or the password is changed; a member may cancel all.
	for _, void := range []struct {
		what string
		fn   func() error
	}{
		{"leave", func() error { return s.Unenrol(ctx, o.ID, m.ID) }},
		{"password change", func() error {
			a, _ := s.AccountByID(ctx, m.ID)
			_, err := s.SetPassword(ctx, m.ID, a.AuthHash, newPassword("changed "+id()), false, "", later)
			return err
		}},
		{"cancel", func() error { _, err := s.CancelRecoveryRequests(ctx, m.ID); return err }},
		{"recovery off", func() error { return s.DisableRecovery(ctx, o.ID, later) }},
	} {
		if r, _ := s.OrgRecovery(ctx, o.ID); !r.Enabled {
			if err := s.EnableRecovery(ctx, recoveryKey(o.ID, r.Version+1)); err != nil {
				t.Fatal(err)
			}
		}
		r, _ := s.OrgRecovery(ctx, o.ID)
		if err := s.Enrol(ctx, enrolment(o.ID, m.ID, r.Version)); err != nil {
			t.Fatal(err)
		}
		q := req(m.ID, later)
		if err := grant(q, r.Version, later); err != nil {
			t.Fatalf("%s: grant: %v", void.what, err)
		}
		if err := void.fn(); err != nil {
			t.Fatalf("%s: %v", void.what, err)
		}
		a, _ := s.AccountByID(ctx, m.ID)
		if _, err := s.CompleteRecovery(ctx, q.ID, m.ID, a.AuthHash, newPassword("after "+void.what), recoveredNotice(o.ID, owner.ID), later); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an approval was used after %s: %v", void.what, err)
		}
	}
}

func recoveredNotice(org, owner string) store.AccountNotice {
	return store.AccountNotice{ID: id(), Kind: store.NoticeRecovered, OrgID: org, ActorID: owner, ActorEmail: "owner@example.com",
		ApprovedAt: now.Add(time.Minute), ClientAddr: "192.0.2.7", CreatedAt: now.Add(2 * time.Minute)}
}

// testRecoveryNotices (issue 23, finding 10): a completed recovery leaves
// a notice for the account, in the same transaction — a refused
// completion none; only the account marks it seen, once (the first time
// stays); it outlives the organisation that approved it; notices list
// newest first, bounded.
func testRecoveryNotices(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	m, _ := newAccount(t, s, "member@example.com")
	other, _ := newAccount(t, s, "other@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, m)
	o = confirm(t, s, o, other)
	if err := s.EnableRecovery(ctx, recoveryKey(o.ID, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Enrol(ctx, enrolment(o.ID, m.ID, 1)); err != nil {
		t.Fatal(err)
	}
	granted := func(at time.Time) store.RecoveryRequest {
		q := store.RecoveryRequest{ID: id(), UserID: m.ID, SignPub: []byte("qs"), KEMPub: []byte("qk"), CreatedAt: at, ExpiresAt: at.Add(72 * time.Hour)}
		if err := s.CreateRecoveryRequest(ctx, q, 5); err != nil {
			t.Fatal(err)
		}
		q.GrantOrg, q.GrantVersion, q.GrantWrap, q.GrantSig, q.GrantedBy, q.GrantedAt = o.ID, 1, []byte("gw"), []byte("gs"), owner.ID, at
		if err := s.GrantRecovery(ctx, q, at); err != nil {
			t.Fatal(err)
		}
		return q
	}
	notices := func(user string, limit int) []store.AccountNotice {
		t.Helper()
		list, err := s.AccountNotices(ctx, user, limit)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	if list := notices(m.ID, 10); len(list) != 0 {
		t.Fatalf("notices before any recovery: %+v", list)
	}
	q := granted(now)
	first := recoveredNotice(o.ID, owner.ID)
	first.UserID = other.ID // the store takes the completion's user, whatever the notice says
	if _, err := s.CompleteRecovery(ctx, q.ID, m.ID, []byte("stale"), newPassword("refused"), first, now.Add(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a completion over a stale hash: %v", err)
	}
	if list := notices(m.ID, 10); len(list) != 0 {
		t.Fatalf("a refused completion left a notice: %+v", list)
	}
	if _, err := s.CompleteRecovery(ctx, q.ID, m.ID, m.AuthHash, newPassword("recovered"), first, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	list := notices(m.ID, 10)
	want := first
	want.UserID = m.ID
	if len(list) != 1 || !reflect.DeepEqual(list[0], want) {
		t.Fatalf("the notice of a completed recovery:\n got %+v\nwant %+v", list, want)
	}
	if list := notices(other.ID, 10); len(list) != 0 {
		t.Fatalf("another account got the notice: %+v", list)
	}
	wantErr(t, "another account marks the notice seen", s.MarkNoticeSeen(ctx, other.ID, first.ID, now), store.ErrNotFound)
	wantErr(t, "an unknown notice marked seen", s.MarkNoticeSeen(ctx, m.ID, id(), now), store.ErrNotFound)
	if list := notices(m.ID, 10); !list[0].SeenAt.IsZero() {
		t.Fatalf("seen by someone else's mark: %+v", list)
	}
	seen := now.Add(time.Hour)
	if err := s.MarkNoticeSeen(ctx, m.ID, first.ID, seen); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkNoticeSeen(ctx, m.ID, first.ID, seen.Add(time.Hour)); err != nil {
		t.Fatalf("marking a seen notice seen again: %v", err)
	}
	if list := notices(m.ID, 10); !list[0].SeenAt.Equal(seen) {
		t.Fatalf("seen at %v, want the first time %v", list[0].SeenAt, seen)
	}

	// A second recovery: newest first, bounded; the organisation that
	// approved both is deleted, the notices stay.
	a, _ := s.AccountByID(ctx, m.ID)
	q2 := granted(now.Add(2 * time.Hour))
	second := recoveredNotice(o.ID, owner.ID)
	second.CreatedAt = now.Add(3 * time.Hour)
	if _, err := s.CompleteRecovery(ctx, q2.ID, m.ID, a.AuthHash, newPassword("again"), second, now.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if list := notices(m.ID, 10); len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID || !list[0].SeenAt.IsZero() {
		t.Fatalf("two notices: %+v", list)
	}
	if list := notices(m.ID, 1); len(list) != 1 || list[0].ID != second.ID {
		t.Fatalf("limit 1: %+v", list)
	}
	if err := s.DeleteOrg(ctx, o.ID, true, now.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if list := notices(m.ID, 10); len(list) != 2 || list[0].OrgID != o.ID || list[0].ActorID != owner.ID {
		t.Fatalf("after the organisation was deleted: %+v", list)
	}
}
