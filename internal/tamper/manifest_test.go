package tamper_test

import (
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// C4 and D2 through the signed vault manifest (protocol §7.5).

// dropItemNamed removes from every sync answer the item with id.
func dropItem(h *tamper.Harness, id string) {
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		items, _ := tamper.Get(body, "items").([]any)
		kept := []any{}
		for _, it := range items {
			if tamper.Get(it, "id") != id {
				kept = append(kept, it)
			}
		}
		tamper.Set(body, kept, "items")
		return body
	})
}

// C4: the server omits an item from a fresh device's sync, in My Vault and
// in an organisation vault another member wrote.
func TestThreatC4OmittedItemDetected(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@c4o.example")
	v, _ := s.PersonalVault()
	hidden, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "hidden"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "shown"}); err != nil {
		t.Fatal(err)
	}
	dropItem(h, hidden.ID)
	fresh := login(t, h, "me@c4o.example")
	mustTampered(t, "item omitted from My Vault", fresh.Sync(ctx))
	if n := len(fresh.List(false)); n != 0 {
		t.Fatalf("%d items shown after a refused sync", n)
	}

	h.Clear()
	owner := signup(t, h, "owner@c4o.example")
	member := signup(t, h, "member@c4o.example")
	_, ov := company(t, owner, member)
	if err := owner.GrantUser(ctx, ov, "member@c4o.example", "view"); err != nil {
		t.Fatal(err)
	}
	shared, err := owner.CreateItem(ctx, ov.ID, "login", client.Content{Name: "shared"})
	if err != nil {
		t.Fatal(err)
	}
	if err := member.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	dropItem(h, shared.ID)
	mustTampered(t, "item omitted from an organisation vault", login(t, h, "member@c4o.example").Sync(ctx))
}

// C4: the server replays an item that was purged (a stored copy of its
// last state) into a fresh device's sync.
func TestThreatC4ReplayedPurgedItemDetected(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@c4r.example")
	v, _ := s.PersonalVault()
	it, err := s.CreateItem(ctx, v.ID, "login", client.Content{Name: "old account"})
	if err != nil {
		t.Fatal(err)
	}
	trashed, err := s.TrashItem(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	var copy any
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		if items, _ := tamper.Get(body, "items").([]any); len(items) == 1 && copy == nil {
			copy = items[0]
		}
		return body
	})
	if err := login(t, h, "me@c4r.example").Sync(ctx); err != nil || copy == nil {
		t.Fatalf("capture: %v", err)
	}
	if err := s.PurgeItem(ctx, trashed); err != nil {
		t.Fatal(err)
	}
	h.Clear()
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		tamper.Set(body, []any{copy}, "items")
		return body
	})
	mustTampered(t, "purged item replayed", login(t, h, "me@c4r.example").Sync(ctx))
}

// C4/G1: a device that saw a newer manifest (kept between runs as a
// high-water mark) is served an older, complete and signed state: the
// newest item is missing and nothing else differs.
func TestThreatC4OlderManifestRefusedByKnownDevice(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@c4m.example")
	v, _ := s.PersonalVault()
	if _, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "first"}); err != nil {
		t.Fatal(err)
	}
	var old any
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		if old == nil {
			old = body
		}
		return body
	})
	if err := login(t, h, "me@c4m.example").Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "second"}); err != nil {
		t.Fatal(err)
	}
	h.Clear()
	device := login(t, h, "me@c4m.example")
	if err := device.Sync(ctx); err != nil || len(device.List(false)) != 2 {
		t.Fatalf("sync: %v", err)
	}
	marks := device.Marks()
	if marks.Manifests[v.ID] != 3 {
		t.Fatalf("manifest mark %d, want 3", marks.Manifests[v.ID])
	}
	h.MutateJSON("GET", `/sync$`, func(any) any { return old })
	next := login(t, h, "me@c4m.example") // the same device, next run
	next.SetMarks(marks)
	mustTampered(t, "older manifest after a newer one", next.Sync(ctx))
}

// C4: the server rewrites the manifest to agree with an omission (count
// and hash), or serves none at all.
func TestThreatC4ForgedOrMissingManifest(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@c4f.example")
	v, _ := s.PersonalVault()
	if _, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "n"}); err != nil {
		t.Fatal(err)
	}
	var emptyHash any // the hash of an empty vault, from a vault with no items
	other := signup(t, h, "other@c4f.example")
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		if emptyHash == nil {
			emptyHash = tamper.Get(body, "vaults", 0, "manifest", "items_hash")
		}
		return body
	})
	if err := other.Sync(ctx); err != nil || emptyHash == nil {
		t.Fatalf("capture: %v", err)
	}
	h.Clear()
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		tamper.Set(body, []any{}, "items")
		tamper.Set(body, 0, "vaults", 0, "manifest", "count")
		tamper.Set(body, emptyHash, "vaults", 0, "manifest", "items_hash")
		return body
	})
	mustTampered(t, "manifest rewritten to match an omission", login(t, h, "me@c4f.example").Sync(ctx))

	h.Clear()
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		tamper.Set(body, nil, "vaults", 0, "manifest")
		return body
	})
	mustTampered(t, "manifest withheld", login(t, h, "me@c4f.example").Sync(ctx))
}

// D2: trash state is signed in the manifest; the server flips it either way.
func TestThreatD2TrashStateFlipDetected(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@d2t.example")
	v, _ := s.PersonalVault()
	live, err := s.CreateItem(ctx, v.ID, "login", client.Content{Name: "live"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.CreateItem(ctx, v.ID, "login", client.Content{Name: "gone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrashItem(ctx, gone); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id      string
		trashed bool
	}{{live.ID, true}, {gone.ID, false}} {
		h.Clear()
		h.MutateJSON("GET", `/sync$`, func(body any) any {
			for _, it := range tamper.Get(body, "items").([]any) {
				if tamper.Get(it, "id") == c.id {
					tamper.Set(it, c.trashed, "trashed")
				}
			}
			return body
		})
		mustTampered(t, "trash flag flipped", login(t, h, "me@d2t.example").Sync(ctx))
	}
}
