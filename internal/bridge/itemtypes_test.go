package bridge_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestBridgeItemTypes: the page's types, their labels, icons and fields
// come from the client core's one list; an SSH key is checked as it is
// typed by the rule a save applies.
func TestBridgeItemTypes(t *testing.T) {
	p := newPage(t, "http://127.0.0.1:1")
	var types []view.ItemType
	p.call(&types, "itemTypes")
	var names []string
	byName := map[string]view.ItemType{}
	for _, ty := range types {
		names = append(names, ty.Name)
		byName[ty.Name] = ty
	}
	if strings.Join(names, " ") != strings.Join(client.ItemTypeNames(), " ") || !strings.Contains(strings.Join(names, " "), "identity ssh-key") {
		t.Fatalf("itemTypes names %v", names)
	}
	id := byName["identity"]
	if id.Label != "Identity" || id.Plural != "Identities" || id.Icon != "id-card" || id.Member != "identity" || len(id.Fields) != 18 {
		t.Fatalf("identity: %+v", id)
	}
	secret := map[string]bool{}
	for _, f := range id.Fields {
		if f.Secret {
			secret[f.Name] = true
		}
		if f.Max != client.MaxIdentityField {
			t.Fatalf("identity field %s bound %d", f.Name, f.Max)
		}
	}
	if len(secret) != 3 || !secret["ssn"] || !secret["passport_number"] || !secret["license_number"] {
		t.Fatalf("identity's secret fields: %v", secret)
	}
	key := byName["ssh-key"]
	if key.Label != "SSH key" || key.Member != "ssh_key" || len(key.Fields) != 3 {
		t.Fatalf("ssh-key: %+v", key)
	}
	if f := key.Fields[0]; f.Name != "private_key" || !f.Secret || !f.Multiline || f.ReadOnly {
		t.Fatalf("private key field: %+v", f)
	}
	if f := key.Fields[2]; f.Name != "fingerprint" || !f.ReadOnly || f.Secret {
		t.Fatalf("fingerprint field: %+v", f)
	}

	pub := testKeys(t)
	var ck view.SSHKeyCheck
	p.call(&ck, "checkSSHKey", pub.private, "")
	if !ck.OK || ck.Fingerprint != pub.fingerprint || ck.PublicKey != pub.bare || ck.Type != "ssh-ed25519" {
		t.Fatalf("checkSSHKey(private): %+v", ck)
	}
	p.call(&ck, "checkSSHKey", "", "ssh-ed25519 AAAA")
	if ck.OK || !strings.Contains(ck.Problem, "not an SSH public key") {
		t.Fatalf("checkSSHKey(bad public key): %+v", ck)
	}
}

type testKey struct{ private, public, bare, fingerprint string }

// testKeys is the first SSH key of the client's vectors.
func testKeys(t *testing.T) testKey {
	t.Helper()
	data, err := os.ReadFile("../../client/testdata/item_types.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		SSHKeys []struct {
			PrivateKey    string `json:"private_key"`
			WantPublicKey string `json:"want_public_key"`
			Fingerprint   string `json:"fingerprint"`
		} `json:"ssh_keys"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	k := v.SSHKeys[0]
	return testKey{private: k.PrivateKey, public: k.WantPublicKey + " ann@laptop", bare: k.WantPublicKey, fingerprint: k.Fingerprint}
}

// TestBridgeIdentityAndSSHKey: the page creates and edits both types
// with the content it builds from the type list; the item's view masks an
// identity's numbers and the private key, shows the fingerprint the core
// computed, and a malformed key is refused in words.
func TestBridgeIdentityAndSSHKey(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	p := signedUp(t, env.URL, "ida@example.com")
	var made bridge.Created
	p.call(&made, "create", "identity", `{"name":"Me","identity":{"first_name":"Ida","last_name":"Lind","email":"ida@example.com","passport_number":"X123","ssn":"078-05-1120"}}`, "")
	var it bridge.ItemWithContent
	p.call(&it, "get", made.ID)
	if it.Type != "identity" || it.TypeLabel != "Identity" || it.Content.Identity == nil || it.Content.Identity.PassportNumber != "X123" {
		t.Fatalf("identity: %+v", it)
	}
	for name, secret := range map[string]bool{"first_name": false, "email": false, "passport_number": true, "ssn": true} {
		if f, ok := field(it.Values, name); !ok || f.Secret != secret || !f.Copy {
			t.Fatalf("identity value %s: %+v", name, f)
		}
	}
	var list []view.Summary
	p.call(&list, "list", "ida@", "")
	if len(list) != 1 || list[0].Username != "Ida Lind <ida@example.com>" {
		t.Fatalf("list by e-mail: %+v", list)
	}
	// An edit over the revision it started from.
	c := it.Content
	c.Identity.Phone = "+46 8 123"
	raw, _ := json.Marshal(c)
	var saved bridge.Saved
	p.call(&saved, "update", made.ID, string(raw), it.Revision)
	p.call(&it, "get", made.ID)
	if f, _ := field(it.Values, "phone"); f.Value != "+46 8 123" || saved.Revision != 2 {
		t.Fatalf("after the edit: %+v", it.Values)
	}

	k := testKeys(t)
	raw, _ = json.Marshal(client.Content{Name: "Laptop", SSHKey: &client.SSHKey{PrivateKey: k.private, PublicKey: k.public}})
	p.call(&made, "create", "ssh-key", string(raw), "")
	p.call(&it, "get", made.ID)
	priv, _ := field(it.Values, "private_key")
	fp, _ := field(it.Values, "fingerprint")
	if !priv.Secret || priv.Kind != "multiline" || fp.Value != k.fingerprint || fp.Secret {
		t.Fatalf("ssh key values: %+v", it.Values)
	}
	p.call(&list, "list", "ann@laptop", "")
	if len(list) != 1 || list[0].Username != k.fingerprint+" ann@laptop" {
		t.Fatalf("list by the key's comment: %+v", list)
	}
	err := p.fails("error", "create", "ssh-key", `{"name":"Broken","ssh_key":{"private_key":"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"}}`, "")
	if !strings.Contains(err.Error(), "not an SSH private key") {
		t.Fatalf("a broken key: %v", err)
	}
}
