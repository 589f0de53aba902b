package client

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// benchOrg is an organisation whose owner session is real, with members
// inserted straight into the store (real identities, no Argon2id per
// member) and a final roster the owner signed.
type benchOrg struct {
	env   *testserver.Env
	owner *Session
	org   *Org
}

func newBenchOrg(b *testing.B, members int) *benchOrg {
	ctx := context.Background()
	env := testserver.Start(b, nil, nil)
	owner, err := Signup(ctx, env.URL, "owner@bench.example", "Owner", []byte("bench password"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := owner.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	created, err := owner.CreateOrg(ctx, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	synced, err := owner.FindOrg(created.ID)
	if err != nil {
		b.Fatal(err)
	}
	o := *synced
	now := time.Now()
	batch := store.InviteBatch{ID: uuid.NewString(), OrgID: o.ID, VerifierHash: make([]byte, 32), OrgTag: make([]byte, 32), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: now}
	var invs []store.Invitation
	var added []Member
	for i := 0; i < members; i++ {
		id, _ := crypto.NewIdentity()
		uid := uuid.NewString()
		email := fmt.Sprintf("m%04d@bench.example", i)
		a := store.Account{ID: uid, Email: email, Name: email, KDF: store.KDF{Algorithm: "argon2id", Time: 3, Memory: 65536, Threads: 4, Salt: make([]byte, 16)},
			AuthHash: []byte("x"), AuthSalt: []byte("x"), SignPub: id.Public().Sign, KEMPub: id.Public().KEM,
			PublicKeysSig: id.SignPublicKeys(crypto.RecipientUser, uid, id.Public()), WrappedAccountKey: []byte("x"), PrivateKeys: []byte("x"), CreatedAt: now}
		pv := store.Vault{ID: uuid.NewString(), Kind: store.VaultPersonal, OwnerID: uid, Epoch: 1, CreatedAt: now}
		if err := env.Store.CreateAccount(ctx, a, pv, store.VaultKeyWrap{VaultID: pv.ID, Epoch: 1, RecipientKind: "user", RecipientID: uid, SignerID: uid, Wrap: []byte("x"), Sig: []byte("x")}); err != nil {
			b.Fatal(err)
		}
		invs = append(invs, store.Invitation{ID: uuid.NewString(), Email: email})
		added = append(added, Member{UserID: uid, Email: email, Keys: id.Public()})
	}
	// Invited, joined and confirmed a batch at a time: the store allows at
	// most store.MaxOpenInvitationsPerOrg open at once.
	const chunk = 500
	for from := 0; from < len(invs); from += chunk {
		to := min(from+chunk, len(invs))
		batch.ID = uuid.NewString()
		if err := env.Store.CreateInvitations(ctx, batch, invs[from:to]); err != nil {
			b.Fatal(err)
		}
		for i := from; i < to; i++ {
			in := invs[i]
			if err := env.Store.JoinInvitation(ctx, in.ID, added[i].UserID, make([]byte, 32), now); err != nil {
				b.Fatal(err)
			}
			so, _ := env.Store.Org(ctx, o.ID)
			so.RosterVersion++
			if i == len(invs)-1 {
				// Only the final roster matters: the owner signs all members.
				for _, m := range added[:len(added)-1] {
					o.roster = append(o.roster, api.RosterMember{UserID: m.UserID, Email: m.Email, Fingerprint: m.Keys.Fingerprint()})
				}
				o.rosterVersion = so.RosterVersion - 1
				r := owner.signRoster(&o, &added[len(added)-1], "")
				so.Roster, so.RosterSig = mustJSON(b, r.Members), r.Sig
			}
			if err := env.Store.ConfirmMember(ctx, in.ID, so, store.KeyWrap{ObjectID: o.ID, Epoch: 1, MemberID: added[i].UserID, SignerID: owner.Profile.UserID, Wrap: []byte("x"), Sig: []byte("x")}, now); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := owner.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	org, err := owner.FindOrg(o.ID)
	if err != nil {
		b.Fatal(err)
	}
	return &benchOrg{env: env, owner: owner, org: org}
}

// wrapCount counts the vault key wraps of the given vaults.
func wrapCount(b *testing.B, env *testserver.Env, vaults []string) int {
	ctx := context.Background()
	n := 0
	for _, v := range vaults {
		ws, err := env.Store.VaultKeyWraps(ctx, v)
		if err != nil {
			b.Fatal(err)
		}
		n += len(ws)
	}
	return n
}

// BenchmarkGrantVaultToLargeGroup grants a vault to a group of 1,000
// members: one vault key wrap (to the group's key), however many members.
func BenchmarkGrantVaultToLargeGroup(b *testing.B) {
	ctx := context.Background()
	bo := newBenchOrg(b, 1000)
	g, err := bo.owner.CreateGroup(ctx, bo.org.ID, "Everyone", false, "view")
	if err != nil {
		b.Fatal(err)
	}
	var emails []string
	for _, m := range bo.owner.memberKeys(bo.org.ID) {
		if m.UserID != bo.owner.Profile.UserID {
			emails = append(emails, m.Email)
		}
	}
	if err := bo.owner.AddGroupMembers(ctx, g, emails); err != nil {
		b.Fatal(err)
	}
	v, err := bo.owner.CreateVault(ctx, bo.org.ID, "Shared")
	if err != nil {
		b.Fatal(err)
	}
	before := wrapCount(b, bo.env, []string{v.ID})
	if err := bo.owner.GrantGroup(ctx, v, g.ID, ""); err != nil {
		b.Fatal(err)
	}
	after := wrapCount(b, bo.env, []string{v.ID})
	var syncTime time.Duration
	n := 0
	for b.Loop() {
		// Re-granting replaces the group's wrap; the work is the same.
		if err := bo.owner.GrantGroup(ctx, v, g.ID, "edit"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		start := time.Now()
		bo.owner.Sync(ctx)
		syncTime += time.Since(start)
		n++
		b.StartTimer()
	}
	b.ReportMetric(float64(after-before), "wraps/grant")
	b.ReportMetric(float64(syncTime.Milliseconds())/float64(n), "ms-sync-with-1000-members")
	if got, _ := bo.env.Store.Group(ctx, g.ID); len(got.Members) != 1000 {
		b.Fatalf("group has %d members", len(got.Members))
	}
}

// BenchmarkAddMemberToGroupWith500Vaults adds one member to a group that
// can open 500 vaults: one group key wrap, however many vaults.
func BenchmarkAddMemberToGroupWith500Vaults(b *testing.B) {
	ctx := context.Background()
	const spareMembers = 200
	bo := newBenchOrg(b, spareMembers)
	owner := bo.owner
	g, err := owner.CreateGroup(ctx, bo.org.ID, "Ops", false, "view")
	if err != nil {
		b.Fatal(err)
	}
	var emails []string
	for _, m := range owner.memberKeys(bo.org.ID) {
		if m.UserID != owner.Profile.UserID {
			emails = append(emails, m.Email)
		}
	}
	if err := owner.AddGroupMembers(ctx, g, emails[:1]); err != nil {
		b.Fatal(err)
	}
	// 500 vaults granted to the group, written straight to the store with
	// real, owner-signed wraps.
	var vaults []string
	for i := 0; i < 500; i++ {
		id, vk := uuid.NewString(), crypto.NewKey()
		m, _ := sealMeta(vk, fmt.Sprintf("vault %03d", i), metaAD("coffer/v1/vault-meta", bo.org.ID, id))
		toOwner, _ := owner.wrapVaultKey(bo.org.ID, id, 1, crypto.RecipientUser, owner.Profile.UserID, owner.id.Public(), vk)
		toGroup, _ := owner.wrapVaultKey(bo.org.ID, id, 1, crypto.RecipientGroup, g.ID, g.keys, vk)
		var ws []store.VaultKeyWrap
		for _, w := range []api.VaultKeyWrap{toOwner, toGroup} {
			ws = append(ws, store.VaultKeyWrap{VaultID: id, Epoch: 1, RecipientKind: w.RecipientKind, RecipientID: w.RecipientID, SignerID: w.SignerID, Wrap: w.Wrap, Sig: w.Sig})
		}
		// With its first epoch record (protocol §18.1), as a client makes it.
		rec, err := owner.firstRecord(recordState{orgID: bo.org.ID, kind: crypto.RecordVault, objectID: id, keyCommit: crypto.EpochKeyCommit(vk), meta: m,
			recipients: []crypto.RecordRecipient{userRecipient(owner.Profile.UserID, owner.id.Public(), "manage"), groupRecipient(g.ID, g.keys, "view")}})
		if err != nil {
			b.Fatal(err)
		}
		rctx := store.WithRecords(ctx)
		store.AttachRecord(rctx, storeRecord(rec))
		am, err := firstManifest(owner.id, owner.Profile.UserID, bo.org.ID, id, time.Now().UnixMilli())
		if err != nil {
			b.Fatal(err)
		}
		err = bo.env.Store.CreateVault(rctx, store.Vault{ID: id, Kind: store.VaultOrg, OrgID: bo.org.ID, CreatorID: owner.Profile.UserID, Meta: m, Epoch: 1, CreatedAt: time.Now()}, ws,
			[]store.Grant{{VaultID: id, GranteeKind: "user", GranteeID: owner.Profile.UserID, Permission: store.PermManage}, {VaultID: id, GranteeKind: "group", GranteeID: g.ID, Permission: store.PermView}},
			store.Manifest{VaultID: id, Version: am.Version, Count: am.Count, ItemsHash: am.ItemsHash, SignerID: am.SignerID, Time: am.Time, Sig: am.Sig})
		if err != nil {
			b.Fatal(err)
		}
		vaults = append(vaults, id)
	}
	if err := owner.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	before := wrapCount(b, bo.env, vaults)
	i := 1
	var syncTime time.Duration
	for b.Loop() {
		if i >= len(emails) {
			b.Fatalf("ran out of members to add; run with -benchtime below %dx", spareMembers)
		}
		if err := owner.AddGroupMembers(ctx, g, emails[i:i+1]); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		// Exactly one group key wrap was made for the new member.
		m, _ := owner.memberByEmail(bo.org.ID, emails[i])
		if _, wraps, _ := bo.env.Store.GroupsForUser(ctx, m.UserID); len(wraps) != 1 {
			b.Fatalf("new member has %d group key wraps, want 1", len(wraps))
		}
		i++
		start := time.Now()
		owner.Sync(ctx)
		syncTime += time.Since(start)
		b.StartTimer()
	}
	after := wrapCount(b, bo.env, vaults)
	b.ReportMetric(float64(after-before), "vault-wraps-added")
	b.ReportMetric(1, "group-wraps/member")
	b.ReportMetric(float64(syncTime.Milliseconds())/float64(i-1), "ms-sync-of-500-vaults")
}

func mustJSON(b *testing.B, v any) []byte {
	data, err := jsonMarshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// storeRecord is a signed wire record as the server stores it.
func storeRecord(r api.EpochRecord) store.EpochRecord {
	cr, err := r.Signed()
	if err != nil {
		panic(err)
	}
	rs := make([]store.RecordRecipient, len(r.Recipients))
	for i, x := range r.Recipients {
		rs[i] = store.RecordRecipient{Kind: x.Kind, ID: x.ID, Fingerprint: x.Fingerprint, Permission: x.Permission}
	}
	return store.EpochRecord{OrgID: r.OrgID, Kind: r.Kind, ObjectID: r.ObjectID, Version: r.Version, Epoch: r.Epoch, KeyCommit: r.KeyCommit,
		MetaEpoch: r.MetaEpoch, MetaHash: r.MetaHash, Recipients: rs, PrevHash: r.PrevHash, SignerID: r.SignerID, TimeMS: r.TimeMS, Sig: r.Sig,
		Hash: crypto.EpochRecordHash(cr, r.Sig)}
}
