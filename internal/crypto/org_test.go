package crypto

import (
	"bytes"
	"strings"
	"testing"
)

func TestInviteCodeFormat(t *testing.T) {
	code, text := NewInviteCode()
	if len(text) != 29 || strings.Count(text, "-") != 5 {
		t.Fatalf("code text %q", text)
	}
	for _, variant := range []string{text, strings.ToLower(text), strings.ReplaceAll(text, "-", ""), " " + strings.ReplaceAll(text, "-", " ") + " "} {
		got, err := ParseInviteCode(variant)
		if err != nil || !bytes.Equal(got, code) {
			t.Fatalf("ParseInviteCode(%q) = %x, %v", variant, got, err)
		}
	}
	for _, bad := range []string{"", "ABCD", text + "A", strings.Replace(text, "A", "1", 1) + "!"} {
		if _, err := ParseInviteCode(bad); err == nil {
			t.Errorf("ParseInviteCode(%q) accepted", bad)
		} else if strings.Contains(err.Error(), bad) && bad != "" {
			t.Errorf("error echoes the input: %v", err)
		}
	}
}

// TestJoinMACBindsEverything: the confirmation MAC fails for swapped keys, a
// MAC replayed from another invitation, another organisation or e-mail,
// another code, and for anyone holding only the verifier.
func TestJoinMACBindsEverything(t *testing.T) {
	member, _ := NewIdentity()
	mallory, _ := NewIdentity()
	code, _ := NewInviteCode()
	keys := DeriveInviteKeys(code, "batch")
	m := keys.JoinMAC("inv-1", "org-1", "intern@example.com", member.Public())
	if err := keys.VerifyJoinMAC(m, "inv-1", "org-1", "INTERN@example.com", member.Public()); err != nil {
		t.Fatalf("genuine MAC refused: %v", err)
	}
	cases := map[string]error{
		"swapped keys":       keys.VerifyJoinMAC(m, "inv-1", "org-1", "intern@example.com", mallory.Public()),
		"other invitation":   keys.VerifyJoinMAC(m, "inv-2", "org-1", "intern@example.com", member.Public()),
		"other organisation": keys.VerifyJoinMAC(m, "inv-1", "org-2", "intern@example.com", member.Public()),
		"other e-mail":       keys.VerifyJoinMAC(m, "inv-1", "org-1", "mallory@example.com", member.Public()),
		"other batch":        DeriveInviteKeys(code, "batch-2").VerifyJoinMAC(m, "inv-1", "org-1", "intern@example.com", member.Public()),
		"forged from verifier": keys.VerifyJoinMAC(mac(keys.Verifier, joinMsg("inv-1", "org-1", "intern@example.com", mallory.Public())),
			"inv-1", "org-1", "intern@example.com", mallory.Public()),
	}
	for name, err := range cases {
		if err != ErrTampered {
			t.Errorf("%s: %v, want ErrTampered", name, err)
		}
	}
	if bytes.Equal(keys.Verifier, keys.MAC) || bytes.Equal(keys.MAC, keys.Detail) {
		t.Fatal("invite keys are not independent")
	}
}

func TestOrgTagAndRoster(t *testing.T) {
	owner, _ := NewIdentity()
	fake, _ := NewIdentity()
	code, _ := NewInviteCode()
	keys := DeriveInviteKeys(code, "b")
	tag := keys.OrgTag("org", "b", "owner", owner.Public())
	if keys.VerifyOrgTag(tag, "org", "b", "owner", fake.Public()) != ErrTampered ||
		keys.VerifyOrgTag(tag, "other-org", "b", "owner", owner.Public()) != ErrTampered {
		t.Fatal("organisation tag accepted a fake owner or organisation")
	}
	members := []RosterMember{{UserID: "owner", Email: "o@example.com", Fingerprint: owner.Public().Fingerprint()}, {UserID: "m1", Email: "m1@example.com", Fingerprint: fake.Public().Fingerprint()}}
	sig := owner.SignRoster("org", 2, "owner", members)
	if err := VerifyRoster(owner.Public(), "org", 2, "owner", []RosterMember{members[1], members[0]}, sig); err != nil {
		t.Fatalf("roster order should not matter: %v", err)
	}
	added := append(members, RosterMember{UserID: "m2", Email: "m2@example.com", Fingerprint: fake.Public().Fingerprint()})
	if VerifyRoster(owner.Public(), "org", 2, "owner", added, sig) != ErrTampered {
		t.Fatal("roster with a member added by the server verified")
	}
	swapped := []RosterMember{members[0], {UserID: "m1", Email: "m1@example.com", Fingerprint: owner.Public().Fingerprint()}}
	if VerifyRoster(owner.Public(), "org", 2, "owner", swapped, sig) != ErrTampered {
		t.Fatal("roster with a swapped fingerprint verified")
	}
	if VerifyRoster(owner.Public(), "org", 1, "owner", members, sig) != ErrTampered {
		t.Fatal("roster verified under another version")
	}
	// Former members are signed state too: a server cannot turn a member
	// into a former one or back, or make the owner a former member.
	withFormer := append(append([]RosterMember(nil), members...), RosterMember{UserID: "m0", Email: "m0@example.com", Fingerprint: fake.Public().Fingerprint(), Former: true})
	fsig := owner.SignRoster("org", 3, "owner", withFormer)
	if err := VerifyRoster(owner.Public(), "org", 3, "owner", withFormer, fsig); err != nil {
		t.Fatalf("roster with a former member: %v", err)
	}
	flipped := append([]RosterMember(nil), withFormer...)
	flipped[2].Former = false
	if VerifyRoster(owner.Public(), "org", 3, "owner", flipped, fsig) != ErrTampered {
		t.Fatal("a former member made current again by the server verified")
	}
	flipped = append([]RosterMember(nil), withFormer...)
	flipped[1].Former = true
	if VerifyRoster(owner.Public(), "org", 3, "owner", flipped, fsig) != ErrTampered {
		t.Fatal("a member made former by the server verified")
	}
	ownerFormer := append([]RosterMember(nil), withFormer...)
	ownerFormer[0].Former = true
	if VerifyRoster(owner.Public(), "org", 4, "owner", ownerFormer, owner.SignRoster("org", 4, "owner", ownerFormer)) != ErrTampered {
		t.Fatal("a roster with the owner as a former member verified")
	}
}

func TestGroupKeyWrapRoundTrip(t *testing.T) {
	manager, _ := NewIdentity()
	member, _ := NewIdentity()
	group, _ := NewIdentity()
	ctx := KeyWrapContext{Kind: KindGroupKey, OrgID: "org", ObjectID: "grp", Epoch: 1, RecipientKind: RecipientUser, RecipientID: "m", Recipient: member.Public()}
	seeds := group.PrivateSeeds()
	wrap, sig, err := WrapKey(manager, "mgr", ctx, seeds)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenKey(member, manager.Public(), "mgr", ctx, wrap, sig, PrivateSeedsSize)
	if err != nil {
		t.Fatal(err)
	}
	g, err := IdentityFromSeeds(got, group.Public())
	if err != nil || !bytes.Equal(g.Public().KEM, group.Public().KEM) {
		t.Fatalf("IdentityFromSeeds: %v", err)
	}
	if _, err := IdentityFromSeeds(got, member.Public()); err != ErrTampered {
		t.Fatal("group seeds accepted for other public keys")
	}
	// A vault-key wrap context does not open a group-key wrap.
	ctx.Kind = KindVaultKey
	if _, err := OpenKey(member, manager.Public(), "mgr", ctx, wrap, sig, PrivateSeedsSize); err != ErrTampered {
		t.Fatal("group key wrap opened as a vault key wrap")
	}
}

func TestChunksBindPositionAndEnd(t *testing.T) {
	fk := NewKey()
	c0, _ := SealChunk(fk, "f", 0, false, []byte("first"))
	c1, _ := SealChunk(fk, "f", 1, true, []byte("last"))
	if pt, err := OpenChunk(fk, "f", 1, true, c1); err != nil || string(pt) != "last" {
		t.Fatalf("OpenChunk: %q %v", pt, err)
	}
	for name, err := range map[string]error{
		"reordered":            func() error { _, err := OpenChunk(fk, "f", 0, false, c1); return err }(),
		"truncated after 0":    func() error { _, err := OpenChunk(fk, "f", 0, true, c0); return err }(),
		"other file":           func() error { _, err := OpenChunk(fk, "g", 0, false, c0); return err }(),
		"final flag dropped":   func() error { _, err := OpenChunk(fk, "f", 1, false, c1); return err }(),
		"chunk moved to later": func() error { _, err := OpenChunk(fk, "f", 2, true, c1); return err }(),
	} {
		if err != ErrTampered {
			t.Errorf("%s: %v", name, err)
		}
	}
	if ChunkCount(0) != 1 || ChunkCount(ChunkSize) != 1 || ChunkCount(ChunkSize+1) != 2 {
		t.Fatal("ChunkCount")
	}
}
