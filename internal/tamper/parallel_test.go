package tamper_test

import (
	"fmt"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// TestParallelVerificationKeepsEveryCheck: a sync answer large enough to
// be verified on all cores is checked exactly as a small one: every item
// decrypts, and one tampered item among hundreds (in an organisation
// vault) quarantines its vault alone, while My Vault's hundreds read. Run
// with -race, it also checks that verification only reads shared state.
func TestParallelVerificationKeepsEveryCheck(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@par.example")
	_, v := company(t, owner)
	mine, err := owner.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	const n = 150
	var victim string
	for i := range n {
		if _, err := owner.CreateItem(ctx, mine.ID, "note", client.Content{Name: fmt.Sprint("mine-", i), Notes: fmt.Sprint("note ", i)}); err != nil {
			t.Fatal(err)
		}
		it, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: fmt.Sprint("org-", i)})
		if err != nil {
			t.Fatal(err)
		}
		if i == n/2 {
			victim = it.ID
		}
	}
	dev := login(t, h, "owner@par.example")
	if err := dev.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(dev.List(false)); got != 2*n {
		t.Fatalf("%d items after a clean full sync, want %d", got, 2*n)
	}
	h.MutateJSON("GET", `/sync$`, func(b any) any {
		eachWhere(b, "items", "id", victim, func(m map[string]any) {
			hr := m["head_revision"].(map[string]any)
			hr["sig"] = flipB64(t, hr["sig"])
		})
		return b
	})
	dev = login(t, h, "owner@par.example")
	if err := dev.Sync(ctx); !client.IsQuarantine(err) {
		t.Fatalf("Sync with one tampered item among %d = %v, want a quarantine", 2*n, err)
	}
	if qs := dev.Quarantined(); len(qs) != 1 || qs[0].ID != v.ID {
		t.Fatalf("quarantined %+v, want the organisation vault alone", qs)
	}
	if got := len(dev.List(false)); got != n {
		t.Fatalf("%d items visible, want My Vault's %d", got, n)
	}
	it, err := dev.FindItem(fmt.Sprint("mine-", n-1), false)
	if err != nil || it.Content.Notes != fmt.Sprint("note ", n-1) {
		t.Fatalf("an item of My Vault: %+v %v", it, err)
	}
}
