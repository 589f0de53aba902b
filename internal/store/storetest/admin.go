package storetest

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "InstanceAdmins", fn: testInstanceAdmins},
		namedTest{name: "DisableAccount", fn: testDisableAccount},
		namedTest{name: "DepartAndCompleteRoster", fn: testDepart},
		namedTest{name: "OwnerNeverDeparts", fn: testOwnerNeverDeparts},
		namedTest{name: "DeleteAccountKeepsTombstone", fn: testDeleteAccount},
	)
}

func testInstanceAdmins(t *testing.T, s store.Store) {
	ann, _ := newAccount(t, s, "Ann.Admin@example.com")
	bob, _ := newAccount(t, s, "bob@example.com")
	if err := s.GrantAdmin(ctx, "no-such-account", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GrantAdmin(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.GrantAdmin(ctx, ann.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := s.GrantAdmin(ctx, ann.ID, now); err != nil {
		t.Fatalf("granting twice: %v", err)
	}
	if ok, err := s.IsGrantedAdmin(ctx, ann.ID); err != nil || !ok {
		t.Fatalf("IsGrantedAdmin(ann) = %v, %v", ok, err)
	}
	if ok, _ := s.IsGrantedAdmin(ctx, bob.ID); ok {
		t.Fatal("bob is no administrator")
	}
	// Search: substring of address or name, any case; % and _ are literal.
	for text, want := range map[string]int{"ANN.": 1, "example.com": 2, "name of bob": 1, "%": 0, "_": 0, "": 2} {
		got, err := s.SearchAccounts(ctx, text, 10)
		if err != nil || len(got) != want {
			t.Fatalf("SearchAccounts(%q) = %d accounts, %v; want %d", text, len(got), err, want)
		}
	}
	got, _ := s.SearchAccounts(ctx, "ann", 10)
	if !got[0].Granted || got[0].ID != ann.ID {
		t.Fatalf("search result %+v: want ann, granted", got[0])
	}
	if got, _ := s.SearchAccounts(ctx, "", 1); len(got) != 1 {
		t.Fatalf("limit 1 gave %d", len(got))
	}
	if err := s.RevokeAdmin(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAdmin(ctx, ann.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoking twice = %v, want ErrNotFound", err)
	}
}

func testDisableAccount(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "dis@example.com")
	sess := store.Session{ID: id(), UserID: a.ID, TokenHash: []byte("tok-" + a.ID), CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(1e12), MaxExpires: now.Add(1e12)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	n, err := s.SetDisabled(ctx, a.ID, true, now)
	if err != nil || n != 1 {
		t.Fatalf("SetDisabled = %d, %v; want 1 session revoked", n, err)
	}
	if got, _ := s.SessionByTokenHash(ctx, sess.TokenHash); got.RevokedAt.IsZero() {
		t.Fatal("the session of a disabled account is not revoked")
	}
	if got, _ := s.AccountByID(ctx, a.ID); got.DisabledAt.IsZero() {
		t.Fatal("DisabledAt not set")
	}
	sess2 := sess
	sess2.ID, sess2.TokenHash = id(), []byte("tok2-"+a.ID)
	if err := s.CreateSession(ctx, sess2); !errors.Is(err, store.ErrDisabled) {
		t.Fatalf("CreateSession of a disabled account = %v, want ErrDisabled", err)
	}
	if _, err := s.SetDisabled(ctx, a.ID, false, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.AccountByID(ctx, a.ID); !got.DisabledAt.IsZero() {
		t.Fatal("DisabledAt still set after enabling")
	}
	if err := s.CreateSession(ctx, sess2); err != nil {
		t.Fatalf("CreateSession after enabling: %v", err)
	}
	if _, err := s.SetDisabled(ctx, "nobody", true, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetDisabled(unknown) = %v", err)
	}
}

// testDepart: leaving (or an administrator's unbinding) drops what the
// owner's removal drops, emits the same event, marks the roster pending;
// the owner's roster then completes it.
func testDepart(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	leo, _ := newAccount(t, s, "leo@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, leo)
	g := store.Group{ID: id(), OrgID: o.ID, ManagerID: leo.ID, Private: true, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("leo's sig"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: leo.ID, SignerID: leo.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Meta: []byte("m"), Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, []store.VaultKeyWrap{
		{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now},
		{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: leo.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now},
	}, []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage, CreatedAt: now},
		{VaultID: v.ID, GranteeKind: "user", GranteeID: leo.ID, Permission: store.PermEdit, CreatedAt: now}}, manifest(v.ID, 1, owner.ID)); err != nil {
		t.Fatal(err)
	}
	_, cursor, _, err := s.EventsSince(ctx, leo.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}

	if err := s.Depart(ctx, o.ID, leo.ID, store.DepartLeft, now); err != nil {
		t.Fatalf("Depart: %v", err)
	}
	if err := s.Depart(ctx, o.ID, leo.ID, store.DepartLeft, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("departing twice = %v, want ErrNotFound", err)
	}
	if role, _ := s.OrgRole(ctx, o.ID, leo.ID); role != "" {
		t.Fatalf("role after leaving = %q", role)
	}
	if p, _ := s.VaultPermission(ctx, leo.ID, v.ID); p != store.PermNone {
		t.Fatalf("permission after leaving = %v", p)
	}
	if gr, _ := s.Group(ctx, g.ID); gr.ManagerID != owner.ID {
		t.Fatalf("group manager after leaving = %s, want the owner", gr.ManagerID)
	}
	if _, wraps, _ := s.GroupsForUser(ctx, leo.ID); len(wraps) != 0 {
		t.Fatalf("%d group key wraps left", len(wraps))
	}
	evs, _, _, err := s.EventsSince(ctx, leo.ID, cursor, 1000)
	if err != nil || len(evs) == 0 || evs[0].Kind != store.EventMemberRemoved || evs[0].OrgID != o.ID {
		t.Fatalf("events to the leaver = %+v, %v; want %s", evs, err, store.EventMemberRemoved)
	}
	deps, err := s.Departures(ctx, o.ID)
	if err != nil || len(deps) != 1 || deps[0].UserID != leo.ID || deps[0].How != store.DepartLeft {
		t.Fatalf("Departures = %+v, %v", deps, err)
	}

	// The owner's roster completes it; the group's keys are re-signed.
	o.RosterVersion++
	left, err := s.CompleteDeparture(ctx, o, leo.ID, map[string][]byte{g.ID: []byte("owner's sig")})
	if err != nil || len(left) != 0 {
		t.Fatalf("CompleteDeparture = %v, %v", left, err)
	}
	if got, _ := s.Org(ctx, o.ID); got.RosterVersion != o.RosterVersion {
		t.Fatalf("roster version = %d, want %d", got.RosterVersion, o.RosterVersion)
	}
	if gr, _ := s.Group(ctx, g.ID); gr.KeysSignerID != owner.ID {
		t.Fatalf("keys signer = %s, want the owner", gr.KeysSignerID)
	}
	if deps, _ := s.Departures(ctx, o.ID); len(deps) != 0 {
		t.Fatalf("departures after completion: %+v", deps)
	}
	o.RosterVersion++
	if _, err := s.CompleteDeparture(ctx, o, leo.ID, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("completing twice = %v, want ErrNotFound", err)
	}
}

func testOwnerNeverDeparts(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	for _, how := range []string{store.DepartLeft, store.DepartUnbound} {
		if err := s.Depart(ctx, o.ID, owner.ID, how, now); !errors.Is(err, store.ErrOwner) {
			t.Fatalf("Depart(owner, %s) = %v, want ErrOwner", how, err)
		}
	}
	o.RosterVersion++
	if _, err := s.RemoveMember(ctx, o, owner.ID, nil); !errors.Is(err, store.ErrOwner) {
		t.Fatalf("RemoveMember(owner) = %v, want ErrOwner", err)
	}
	if err := s.DeleteAccount(ctx, owner.ID, now); !errors.Is(err, store.ErrOwnsOrgs) {
		t.Fatalf("DeleteAccount(owner) = %v, want ErrOwnsOrgs", err)
	}
	if role, _ := s.OrgRole(ctx, o.ID, owner.ID); role != store.RoleOwner {
		t.Fatalf("owner's role = %q after refusals", role)
	}
}

// testDeleteAccount: deletion departs every organisation, deletes My
// Vault and sessions, frees the address, and keeps a tombstone with the
// public keys so that the member's revisions in organisation vaults keep
// their author.
func testDeleteAccount(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	dora, personal := newAccount(t, s, "Dora@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, dora)
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Meta: []byte("m"), Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, []store.VaultKeyWrap{
		{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: dora.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now},
	}, []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: dora.ID, Permission: store.PermEdit, CreatedAt: now}}, manifest(v.ID, 1, owner.ID)); err != nil {
		t.Fatal(err)
	}
	orgItem := newItem(t, s, dora.ID, v.ID, "dora wrote this")
	own := newItem(t, s, dora.ID, personal.ID, "dora's own")
	sess := store.Session{ID: id(), UserID: dora.ID, TokenHash: []byte("tok-" + dora.ID), CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(1e12), MaxExpires: now.Add(1e12)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := s.GrantAdmin(ctx, dora.ID, now); err != nil {
		t.Fatal(err)
	}

	if err := s.DeleteAccount(ctx, dora.ID, now); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	if err := s.DeleteAccount(ctx, dora.ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting twice = %v, want ErrNotFound", err)
	}
	if _, err := s.AccountByEmail(ctx, "dora@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("AccountByEmail after deletion = %v, want ErrNotFound", err)
	}
	tomb, err := s.AccountByID(ctx, dora.ID)
	if err != nil || tomb.DeletedAt.IsZero() || tomb.Email != "dora@example.com" || string(tomb.SignPub) != "sign" || len(tomb.AuthHash) != 0 || len(tomb.WrappedAccountKey) != 0 {
		t.Fatalf("tombstone = %+v, %v: want the public keys and former address, no password material", tomb, err)
	}
	if _, err := s.SessionByTokenHash(ctx, sess.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session after deletion: %v", err)
	}
	if _, err := s.Vault(ctx, personal.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("My Vault after deletion: %v", err)
	}
	if _, err := s.Item(ctx, own.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("My Vault's item after deletion: %v", err)
	}
	revs, err := s.Revisions(ctx, orgItem.ID)
	if err != nil || len(revs) != 1 || revs[0].AuthorID != dora.ID {
		t.Fatalf("the organisation's item lost its revision: %+v, %v", revs, err)
	}
	if deps, _ := s.Departures(ctx, o.ID); len(deps) != 1 || deps[0].How != store.DepartDeleted {
		t.Fatalf("departures = %+v, want dora deleted", deps)
	}
	if ok, _ := s.IsGrantedAdmin(ctx, dora.ID); ok {
		t.Fatal("a deleted account stays an administrator")
	}
	if got, _ := s.SearchAccounts(ctx, "dora", 10); len(got) != 0 {
		t.Fatalf("search finds the tombstone: %+v", got)
	}
	// The address is free again.
	again, _ := newAccount(t, s, "dora@example.com")
	if again.ID == dora.ID {
		t.Fatal("same id")
	}
	// The owner's roster moves her to the former members.
	o.RosterVersion++
	if _, err := s.CompleteDeparture(ctx, o, dora.ID, nil); err != nil {
		t.Fatal(err)
	}
}
