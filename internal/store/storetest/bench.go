package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// BenchInvitationsSince measures the invitation mail budget check that runs
// before every invitation batch when the server sends e-mail: one owner
// with 20 organisations of 250 invitations each (5,000; half older than
// the window), counted per organisation and per inviter.
func BenchInvitationsSince(b *testing.B, s store.Store) {
	owner, _ := newAccount(b, s, "owner@example.com")
	var orgs []store.Org
	for i := 0; i < 20; i++ {
		o := store.Org{ID: id(), OwnerID: owner.ID, Meta: []byte("m"), KeyEpoch: 1, RosterVersion: 1, Roster: []byte("[]"), RosterSig: []byte("s"), CreatedAt: now}
		if err := s.CreateOrg(ctx, o, store.KeyWrap{ObjectID: o.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}); err != nil {
			b.Fatal(err)
		}
		orgs = append(orgs, o)
		for k := 0; k < 5; k++ {
			at := now.Add(-time.Duration(k%2) * 48 * time.Hour)
			bt := store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("v"), OrgTag: []byte("t"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: at, InviterID: owner.ID}
			var invs []store.Invitation
			for j := 0; j < 50; j++ {
				invs = append(invs, store.Invitation{ID: id(), Email: fmt.Sprintf("u%d-%d-%d@example.com", i, k, j)})
			}
			if err := s.CreateInvitations(ctx, bt, invs); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		byOrg, byInviter, err := s.InvitationsSince(ctx, orgs[i%len(orgs)].ID, owner.ID, now.Add(-24*time.Hour))
		if err != nil || byOrg != 150 || byInviter != 3000 {
			b.Fatalf("InvitationsSince = %d, %d, %v", byOrg, byInviter, err)
		}
	}
}

// BenchmarkUsage measures Store.Usage — what every upload pays for the
// storage quota — and Store.UsageBytes — what every revision write pays —
// for an account that wrote revisions
// revisions of 1 KiB and uploaded 100 files (half attached).
func BenchmarkUsage(b *testing.B, s store.Store, revisions int) {
	a, v := newAccountTB(b, s, "bench@example.com")
	wraps := []store.ItemKeyWrap{{KeyVault: v.ID, KeyEpoch: 1, WrapVault: v.ID, WrapEpoch: 1, Wrap: []byte("ikw")}}
	blob := string(make([]byte, 1024))
	for i := range revisions {
		r := revision(a.ID, v.ID, blob)
		if i < 95 {
			f := store.File{ID: id(), VaultID: v.ID, Size: 1 << 20, ChunkCount: 1, CreatorID: a.ID, CreatedAt: now}
			if err := s.CreateFile(ctx, f); err != nil {
				b.Fatal(err)
			}
			r.FileIDs = []string{f.ID}
		}
		if _, err := s.CreateItem(ctx, store.Item{ID: id(), VaultID: v.ID, Type: "login", CreatedAt: now}, r, wraps); err != nil {
			b.Fatal(err)
		}
	}
	for range 5 {
		if err := s.CreateFile(ctx, store.File{ID: id(), VaultID: v.ID, Size: 1 << 20, ChunkCount: 1, CreatorID: a.ID, CreatedAt: now}); err != nil {
			b.Fatal(err)
		}
	}
	want := int64(100<<20 + revisions*1024)
	b.ResetTimer()
	b.Run("Usage", func(b *testing.B) {
		for b.Loop() {
			u, err := s.Usage(ctx, a.ID, now.Add(-time.Hour))
			if err != nil || u.Bytes != want || u.PendingFiles != 5 {
				b.Fatalf("Usage = %+v, %v; want %d bytes", u, err, want)
			}
		}
	})
	b.Run("UsageBytes", func(b *testing.B) {
		for b.Loop() {
			n, err := s.UsageBytes(ctx, a.ID)
			if err != nil || n != want {
				b.Fatalf("UsageBytes = %d, %v; want %d", n, err, want)
			}
		}
	})
}

// newAccountTB is newAccount for benchmarks.
func newAccountTB(tb testing.TB, s store.Store, email string) (store.Account, store.Vault) {
	a := store.Account{ID: id(), Email: email, Name: "Bench", KDF: store.KDF{Algorithm: "argon2id", Time: 3, Memory: 65536, Threads: 4, Salt: []byte("0123456789abcdef")},
		AuthHash: []byte("hash"), AuthSalt: []byte("salt"), SignPub: []byte("sign"), KEMPub: []byte("kem"),
		PublicKeysSig: []byte("sig"), WrappedAccountKey: []byte("wak"), PrivateKeys: []byte("pk"), CreatedAt: now}
	v := store.Vault{ID: id(), Kind: store.VaultPersonal, OwnerID: a.ID, Epoch: 1, CreatedAt: now}
	w := store.VaultKeyWrap{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: a.ID, SignerID: a.ID, Wrap: []byte("wrap"), Sig: []byte("wsig"), CreatedAt: now}
	if err := s.CreateAccount(ctx, a, v, w, manifest(v.ID, 1, a.ID)); err != nil {
		tb.Fatal(fmt.Errorf("CreateAccount: %w", err))
	}
	return a, v
}
