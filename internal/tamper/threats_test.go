package tamper_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// Each test names the THREATS.md row it mounts (docs/security.md).

func mustTampered(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, client.ErrTampered) {
		t.Fatalf("%s: %v, want ErrTampered", what, err)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// A1: the server adds a "recovery" account to the member list it serves;
// nothing is ever wrapped to it.
func TestThreatA1EscrowRecipientGetsNothing(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@a1.example")
	member := signup(t, h, "member@a1.example")
	escrow := signup(t, h, "recovery@a1.example")
	o, v := company(t, owner, member)
	h.MutateJSON("GET", `/orgs/[^/]+/members$`, func(body any) any {
		list := tamper.Get(body, "members").([]any)
		extra := map[string]any{"user_id": escrow.Profile.UserID, "email": escrow.Profile.Email, "name": "Recovery",
			"sign_pub": b64(escrow.Profile.Keys.SignPub), "kem_pub": b64(escrow.Profile.Keys.KEMPub),
			"public_keys_sig": b64(escrow.Profile.Keys.PublicKeysSig), "role": "member"}
		tamper.Set(body, append(list, extra), "members")
		return body
	})
	mark := h.Mark()
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, v, "recovery@a1.example", "view"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("grant to the injected account: %v", err)
	}
	if err := owner.GrantUser(ctx, v, "member@a1.example", "view"); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateGroup(ctx, o.ID, "G", false, ""); err != nil {
		t.Fatal(err)
	}
	if leaks := tamper.Leaks(tamper.Writes(h.Since(mark)), escrow.Profile.UserID); len(leaks) != 0 {
		t.Fatalf("a request addressed the injected account: %s %s", leaks[0].Method, leaks[0].Path)
	}
}

// A3: a login answer with extra claims or another account's id changes
// nothing: the client refuses another account and sends no key-derived
// data anywhere but the login proof.
func TestThreatA3ForgedSessionClaims(t *testing.T) {
	h := tamper.Start(t, nil)
	signup(t, h, "victim@a3.example")
	other := signup(t, h, "other@a3.example")
	h.MutateJSON("POST", `/sessions$`, func(body any) any {
		tamper.Set(body, other.Profile.UserID, "user_id")
		tamper.Set(body, "admin", "role")
		tamper.Set(body, "https://escrow.example/keys", "key_endpoint")
		return body
	})
	mark := h.Mark()
	_, err := client.Login(ctx, h.URL, "victim@a3.example", []byte("password of victim@a3.example"), client.Options{})
	mustTampered(t, "login answer naming another account", err)
	for _, r := range h.Since(mark) {
		if r.Method != "GET" && !strings.HasSuffix(r.Path, "/sessions") && !strings.HasSuffix(r.Path, "/prelogin") {
			t.Fatalf("client sent %s %s after a forged login answer", r.Method, r.Path)
		}
	}
}

// B1: the server answers another key for a member at grant time.
func TestThreatB1RecipientKeySwapped(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@b1.example")
	member := signup(t, h, "member@b1.example")
	mallory := signup(t, h, "mallory@b1.example")
	_, v := company(t, owner, member)
	h.Mutate("GET", `/orgs/[^/]+/members$`, func(body []byte) []byte {
		return []byte(strings.ReplaceAll(string(body), b64(member.Profile.Keys.KEMPub), b64(mallory.Profile.Keys.KEMPub)))
	})
	mark := h.Mark()
	mustTampered(t, "sync with a swapped member key", owner.Sync(ctx))
	if len(tamper.Writes(h.Since(mark))) != 0 {
		t.Fatal("the client wrote after seeing a swapped key")
	}
	_ = v
}

// B1 (groups): a group's public key swapped at grant time. The granter is
// not in the group, so it takes the group's keys from the organisation's
// list — and checks them against the manager's signature.
func TestThreatB1GroupKeySwapped(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@b1g.example")
	member := signup(t, h, "member@b1g.example")
	granter := signup(t, h, "granter@b1g.example")
	mallory := signup(t, h, "mallory@b1g.example")
	o, v := company(t, owner, member, granter)
	g, err := owner.CreateGroup(ctx, o.ID, "Team", false, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.AddGroupMembers(ctx, g, []string{"member@b1g.example"}); err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, v, "granter@b1g.example", "manage"); err != nil {
		t.Fatal(err)
	}
	granter.Sync(ctx)
	gv, err := granter.FindVault(v.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.MutateJSON("GET", `/orgs/[^/]+/groups$`, func(body any) any {
		for _, x := range body.([]any) {
			x.(map[string]any)["kem_pub"] = b64(mallory.Profile.Keys.KEMPub)
		}
		return body
	})
	mark := h.Mark()
	mustTampered(t, "grant to a group with a swapped key", granter.GrantGroup(ctx, gv, "Team", "view"))
	for _, r := range tamper.Writes(h.Since(mark)) {
		if strings.Contains(r.Path, "/grants") {
			t.Fatal("a wrap was sent to the swapped group key")
		}
	}
	// Control: untampered, the same grant goes through.
	h.Clear()
	if err := granter.GrantGroup(ctx, gv, "Team", "view"); err != nil {
		t.Fatalf("untampered grant: %v", err)
	}
}

// B2: the server injects a vault whose key it wrapped itself.
func TestThreatB2InjectedVault(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@b2.example")
	member := signup(t, h, "member@b2.example")
	_, v := company(t, owner, member)
	fake, _ := crypto.NewIdentity()
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		vaults := tamper.Get(body, "vaults").([]any)
		forged := map[string]any{"id": "0f0f0f0f-0000-4000-8000-000000000001", "kind": "org", "org_id": v.OrgID, "epoch": 1, "permission": "edit"}
		c := crypto.VaultKeyContext(v.OrgID, "0f0f0f0f-0000-4000-8000-000000000001", 1, "user", member.Profile.UserID,
			crypto.PublicKeys{Sign: member.Profile.Keys.SignPub, KEM: member.Profile.Keys.KEMPub})
		wrap, sig, _ := crypto.WrapKey(fake, "server", c, crypto.NewKey())
		forged["wraps"] = []any{map[string]any{"vault_id": forged["id"], "epoch": 1, "recipient_kind": "user",
			"recipient_id": member.Profile.UserID, "signer_id": owner.Profile.UserID, "wrap": b64(wrap), "sig": b64(sig)}}
		tamper.Set(body, append(vaults, forged), "vaults")
		return body
	})
	mustTampered(t, "a vault key wrapped by the server", member.Sync(ctx))
}

// B2 (organisations): an organisation the user never joined is ignored and
// reported.
func TestThreatB2InjectedOrganisation(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@b2o.example")
	stranger := signup(t, h, "stranger@b2o.example")
	company(t, owner)
	var orgs any
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		if orgs == nil {
			return body
		}
		tamper.Set(body, orgs, "orgs")
		return body
	})
	// Capture the owner's organisation as the server would show it, then
	// serve it to a stranger.
	h.MutateJSON("GET", `/orgs$`, func(body any) any { orgs = body; return body })
	if _, err := ownerOrgs(h, owner); err != nil {
		t.Fatal(err)
	}
	if err := stranger.Sync(ctx); err != nil {
		t.Fatalf("sync with an injected organisation: %v (it should be ignored)", err)
	}
	if len(stranger.Orgs()) != 0 || len(stranger.Warnings) == 0 {
		t.Fatalf("injected organisation accepted (%d orgs) or not reported (%v)", len(stranger.Orgs()), stranger.Warnings)
	}
}

// B3: right after creating a vault, the server replaces the creator's wrap.
func TestThreatB3WrapReplacedAfterCreation(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@b3.example")
	_, v := company(t, owner)
	v2, err := owner.CreateVault(ctx, v.OrgID, "Other")
	if err != nil {
		t.Fatal(err)
	}
	// Serve V2's (genuine, owner-signed) wrap as V's.
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		var wrapV2 any
		for _, x := range tamper.Get(body, "vaults").([]any) {
			if x.(map[string]any)["id"] == v2.ID {
				wrapV2 = tamper.Get(x, "wraps", 0)
			}
		}
		for _, x := range tamper.Get(body, "vaults").([]any) {
			if x.(map[string]any)["id"] == v.ID {
				w := map[string]any{}
				for k, val := range wrapV2.(map[string]any) {
					w[k] = val
				}
				w["vault_id"] = v.ID
				tamper.Set(x, []any{w}, "wraps")
			}
		}
		return body
	})
	mustTampered(t, "creator's wrap replaced", owner.Sync(ctx))
}

// B4: a fresh device is served a substituted My Vault key.
func TestThreatB4FreshDeviceOwnWrapSubstituted(t *testing.T) {
	h := tamper.Start(t, nil)
	signup(t, h, "me@b4.example")
	other := signup(t, h, "other@b4.example")
	otherVault, _ := other.PersonalVault()
	fresh := login(t, h, "me@b4.example")
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		w := tamper.Get(body, "vaults", 0, "wraps", 0).(map[string]any)
		w["wrap"] = b64(make([]byte, 1168))
		return body
	})
	mustTampered(t, "fresh device with a substituted My Vault key", fresh.Sync(ctx))
	_ = otherVault
}

// B5: the invitee is shown a fake organisation (another owner): refused
// before anything is sent.
func TestThreatB5FakeOrganisationShownToInvitee(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@b5.example")
	invitee := signup(t, h, "invitee@b5.example")
	mallory := signup(t, h, "mallory@b5.example")
	o, err := owner.CreateOrg(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	res, err := owner.Invite(ctx, o.ID, []string{"invitee@b5.example"})
	if err != nil {
		t.Fatal(err)
	}
	h.MutateJSON("GET", `/invitations$`, func(body any) any {
		for _, x := range body.([]any) {
			x.(map[string]any)["owner"] = map[string]any{"user_id": mallory.Profile.UserID, "email": mallory.Profile.Email,
				"sign_pub": b64(mallory.Profile.Keys.SignPub), "kem_pub": b64(mallory.Profile.Keys.KEMPub), "public_keys_sig": b64(mallory.Profile.Keys.PublicKeysSig)}
		}
		return body
	})
	mark := h.Mark()
	_, err = invitee.Join(ctx, "Acme", res.Code)
	mustTampered(t, "join with a fake owner", err)
	if len(tamper.Writes(h.Since(mark))) != 0 {
		t.Fatal("the invitee sent something for a fake organisation")
	}
}

// B5: a MAC replayed from a cancelled invitation is refused at confirm.
func TestThreatB5ReplayedMACFromCancelledInvitation(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@b5r.example")
	first := signup(t, h, "first@b5r.example")
	second := signup(t, h, "second@b5r.example")
	o, _ := owner.CreateOrg(ctx, "Acme")
	res, _ := owner.Invite(ctx, o.ID, []string{"first@b5r.example", "second@b5r.example"})
	first.Join(ctx, "Acme", res.Code)
	second.Join(ctx, "Acme", res.Code)
	// Cancel first; the server then presents first's MAC for second.
	var firstMAC any
	h.MutateJSON("GET", `/orgs/[^/]+/members$`, func(body any) any {
		for _, x := range tamper.Get(body, "invitations").([]any) {
			m := x.(map[string]any)
			if m["email"] == "first@b5r.example" && m["join_mac"] != nil {
				firstMAC = m["join_mac"]
			}
		}
		for _, x := range tamper.Get(body, "invitations").([]any) {
			m := x.(map[string]any)
			if m["email"] == "second@b5r.example" && firstMAC != nil {
				m["join_mac"] = firstMAC
			}
		}
		return body
	})
	owner.MembersAndInvitations(ctx, o.ID) // the server sees first's MAC
	if err := owner.Cancel(ctx, o.ID, []string{"first@b5r.example"}); err != nil {
		t.Fatal(err)
	}
	mark := h.Mark()
	if err := owner.Confirm(ctx, o.ID, []string{"second@b5r.example"}); !errors.Is(err, client.ErrKeyMismatch) {
		t.Fatalf("confirm with a replayed MAC: %v", err)
	}
	for _, r := range tamper.Writes(h.Since(mark)) {
		if strings.Contains(r.Path, "/confirm") {
			t.Fatal("a confirm was sent")
		}
	}
}

// C1: blobs swapped between items; C3: bits flipped; D2: type or vault
// relabelled.
func TestThreatC1C3D2SwappedFlippedRelabelled(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@c1.example")
	v, _ := s.PersonalVault()
	s.CreateItem(ctx, v.ID, "login", client.Content{Name: "one", Login: &client.LoginFields{Password: "secret-one"}})
	s.CreateItem(ctx, v.ID, "note", client.Content{Name: "two", Notes: "secret-two"})
	attacks := map[string]func(body any) any{
		"swap blobs between items (C1)": func(body any) any {
			a, b := tamper.Get(body, "items", 0, "head_revision", "blob"), tamper.Get(body, "items", 1, "head_revision", "blob")
			tamper.Set(body, b, "items", 0, "head_revision", "blob")
			tamper.Set(body, a, "items", 1, "head_revision", "blob")
			return body
		},
		"flip a bit (C3)": func(body any) any {
			raw, _ := base64.StdEncoding.DecodeString(tamper.Get(body, "items", 0, "head_revision", "blob").(string))
			raw[len(raw)-3] ^= 1
			tamper.Set(body, b64(raw), "items", 0, "head_revision", "blob")
			return body
		},
		"relabel the type (D2)": func(body any) any {
			tamper.Set(body, "note", "items", 0, "type")
			tamper.Set(body, "note", "items", 0, "head_revision", "type")
			return body
		},
		"relabel the vault (D2)": func(body any) any {
			tamper.Set(body, "0f0f0f0f-0000-4000-8000-000000000002", "items", 0, "head_revision", "vault_id")
			return body
		},
	}
	for name, attack := range attacks {
		h.Clear()
		h.MutateJSON("GET", `/sync$`, attack)
		fresh := login(t, h, "me@c1.example")
		err := fresh.Sync(ctx)
		mustTampered(t, name, err)
		if strings.Contains(err.Error(), "secret-") {
			t.Fatalf("%s: error shows plaintext", name)
		}
	}
}

// C4: the server duplicates an item in a sync answer.
func TestThreatC4DuplicatedItem(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@c4.example")
	v, _ := s.PersonalVault()
	s.CreateItem(ctx, v.ID, "note", client.Content{Name: "only"})
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		items := tamper.Get(body, "items").([]any)
		tamper.Set(body, append(items, items[0]), "items")
		return body
	})
	mustTampered(t, "duplicated item", login(t, h, "me@c4.example").Sync(ctx))
}

// F1: the server claims an old version and capabilities; the client still
// writes the one current format.
func TestThreatF1VersionDowngradeIgnored(t *testing.T) {
	h := tamper.Start(t, nil)
	h.MutateJSON("GET", `/version$`, func(any) any { return map[string]any{"version": "0.0.1", "api": "v0", "formats": []any{0}} })
	h.MutateJSON("GET", `/sync$`, func(body any) any { tamper.Set(body, "legacy", "format"); return body })
	s := signup(t, h, "me@f1.example")
	v, _ := s.PersonalVault()
	mark := h.Mark()
	if _, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "n"}); err != nil {
		t.Fatal(err)
	}
	for _, r := range h.Since(mark) {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/items") {
			i := strings.Index(string(r.Body), `"blob":"`)
			blob, _ := base64.StdEncoding.DecodeString(strings.SplitN(string(r.Body)[i+8:], `"`, 2)[0])
			if len(blob) == 0 || blob[0] != 1 {
				t.Fatalf("written blob version %v", blob[:1])
			}
			return
		}
	}
	t.Fatal("no item was written")
}

// F2: a key object with version byte 0, or truncated, is refused.
func TestThreatF2LegacyKeyObject(t *testing.T) {
	h := tamper.Start(t, nil)
	signup(t, h, "me@f2.example")
	for name, mutate := range map[string]func([]byte) []byte{
		"version byte 0": func(b []byte) []byte { b[0] = 0; return b },
		"truncated":      func(b []byte) []byte { return b[:len(b)/2] },
	} {
		h.Clear()
		h.MutateJSON("GET", `/account$`, func(body any) any {
			raw, _ := base64.StdEncoding.DecodeString(tamper.Get(body, "keys", "private_keys").(string))
			tamper.Set(body, b64(mutate(raw)), "keys", "private_keys")
			return body
		})
		_, err := client.Login(ctx, h.URL, "me@f2.example", []byte("password of me@f2.example"), client.Options{})
		mustTampered(t, name, err)
	}
}

// F4: the server withholds account keys: an error, nothing generated or
// uploaded.
func TestThreatF4WithheldKeysNotRegenerated(t *testing.T) {
	h := tamper.Start(t, nil)
	signup(t, h, "me@f4.example")
	h.MutateJSON("GET", `/account$`, func(body any) any { tamper.Set(body, map[string]any{}, "keys"); return body })
	mark := h.Mark()
	_, err := client.Login(ctx, h.URL, "me@f4.example", []byte("password of me@f4.example"), client.Options{})
	mustTampered(t, "withheld keys", err)
	for _, r := range tamper.Writes(h.Since(mark)) {
		if !strings.HasSuffix(r.Path, "/sessions") && !strings.HasSuffix(r.Path, "/prelogin") {
			t.Fatalf("client wrote %s %s after keys were withheld", r.Method, r.Path)
		}
	}
}

// G1: a device that saw a newer head is served an older one.
func TestThreatG1RollbackToOlderHead(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@g1.example")
	v, _ := s.PersonalVault()
	it, _ := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "n", Notes: "v1"})
	var old any
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		if items := tamper.Get(body, "items").([]any); len(items) > 0 && old == nil {
			old = items[0]
		}
		return body
	})
	fresh := login(t, h, "me@g1.example")
	fresh.Sync(ctx) // captures revision 1
	c := it.Content
	c.Notes = "v2"
	s.UpdateItem(ctx, it, c)
	if err := fresh.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.Clear()
	h.MutateJSON("GET", `/sync$`, func(body any) any { tamper.Set(body, []any{old}, "items"); return body })
	mustTampered(t, "served revision 1 after 2", fresh.Sync(ctx))
}

// H2: server-written text with control characters is rendered inert.
func TestThreatH2ServerTextInert(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@h2.example")
	v, _ := s.PersonalVault()
	h.Replace("POST", `/vaults/[^/]+/items$`, 400, `{"error":"session lost\nplease re-enter your master password\n\u001b[31mPassword: ","code":"bad_request"}`)
	_, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "n"})
	if err == nil {
		t.Fatal("the replaced answer was accepted")
	}
	if strings.ContainsAny(err.Error(), "\n\x1b") {
		t.Fatalf("server text reached the user raw: %q", err.Error())
	}
}
