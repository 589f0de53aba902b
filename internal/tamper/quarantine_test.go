package tamper_test

import (
	"encoding/base64"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// flipB64 flips one bit of a base64 byte field.
func flipB64(t *testing.T, v any) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(v.(string))
	if err != nil || len(b) == 0 {
		t.Fatalf("not a byte field: %v", v)
	}
	b[len(b)/2] ^= 1
	return base64.StdEncoding.EncodeToString(b)
}

// eachWhere calls fn on every object of the sync answer's list key whose
// field equals val.
func eachWhere(body any, key, field, val string, fn func(map[string]any)) {
	for _, x := range body.(map[string]any)[key].([]any) {
		if m := x.(map[string]any); m[field] == val {
			fn(m)
		}
	}
}

// TestQuarantineIsScoped: a failure that can be pinned on one organisation,
// group, vault or item quarantines exactly that scope (and what depends on
// it) — My Vault and every other organisation keep working, nothing of the
// quarantined scope is shown — and the quarantine lifts by itself once the
// server stops lying (protocol §7.6). Each case is a fresh device, which
// gets a full sync answer.
func TestQuarantineIsScoped(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@q.example")
	owner2 := signup(t, h, "owner2@q.example")
	me := signup(t, h, "me@q.example")
	acme, v := company(t, owner, me)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(owner.GrantUser(ctx, v, "me@q.example", "view"))
	_, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "acme-note"})
	must(err)
	w, err := owner.CreateVault(ctx, acme.ID, "W")
	must(err)
	g, err := owner.CreateGroup(ctx, acme.ID, "Team", false, "")
	must(err)
	must(owner.AddGroupMembers(ctx, g, []string{"me@q.example"}))
	must(owner.GrantGroup(ctx, w, g.ID, "view"))
	_, err = owner.CreateItem(ctx, w.ID, "note", client.Content{Name: "team-note"})
	must(err)

	beta, err := owner2.CreateOrg(ctx, "Beta")
	must(err)
	res, err := owner2.Invite(ctx, beta.ID, []string{"me@q.example"})
	must(err)
	_, err = me.Join(ctx, "Beta", res.Code)
	must(err)
	must(owner2.Confirm(ctx, beta.ID, []string{"me@q.example"}))
	bv, err := owner2.CreateVault(ctx, beta.ID, "BV")
	must(err)
	must(owner2.GrantUser(ctx, bv, "me@q.example", "view"))
	_, err = owner2.CreateItem(ctx, bv.ID, "note", client.Content{Name: "beta-note"})
	must(err)
	must(me.Sync(ctx))
	mine, err := me.PersonalVault()
	must(err)
	_, err = me.CreateItem(ctx, mine.ID, "note", client.Content{Name: "mine"})
	must(err)

	all := []string{"mine", "acme-note", "team-note", "beta-note"}
	for _, c := range []struct {
		name        string
		mutate      func(any) any
		quarantined []string // ids
		hidden      []string // item names
	}{
		{"a group's keys", func(b any) any {
			eachWhere(b, "groups", "id", g.ID, func(m map[string]any) { m["keys_sig"] = flipB64(t, m["keys_sig"]) })
			return b
		}, []string{g.ID, w.ID}, []string{"team-note"}},
		{"an organisation's roster", func(b any) any {
			eachWhere(b, "orgs", "id", acme.ID, func(m map[string]any) {
				r := m["roster"].(map[string]any)
				r["sig"] = flipB64(t, r["sig"])
			})
			return b
		}, []string{acme.ID, v.ID, w.ID}, []string{"acme-note", "team-note"}},
		{"My Vault's key", func(b any) any {
			eachWhere(b, "vaults", "id", mine.ID, func(m map[string]any) {
				wr := m["wraps"].([]any)[0].(map[string]any)
				wr["sig"] = flipB64(t, wr["sig"])
			})
			return b
		}, []string{mine.ID}, []string{"mine"}},
		{"one item", func(b any) any {
			eachWhere(b, "items", "vault_id", bv.ID, func(m map[string]any) {
				hr := m["head_revision"].(map[string]any)
				hr["blob"] = flipB64(t, hr["blob"])
			})
			return b
		}, []string{bv.ID}, []string{"beta-note"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.Clear()
			h.MutateJSON("GET", `/sync$`, c.mutate)
			dev := login(t, h, "me@q.example")
			err := dev.Sync(ctx)
			if !client.IsQuarantine(err) || !errors.Is(err, client.ErrTampered) {
				t.Fatalf("Sync = %v, want a quarantine", err)
			}
			var got []string
			for _, q := range dev.Quarantined() {
				got = append(got, q.ID)
				if q.Reason == "" || q.Describe() == "" {
					t.Errorf("quarantine without a reason: %+v", q)
				}
			}
			want := append([]string(nil), c.quarantined...)
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("quarantined %v, want %v", got, want)
			}
			for _, name := range all {
				_, err := dev.FindItem(name, false)
				hidden := false
				for _, hname := range c.hidden {
					hidden = hidden || hname == name
				}
				switch {
				case hidden && !errors.Is(err, client.ErrTampered):
					t.Errorf("%q in a quarantined scope: %v", name, err)
				case !hidden && err != nil:
					t.Errorf("%q outside the quarantine: %v", name, err)
				}
			}
			// Honest again: the quarantine lifts.
			h.Clear()
			if err := dev.Sync(ctx); err != nil {
				t.Fatalf("after the server stopped lying: %v", err)
			}
			for _, name := range all {
				if _, err := dev.FindItem(name, false); err != nil {
					t.Errorf("%q after the quarantine lifted: %v", name, err)
				}
			}
		})
	}
}
