package client_test

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestFormerMemberCannotChooseTheNextKey (security finding 25.13): a
// member who left, colluding with the server, signs a rotation-only
// record of a vault whose rotation is owed and hands the remaining
// holders a key of their choosing. Readers still read what is there, but
// nobody writes under that key: the vault's manager rotates it again at
// their next sync, and what is written afterwards is closed to the
// former member's kept keys.
func TestFormerMemberCannotChooseTheNextKey(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@vouch.example")
	bob := signup(t, env.URL, "bob@vouch.example")
	carol := signup(t, env.URL, "carol@vouch.example")
	o := company(t, owner, "Vouch", bob, carol)
	v, err := owner.CreateVault(ctx, o.ID, "Servers")
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"bob@vouch.example", "carol@vouch.example"} {
		if err := owner.GrantUser(ctx, mustVault(t, owner, v.ID), who, "edit"); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*client.Session{bob, carol} {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	prev := records(t, bob, o.ID)[v.ID]
	last := prev[len(prev)-1]
	stay := []string{owner.Profile.UserID, carol.Profile.UserID}
	key, wraps := client.ForgeVaultRotationAs(bob, o.ID, v.ID, 2, stay)
	kept := client.KeepKeys(bob)
	if err := bob.LeaveOrg(ctx, o.ID); err != nil {
		t.Fatal(err)
	}

	// Bob's rotation-only record: epoch 2, the holders who stay, his key.
	db, err := sql.Open("sqlite", env.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	next := last
	next.Version, next.PrevHash, next.Epoch, next.KeyCommit = last.Version+1, client.RecordHash(last), 2, crypto.EpochKeyCommit(key)
	next.Recipients = nil
	for _, r := range last.Recipients {
		if r.ID != bob.Profile.UserID {
			next.Recipients = append(next.Recipients, r)
		}
	}
	insertRecord(t, db, client.SignRecordAs(bob, next))
	for _, w := range wraps {
		if _, err := db.Exec(`INSERT INTO vault_key_wraps (vault_id, epoch, recipient_kind, recipient_id, signer_id, wrap, sig, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
			w.VaultID, w.Epoch, w.RecipientKind, w.RecipientID, w.SignerID, w.Wrap, w.Sig); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`UPDATE vaults SET epoch = 2 WHERE id = ?`, v.ID); err != nil {
		t.Fatal(err)
	}

	// Carol reads the vault, but does not write under Bob's key.
	if err := carol.Sync(ctx); err != nil {
		t.Fatalf("carol's sync: %v", err)
	}
	if _, err := carol.CreateItem(ctx, v.ID, "note", client.Content{Name: "under the former member's key"}); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("carol wrote under a key a former member chose: %v", err)
	}
	// Carol's device sees the rotation owed though the server lists none
	// for the vault (it was told Bob's rotation did it).
	if _, err := db.Exec(`DELETE FROM pending_rotations WHERE object_id = ?`, v.ID); err != nil {
		t.Fatal(err)
	}
	owed, err := carol.PendingRotations(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range owed {
		found = found || (p.ObjectID == v.ID && p.Reason == client.ReasonUntrustedKey)
	}
	if !found {
		t.Fatalf("carol's device does not list the vault as owing a rotation: %+v", owed)
	}
	// The owner manages the vault: their next sync rotates it.
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := mustVault(t, owner, v.ID); got.Epoch != 3 {
		t.Fatalf("after the owner's sync the vault is at epoch %d, want 3", got.Epoch)
	}
	if err := carol.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	it := newItem(t, carol, v.ID, "after the rotation")
	k := keptEnv{t, env}
	if kept.OpensRevision(k.head(it.ID)) {
		t.Fatal("the former member's kept keys open what was written after the rotation")
	}
	// A fresh device of Carol's reads the whole chain, Bob's record in it.
	fresh := relogin(t, env.URL, "carol@vouch.example")
	if err := fresh.Sync(ctx); err != nil {
		t.Fatalf("a fresh device's sync: %v", err)
	}
	if _, err := fresh.FindItem(it.ID, false); err != nil {
		t.Fatalf("a fresh device: %v", err)
	}
}

// TestRecordsByMembersWhoLostAuthorityStillVerify: a record signed by a
// group member through the group's manage grant stays valid after they
// leave the group — a device starting afresh, which verifies the chain
// against the group as it is now, opens the vault.
func TestRecordsByMembersWhoLostAuthorityStillVerify(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@authority.example")
	bob := signup(t, env.URL, "bob@authority.example")
	carol := signup(t, env.URL, "carol@authority.example")
	o := company(t, owner, "Authority", bob, carol)
	g, err := owner.CreateGroup(ctx, o.ID, "Ops", false, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.AddGroupMembers(ctx, g, []string{"bob@authority.example"}); err != nil {
		t.Fatal(err)
	}
	v, err := owner.CreateVault(ctx, o.ID, "Servers")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantGroup(ctx, mustVault(t, owner, v.ID), g.ID, "manage"); err != nil {
		t.Fatal(err)
	}
	if err := bob.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// Bob manages the vault through the group: he grants Carol.
	if err := bob.GrantUser(ctx, mustVault(t, bob, v.ID), "carol@authority.example", "edit"); err != nil {
		t.Fatal(err)
	}
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	og, err := owner.FindGroup(o.ID, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.RemoveGroupMember(ctx, og, "bob@authority.example"); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"carol@authority.example", "owner@authority.example"} {
		s := relogin(t, env.URL, email)
		if err := s.Sync(ctx); err != nil {
			t.Fatalf("%s on a fresh device: %v", email, err)
		}
		got, err := s.FindVault(v.ID)
		if err != nil {
			t.Fatalf("%s on a fresh device: %v", email, err)
		}
		if _, err := s.CreateItem(ctx, got.ID, "note", client.Content{Name: "written by " + email}); err != nil {
			t.Fatalf("%s writes: %v", email, err)
		}
	}
}

// TestRevisionsOnlyFromWhoHeldEdit (protocol §14.6): a view-only member
// colluding with the server — which lets their write through — signs an
// item into the vault; readers refuse it, since the vault's signed
// records never gave them edit. The same writer with edit is accepted.
func TestRevisionsOnlyFromWhoHeldEdit(t *testing.T) {
	f := newSignedFixture(t)
	f.exec(t, `UPDATE vault_grants SET permission = 2 WHERE vault_id = ? AND grantee_id = ?`, f.vault, f.viewer.Profile.UserID)
	if err := f.viewer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := client.CreateRawItem(ctx, f.viewer, f.vault, []byte(`{"name":"planted by a reader"}`)); err != nil {
		t.Fatalf("the server let the write through: %v", err)
	}
	f.exec(t, `UPDATE vault_grants SET permission = 1 WHERE vault_id = ? AND grantee_id = ?`, f.vault, f.viewer.Profile.UserID)
	quarantinedFor(t, f.owner, f.vault, "may not write there")
	quarantinedFor(t, relogin(t, f.env.URL, "owner@signed.example"), f.vault, "may not write there")

	// Given edit by a signed grant, the same member's writes are read.
	g := newSignedFixture(t)
	if err := g.owner.GrantUser(ctx, mustVault(t, g.owner, g.vault), "viewer@signed.example", "edit"); err != nil {
		t.Fatal(err)
	}
	if err := g.viewer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	it := newItem(t, g.viewer, g.vault, "written with edit")
	if err := g.owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := g.owner.FindItem(it.ID, false); err != nil {
		t.Fatalf("the editor's item: %v", err)
	}
}
