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
