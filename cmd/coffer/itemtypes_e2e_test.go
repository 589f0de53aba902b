package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIIdentityAndSSHKey (issue 26): `coffer item add` makes an
// identity from --field and --username, and an SSH key from its private
// key's file (the public key and fingerprint filled in by the client);
// `item get` masks what is secret; `item list --search` finds them by
// e-mail and fingerprint; a malformed key is refused in words; `item
// types --json` is the web app's list.
func TestCLIIdentityAndSSHKey(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "types@example.com")
	c.ok("", "item", "add", "--type", "identity", "--name", "Home", "--field", "first_name=Ann", "--field", "last_name=Smith",
		"--field", "email=ann@example.com", "--field", "passport_number=P7654321", "--username", "annsmith")
	out := c.ok("", "item", "get", "Home")
	for _, want := range []string{"first_name:", "Ann", "passport_number:", "********", "username:", "annsmith"} {
		if !strings.Contains(out, want) {
			t.Fatalf("item get Home lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "P7654321") {
		t.Fatalf("the passport number shown unmasked:\n%s", out)
	}
	var vectors struct {
		SSHKeys []struct {
			PrivateKey    string `json:"private_key"`
			WantPublicKey string `json:"want_public_key"`
			Fingerprint   string `json:"fingerprint"`
		} `json:"ssh_keys"`
	}
	data, err := os.ReadFile("../../client/testdata/item_types.json")
	if err != nil || json.Unmarshal(data, &vectors) != nil {
		t.Fatal(err)
	}
	key := vectors.SSHKeys[0]
	file := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(file, []byte(key.PrivateKey), 0o600); err != nil {
		t.Fatal(err)
	}
	c.ok("", "item", "add", "--type", "ssh-key", "--name", "Laptop key", "--private-key", "@"+file)
	if got := c.ok("", "item", "get", "Laptop key", "--field", "fingerprint"); got != key.Fingerprint+"\n" {
		t.Fatalf("fingerprint = %q, want %s", got, key.Fingerprint)
	}
	if got := c.ok("", "item", "get", "Laptop key", "--field", "public_key"); got != key.WantPublicKey+"\n" {
		t.Fatalf("public key = %q", got)
	}
	var item struct {
		Values []struct {
			Name   string `json:"name"`
			Kind   string `json:"kind"`
			Masked bool   `json:"masked"`
		} `json:"values"`
		TypeLabel string `json:"type_label"`
	}
	if err := json.Unmarshal([]byte(c.ok("", "--json", "item", "get", "Laptop key")), &item); err != nil || item.TypeLabel != "SSH key" || len(item.Values) != 3 ||
		item.Values[0].Name != "private_key" || !item.Values[0].Masked || item.Values[0].Kind != "multiline" || item.Values[2].Masked {
		t.Fatalf("item get --json: %+v, %v", item, err)
	}
	for query, want := range map[string]string{"ann@example": "Home", key.Fingerprint[7:22]: "Laptop key"} {
		if out := c.ok("", "item", "list", "--search", query); !strings.Contains(out, want) || strings.Count(out, "\n") != 2 {
			t.Fatalf("list --search %s:\n%s", query, out)
		}
	}
	// Refusals, each saying what is wrong; nothing is written.
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600)
	if msg := c.fails(1, "", "item", "add", "--type", "ssh-key", "--name", "Bad", "--private-key", "@"+bad); !strings.Contains(msg, "not an SSH private key") {
		t.Fatalf("a malformed key: %s", msg)
	}
	if msg := c.fails(2, "", "item", "add", "--type", "ssh-key", "--name", "Bad", "--private-key", key.PrivateKey); !strings.Contains(msg, "shell history") {
		t.Fatalf("a key on the command line: %s", msg)
	}
	if msg := c.fails(1, "", "item", "edit", "Laptop key", "--public-key", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 other@host"); !strings.Contains(msg, "SSH public key") {
		t.Fatalf("another public key: %s", msg)
	}
	if msg := c.fails(2, "", "item", "add", "--type", "passkey", "--name", "x"); !strings.Contains(msg, "identity, ssh-key") {
		t.Fatalf("an unknown type: %s", msg)
	}
	var types []struct {
		Name   string `json:"name"`
		Fields []struct {
			Name     string `json:"name"`
			ReadOnly bool   `json:"read_only"`
		} `json:"fields"`
	}
	if err := json.Unmarshal([]byte(c.ok("", "--json", "item", "types")), &types); err != nil || len(types) != 7 || types[5].Name != "ssh-key" || !types[5].Fields[2].ReadOnly {
		t.Fatalf("item types --json: %+v, %v", types, err)
	}
	if out := c.ok("", "item", "types"); !strings.Contains(out, "passport_number*") || !strings.Contains(out, "fingerprint (computed)") {
		t.Fatalf("item types:\n%s", out)
	}
}
