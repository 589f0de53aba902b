package view_test

import (
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
)

// TestItemTypesView: the view gives every type of the client's list, in
// its order, with its fields as an editor needs them; a type from a newer
// client is named as it is.
func TestItemTypesView(t *testing.T) {
	types := view.ItemTypes()
	if len(types) != len(client.ItemTypes()) {
		t.Fatalf("%d types, the client has %d", len(types), len(client.ItemTypes()))
	}
	for i, ty := range types {
		c := client.ItemTypes()[i]
		if ty.Name != c.Name || ty.Label != c.Label || ty.Icon == "" || ty.Plural == "" || len(ty.Fields) != len(c.Fields) || ty.Fields == nil {
			t.Fatalf("type %d: %+v, client %+v", i, ty, c)
		}
	}
	if view.TypeLabel("ssh-key") != "SSH key" || view.TypeLabel("identity") != "Identity" || view.TypeLabel("passkey") != "passkey" {
		t.Fatal("TypeLabel")
	}
	login := types[0]
	if login.Name != "login" || !login.Fields[1].Generate || !login.Fields[2].Repeated || login.Fields[3].Kind != client.KindTOTP {
		t.Fatalf("login: %+v", login)
	}
}

// TestSSHKeyAndIdentityFields: an SSH key's private key and an identity's
// numbers are masked unless revealed; the fingerprint and the public key
// are not secret. A key being typed is checked in words.
func TestSSHKeyAndIdentityFields(t *testing.T) {
	c := &client.Content{Name: "k",
		SSHKey:   &client.SSHKey{PrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----", PublicKey: "ssh-ed25519 AAAA", Fingerprint: "SHA256:abc"},
		Identity: &client.Identity{FirstName: "Ann", SSN: "078-05-1120", LicenseNumber: "L-1"}}
	got := map[string]view.Field{}
	for _, f := range view.Fields(c, false) {
		got[f.Name] = f
	}
	for name, masked := range map[string]bool{"private_key": true, "public_key": false, "fingerprint": false, "first_name": false, "ssn": true, "license_number": true} {
		f, ok := got[name]
		if !ok || f.Masked != masked || (masked && f.Value != view.Masked) || !f.Copy {
			t.Errorf("%s: %+v, want masked %v", name, f, masked)
		}
	}
	if got["private_key"].Kind != client.KindMultiline || got["ssn"].Label != "Social security number" {
		t.Errorf("labels and kinds: %+v %+v", got["private_key"], got["ssn"])
	}
	if ck := view.CheckSSHKey("not a key", ""); ck.OK || !strings.Contains(ck.Problem, "not an SSH private key") {
		t.Fatalf("CheckSSHKey: %+v", ck)
	}
	if ck := view.CheckSSHKey("", ""); !ck.OK || ck.Fingerprint != "" {
		t.Fatalf("CheckSSHKey of nothing: %+v", ck)
	}
}
