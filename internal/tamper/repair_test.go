package tamper_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// hideItem makes the sync answer hide an item (as purged, on a delta).
func hideItem(id string) func(any) any {
	return func(b any) any {
		m := b.(map[string]any)
		keep := []any{}
		for _, x := range m["items"].([]any) {
			if x.(map[string]any)["id"] != id {
				keep = append(keep, x)
			}
		}
		m["items"] = keep
		p, _ := m["purged"].([]any)
		m["purged"] = append(p, id)
		return b
	}
}

// TestRepairRefusesToDropASeenItem: the server hides an item from every
// reader, so the vault's manifest no longer matches and it is quarantined
// as repairable. The manager's device has seen the item in that vault: its
// repair refuses and names it (it may be hidden, not deleted), also in a
// later run; only with acceptMissing does the repair go ahead. Found in
// review: a repair used to sign the hidden state for everyone.
func TestRepairRefusesToDropASeenItem(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@r.example")
	_, v := company(t, owner)
	if _, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	x, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "secret-x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.MutateJSON("GET", `/sync$`, hideItem(x.ID))
	if err := owner.Sync(ctx); !client.IsQuarantine(err) {
		t.Fatalf("Sync with an item hidden = %v, want a quarantine", err)
	}
	if _, err := owner.RepairVault(ctx, v.ID, client.RepairOptions{}); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("repair that drops a seen item = %v, want refused", err)
	}
	// A later run of the same device (its marks kept) refuses too.
	next := login(t, h, "owner@r.example")
	next.SetMarks(owner.Marks())
	if err := next.Sync(ctx); !client.IsQuarantine(err) {
		t.Fatalf("next run: %v", err)
	}
	if _, err := next.RepairVault(ctx, v.ID, client.RepairOptions{}); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("next run's repair that drops a seen item = %v, want refused", err)
	}
	// The server stops hiding it: nothing to repair.
	h.Clear()
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.FindItem("secret-x", false); err != nil {
		t.Fatal(err)
	}
	// Hidden again, and the user says it may go: the repair drops it.
	h.MutateJSON("GET", `/sync$`, hideItem(x.ID))
	if err := owner.Sync(ctx); !client.IsQuarantine(err) {
		t.Fatal(err)
	}
	if _, err := owner.RepairVault(ctx, v.ID, client.RepairOptions{AcceptChanges: true}); err != nil {
		t.Fatalf("repair accepting the missing item: %v", err)
	}
}

// TestRepairRefusedWhenAnItemFails: the server breaks a vault's manifest
// signature and one item at once. The vault is quarantined not repairable
// (both reasons kept), so no repair can sign the item away.
func TestRepairRefusedWhenAnItemFails(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@r2.example")
	_, v := company(t, owner)
	if _, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	x, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "secret-y"})
	if err != nil {
		t.Fatal(err)
	}
	h.MutateJSON("GET", `/sync$`, func(b any) any {
		eachWhere(b, "vaults", "id", v.ID, func(m map[string]any) {
			mf := m["manifest"].(map[string]any)
			mf["sig"] = flipB64(t, mf["sig"])
		})
		eachWhere(b, "items", "id", x.ID, func(m map[string]any) {
			hr := m["head_revision"].(map[string]any)
			hr["blob"] = flipB64(t, hr["blob"])
		})
		return b
	})
	dev := login(t, h, "owner@r2.example")
	if err := dev.Sync(ctx); !client.IsQuarantine(err) {
		t.Fatalf("Sync = %v, want a quarantine", err)
	}
	qs := dev.Quarantined()
	if len(qs) != 1 || !strings.Contains(qs[0].Reason, "manifest") || !strings.Contains(qs[0].Reason, x.ID) {
		t.Fatalf("quarantined %+v, want the vault with both reasons", qs)
	}
	if _, err := dev.RepairVault(ctx, v.ID, client.RepairOptions{AcceptChanges: true}); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("a repair signed over a vault whose item failed, without dropping it: %v", err)
	}
}

// TestRepairNeverDropsARolledBackItem: an item served at an older head
// than this device saw is a server's doing, and its newer head is still on
// the server: no repair purges it, even asked to drop failing items.
func TestRepairNeverDropsARolledBackItem(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@r3.example")
	_, v := company(t, owner)
	it, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "rolled"})
	if err != nil {
		t.Fatal(err)
	}
	// Record revision 1 as a full sync answer serves it.
	var rev1 any
	h.MutateJSON("GET", `/sync$`, func(b any) any {
		eachWhere(b, "items", "id", it.ID, func(m map[string]any) { rev1 = m })
		return b
	})
	if err := login(t, h, "owner@r3.example").Sync(ctx); err != nil || rev1 == nil {
		t.Fatalf("recording revision 1: %v", err)
	}
	h.Clear()
	if _, err := owner.UpdateItem(ctx, it, client.Content{Name: "rolled", Notes: "rev 2"}); err != nil {
		t.Fatal(err)
	}
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// The server serves revision 1 again, with the old manifest signature
	// broken so that the vault is also up for a repair.
	h.MutateJSON("GET", `/sync$`, func(b any) any {
		m := b.(map[string]any)
		items := m["items"].([]any)
		for i, x := range items {
			if x.(map[string]any)["id"] == it.ID {
				items[i] = rev1
			}
		}
		if len(items) == 0 {
			m["items"] = []any{rev1}
		}
		eachWhere(b, "vaults", "id", v.ID, func(mv map[string]any) {
			mf := mv["manifest"].(map[string]any)
			mf["sig"] = flipB64(t, mf["sig"])
		})
		return b
	})
	dev := login(t, h, "owner@r3.example")
	dev.SetMarks(owner.Marks())
	if err := dev.Sync(ctx); !client.IsQuarantine(err) {
		t.Fatalf("Sync = %v, want a quarantine", err)
	}
	if _, err := dev.RepairVault(ctx, v.ID, client.RepairOptions{AcceptChanges: true, DropFailing: true}); err == nil || !strings.Contains(err.Error(), "cannot be repaired") {
		t.Fatalf("a repair of a vault with a rolled-back item: %v, want refused", err)
	}
}

// TestRepairRefusesATrashFlip: the server takes an item out of the trash
// behind the readers' backs; the vault is quarantined, and the repair of a
// device that saw it in the trash refuses and names it (found by a new
// user: a repair used to sign the flipped state silently), also in a later
// run of that device.
func TestRepairRefusesATrashFlip(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@r4.example")
	_, v := company(t, owner)
	it, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "binned"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.TrashItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	h.MutateJSON("GET", `/sync$`, func(b any) any {
		eachWhere(b, "items", "id", it.ID, func(m map[string]any) { m["trashed"] = false })
		return b
	})
	next := login(t, h, "owner@r4.example")
	next.SetMarks(owner.Marks())
	if err := next.Sync(ctx); !client.IsQuarantine(err) {
		t.Fatalf("Sync with an item taken out of the trash = %v, want a quarantine", err)
	}
	if _, err := next.RepairVault(ctx, v.ID, client.RepairOptions{}); !errors.Is(err, client.ErrTampered) || !strings.Contains(err.Error(), `"binned" now out of the trash`) {
		t.Fatalf("repair over a flipped trash state: %v, want refused naming it", err)
	}
}
