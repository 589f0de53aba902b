package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// company sets up an organisation owned by owner with the given members
// confirmed, through the real invite → join → confirm flow.
func company(t *testing.T, owner *client.Session, name string, members ...*client.Session) *client.Org {
	t.Helper()
	o, err := owner.CreateOrg(ctx, name)
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	if len(members) == 0 {
		return o
	}
	var emails []string
	for _, m := range members {
		emails = append(emails, m.Profile.Email)
	}
	res, err := owner.Invite(ctx, o.ID, emails)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	for _, m := range members {
		if _, err := m.Join(ctx, name, res.Code); err != nil {
			t.Fatalf("Join(%s): %v", m.Profile.Email, err)
		}
	}
	if err := owner.Confirm(ctx, o.ID, emails); err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	for _, m := range members {
		if err := m.Sync(ctx); err != nil {
			t.Fatalf("Sync(%s): %v", m.Profile.Email, err)
		}
	}
	return o
}

// TestLauraClient is the MySafe scenario at the client-core level (the CLI
// end-to-end test tells it again with the real binary).
func TestLauraClient(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	admin := signup(t, env.URL, "sysadmin@acme.example")
	laura := signup(t, env.URL, "laura@acme.example")
	intern := signup(t, env.URL, "intern@acme.example")
	coord := signup(t, env.URL, "coordinator@acme.example")
	sales := signup(t, env.URL, "sales@acme.example")
	o := company(t, admin, "Acme", laura, intern, coord, sales)

	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	g, err := laura.CreateGroup(ctx, o.ID, "Marketing", true, "")
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	if err := laura.AddGroupMembers(ctx, g, []string{"intern@acme.example", "coordinator@acme.example"}); err != nil {
		t.Fatalf("AddGroupMembers: %v", err)
	}
	it := addLogin(t, laura, "Social media platform", "s3cret-social")
	if _, err := laura.Share(ctx, it, g, "view"); err != nil {
		t.Fatalf("Share: %v", err)
	}
	for _, reader := range []*client.Session{intern, coord} {
		if err := reader.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := reader.FindItem("Social media platform", false)
		if err != nil || got.Content.Login.Password != "s3cret-social" {
			t.Fatalf("%s reads: %+v %v", reader.Profile.Email, got, err)
		}
		c := got.Content
		c.Name = "changed"
		_, err = reader.UpdateItem(ctx, got, c)
		if !errors.Is(err, client.ErrReadOnly) {
			t.Fatalf("%s edits a view-only item: %v", reader.Profile.Email, err)
		}
		// History moved along with the item and stays readable.
		h, err := reader.History(ctx, got)
		if err != nil || len(h) != 2 {
			t.Fatalf("history for %s: %d %v", reader.Profile.Email, len(h), err)
		}
	}
	for _, outsider := range []*client.Session{sales, admin} {
		if err := outsider.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := outsider.FindItem("Social media platform", false); !errors.Is(err, client.ErrNotFound) {
			t.Fatalf("%s sees the item: %v", outsider.Profile.Email, err)
		}
		for _, v := range outsider.Vaults() {
			if v.ID == g.VaultID {
				t.Fatalf("%s sees the Marketing vault", outsider.Profile.Email)
			}
		}
	}
}

// TestConfirmDetectsSwappedKeys: the server substitutes the invitee's
// public keys between join and confirm; the owner's confirm refuses and
// wraps nothing.
func TestConfirmDetectsSwappedKeys(t *testing.T) {
	var swap func(b []byte) []byte
	env := testserver.Start(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if swap != nil && r.Method == http.MethodGet && len(r.URL.Path) > 8 && r.URL.Path[len(r.URL.Path)-8:] == "/members" {
				rec := &recorder{header: http.Header{}}
				h.ServeHTTP(rec, r)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(rec.status)
				w.Write(swap(rec.body.Bytes()))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	owner := signup(t, env.URL, "owner@acme.example")
	invitee := signup(t, env.URL, "invitee@acme.example")
	mallory := signup(t, env.URL, "mallory@acme.example")
	o, err := owner.CreateOrg(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	honest := signup(t, env.URL, "honest@acme.example")
	res, err := owner.Invite(ctx, o.ID, []string{"invitee@acme.example", "honest@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{invitee, honest} {
		if _, err := s.Join(ctx, "Acme", res.Code); err != nil {
			t.Fatal(err)
		}
	}
	// From now on the server presents Mallory's keys as the invitee's.
	swap = func(b []byte) []byte { return swapKeys(t, b, invitee, mallory) }
	// Confirming both, the honest one first: nobody is confirmed.
	err = owner.Confirm(ctx, o.ID, []string{"honest@acme.example", "invitee@acme.example"})
	if !errors.Is(err, client.ErrKeyMismatch) || !strings.Contains(err.Error(), "invitee@acme.example") {
		t.Fatalf("confirm with swapped keys: %v, want ErrKeyMismatch naming the invitee", err)
	}
	swap = nil
	members, err := owner.MembersAndInvitations(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if (m.Email == "invitee@acme.example" || m.Email == "honest@acme.example") && m.State != "joined" {
			t.Fatalf("%s is %s after a refused confirm", m.Email, m.State)
		}
	}
}

// TestJoinAttemptsLimited: five wrong codes lock the invitation; after that
// even the right code is refused — by the client, which the server tells
// that the invitation is locked, and by the server itself when it is
// asked anyway (a proxy hides the lock from the client here).
func TestJoinAttemptsLimited(t *testing.T) {
	var hideLock atomic.Bool
	var asked atomic.Int32 // joins sent while the lock is hidden
	env := testserver.Start(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if hideLock.Load() && strings.HasSuffix(r.URL.Path, "/join") {
				asked.Add(1)
			}
			if !hideLock.Load() || r.URL.Path != "/api/v1/invitations" {
				h.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte(`"locked":true`), []byte(`"locked":false`)))
		})
	})
	owner := signup(t, env.URL, "owner@lock.example")
	guest := signup(t, env.URL, "guest@lock.example")
	o, err := owner.CreateOrg(ctx, "Lock")
	if err != nil {
		t.Fatal(err)
	}
	res, err := owner.Invite(ctx, o.ID, []string{"guest@lock.example"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := guest.Join(ctx, o.ID, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"); !errors.Is(err, client.ErrWrongCode) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	if _, err = guest.Join(ctx, o.ID, res.Code); !errors.Is(err, client.ErrInvitationLocked) {
		t.Fatalf("right code after 5 wrong ones: %v, want the invitation locked", err)
	}
	hideLock.Store(true)
	if _, err = guest.Join(ctx, o.ID, res.Code); !errors.Is(err, client.ErrInvitationLocked) {
		t.Fatalf("right code after 5 wrong ones, sent to the server: %v, want its 429 as the invitation locked", err)
	}
	if _, err = guest.Join(ctx, o.ID, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"); !errors.Is(err, client.ErrInvitationLocked) {
		t.Fatalf("a sixth wrong code, sent to the server: %v, want its 429 as the invitation locked", err)
	}
	if n := asked.Load(); n != 2 {
		t.Fatalf("%d joins reached the server with the lock hidden, want 2", n)
	}
}

// TestServerAddedMemberIsRefused: a server that adds someone to the roster
// on its own (or hands out an organisation the user never joined) is
// caught: the roster's owner signature no longer verifies.
func TestServerAddedMemberIsRefused(t *testing.T) {
	var tamper bool
	env := testserver.Start(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !tamper || r.URL.Path != "/api/v1/sync" {
				h.ServeHTTP(w, r)
				return
			}
			rec := &recorder{header: http.Header{}}
			h.ServeHTTP(rec, r)
			var body map[string]any
			json.Unmarshal(rec.body.Bytes(), &body)
			org := body["orgs"].([]any)[0].(map[string]any)
			roster := org["roster"].(map[string]any)
			members := roster["members"].([]any)
			extra := map[string]any{}
			for k, v := range members[0].(map[string]any) {
				extra[k] = v
			}
			extra["user_id"], extra["email"] = "00000000-0000-4000-8000-000000000000", "mallory@evil.example"
			roster["members"] = append(members, extra)
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(body)
		})
	})
	owner := signup(t, env.URL, "owner@roster.example")
	if _, err := owner.CreateOrg(ctx, "Roster"); err != nil {
		t.Fatal(err)
	}
	tamper = true
	if err := owner.Sync(ctx); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("sync with a server-added member: %v, want ErrTampered", err)
	}
}
