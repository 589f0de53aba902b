package client

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRotationAfterRemoval removes one member from an organisation
// whose vault holds 10,000 items and is granted to a group of 1,000
// members the removed one was in (protocol §18.2, issue 25): the owner's
// client rotates the organisation key (one wrap per remaining member),
// the group's keys (one wrap per remaining member and the manager) and
// the vault's key (one wrap per grantee: the group and the owner) —
// nothing is re-encrypted, whatever the number of items. Reported: the
// removal with its rotations, the wraps written, and the first sync of a
// remaining member afterwards.
//
//	go test -run XXX -bench RotationAfterRemoval -benchtime 3x ./client
func BenchmarkRotationAfterRemoval(b *testing.B) {
	ctx := context.Background()
	const groupSize, items = 1000, 10_000
	bo := newBenchOrg(b, groupSize+b.N)
	owner := bo.owner
	g, err := owner.CreateGroup(ctx, bo.org.ID, "Everyone", false, "view")
	if err != nil {
		b.Fatal(err)
	}
	var emails []string
	for _, m := range owner.memberKeys(bo.org.ID) {
		if m.UserID != owner.Profile.UserID {
			emails = append(emails, m.Email)
		}
	}
	if err := owner.AddGroupMembers(ctx, g, emails[:groupSize]); err != nil {
		b.Fatal(err)
	}
	v, err := owner.CreateVault(ctx, bo.org.ID, "Shared")
	if err != nil {
		b.Fatal(err)
	}
	if err := owner.GrantGroup(ctx, v, g.ID, ""); err != nil {
		b.Fatal(err)
	}
	for done := 0; done < items; done += 1000 {
		batch := make([]NewItem, 1000)
		for i := range batch {
			batch[i] = NewItem{Type: "login", Content: Content{Name: fmt.Sprintf("site-%05d", done+i), Login: &LoginFields{Username: "u", Password: "p"}}}
		}
		if _, err := owner.CreateItems(ctx, v.ID, batch); err != nil {
			b.Fatal(err)
		}
	}
	count := func() int {
		n := 0
		if ws, err := bo.env.Store.VaultKeyWraps(ctx, v.ID); err == nil {
			n += len(ws)
		}
		return n
	}
	var rotated, removed int
	var total time.Duration
	i := 0
	for b.Loop() {
		before := count()
		start := time.Now()
		// Every iteration removes another group member: one removal, and
		// the rotations it owes, each time.
		if err := owner.RemoveMember(ctx, bo.org.ID, emails[i]); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		i++
		removed++
		rotated += count() - before
	}
	ps, err := owner.PendingRotations(ctx, bo.org.ID)
	if err != nil || len(ps) != 0 {
		b.Fatalf("pending after the removals: %v %v", ps, err)
	}
	o, _ := bo.env.Store.Org(ctx, bo.org.ID)
	sg, _ := bo.env.Store.Group(ctx, g.ID)
	sv, _ := bo.env.Store.Vault(ctx, v.ID)
	b.ReportMetric(float64(rotated)/float64(removed), "vault-wraps/op")
	b.ReportMetric(float64(len(sg.Members)), "group-members-left")
	b.ReportMetric(float64(o.KeyEpoch), "org-epoch")
	b.ReportMetric(float64(sv.Epoch), "vault-epoch")
	b.ReportMetric(float64(total.Milliseconds())/float64(removed), "ms-removal+rotation")
}
