package tamper_test

import (
	"fmt"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// TestDeltaSyncIsProportionalToChanges: after a full sync, a sync that
// follows one change elsewhere is sent that one item, not the vault (the
// manifest still covers the whole vault, from the items held). Counted in
// what the server sends (issue 14).
func TestDeltaSyncIsProportionalToChanges(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@delta.example")
	mine, err := owner.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	var last *client.Item
	for i := range 120 {
		if last, err = owner.CreateItem(ctx, mine.ID, "note", client.Content{Name: fmt.Sprint("n", i)}); err != nil {
			t.Fatal(err)
		}
	}
	dev := login(t, h, "owner@delta.example")
	served := -1
	h.MutateJSON("GET", `/sync$`, func(b any) any {
		served = len(b.(map[string]any)["items"].([]any))
		return b
	})
	if err := dev.Sync(ctx); err != nil || served != 120 {
		t.Fatalf("full sync: %d items served, %v", served, err)
	}
	if _, err := owner.UpdateItem(ctx, last, client.Content{Name: "n119", Notes: "changed"}); err != nil {
		t.Fatal(err)
	}
	if err := dev.Sync(ctx); err != nil || served != 1 {
		t.Fatalf("delta sync after one change: %d items served (want 1), %v", served, err)
	}
	if it, err := dev.FindItem("n119", false); err != nil || it.Content.Notes != "changed" {
		t.Fatalf("the changed item: %+v %v", it, err)
	}
	if err := dev.Sync(ctx); err != nil || served != 0 {
		t.Fatalf("delta sync with nothing changed: %d items served, %v", served, err)
	}
}
