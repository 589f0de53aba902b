package formats

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
)

func kdbxFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewKDBXWriter(&buf, []exchange.Vault{{ID: "v1", Name: "My Vault", Kind: "personal"}}, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	items := []exchange.Item{
		{Vault: "v1", Type: "login", Content: client.Content{Name: "Bank", Notes: "n", Tags: []string{"a/b"}, Favorite: true,
			Login:  &client.LoginFields{Username: "u", Password: "p", URLs: []string{"https://1.example", "https://2.example", "https://3.example"}, TOTP: "JBSWY3DPEHPK3PXP"},
			Fields: []client.Field{{Name: "PIN", Value: "1", Kind: "hidden"}, {Name: "Title", Value: "a field named like a KeePass one", Kind: "text"}}},
			Files: []exchange.File{{Name: "f.txt", Data: []byte("file")}}},
		{Vault: "v1", Type: "secret", Content: client.Content{Name: "Keys", Secret: map[string]string{"AWS": "k"}}},
	}
	for _, it := range items {
		if err := w.Write(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestKDBXRoundTrip: Coffer's KDBX reads back with its fields; a wrong
// password and a damaged file are refused in words.
func TestKDBXRoundTrip(t *testing.T) {
	file := kdbxFile(t)
	if Detect(file) != exchange.FormatKDBX {
		t.Fatal("a KDBX file is not recognised")
	}
	src, err := NewKDBXSource(bytes.NewReader(file), []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := src.Next()
	b, _ := src.Next()
	if _, err := src.Next(); err != io.EOF {
		t.Fatalf("more entries: %v", err)
	}
	l := a.Content.Login
	if a.Type != "login" || a.Content.Name != "Bank" || l.Username != "u" || l.Password != "p" || strings.Join(l.URLs, " ") != "https://1.example https://2.example https://3.example" ||
		!strings.Contains(l.TOTP, "JBSWY3DPEHPK3PXP") || !a.Content.Favorite || len(a.Content.Tags) != 2 || string(a.Files[0].Data) != "file" {
		t.Fatalf("the login back: %+v %+v", a.Content, l)
	}
	if len(a.Content.Fields) != 2 || a.Content.Fields[0].Kind != "hidden" || a.Content.Fields[1].Name != "Title (2)" {
		t.Fatalf("custom fields back: %+v", a.Content.Fields)
	}
	if b.Type != "note" || len(b.Content.Fields) != 1 || b.Content.Fields[0].Value != "k" || b.Content.Fields[0].Kind != "hidden" {
		t.Fatalf("a secret back: %+v", b)
	}
	if _, err := NewKDBXSource(bytes.NewReader(file), []byte("wrong")); !errors.Is(err, ErrKDBXPassword) {
		t.Fatalf("a wrong password: %v", err)
	}
	for what, damaged := range map[string][]byte{
		"cut":         file[:len(file)/2],
		"header only": file[:12],
		"not KDBX":    []byte("hello"),
	} {
		if _, err := NewKDBXSource(bytes.NewReader(damaged), []byte("pw")); err == nil {
			t.Errorf("%s: opened", what)
		}
	}
}

// TestKDBXCostIsBounded: a database whose header asks for an absurd key
// derivation is refused before any is run.
func TestKDBXCostIsBounded(t *testing.T) {
	file := kdbxFile(t)
	tested := 0
	for _, key := range []string{"M", "I", "P", "R"} {
		mutated := bytes.Clone(file)
		i := bytes.Index(mutated, append(binary.LittleEndian.AppendUint32(nil, 1), key...))
		if i < 0 {
			continue // this KDF has no such parameter
		}
		tested++
		at := i + 4 + len(key) + 4
		if key == "P" {
			binary.LittleEndian.PutUint32(mutated[at:], 1<<20)
		} else {
			binary.LittleEndian.PutUint64(mutated[at:], 1<<50)
		}
		if _, err := NewKDBXSource(bytes.NewReader(mutated), []byte("pw")); err == nil || !strings.Contains(err.Error(), "costlier") {
			t.Errorf("a %s of 2^50: %v", key, err)
		}
	}
	if tested == 0 {
		t.Fatal("the database names none of the KDF parameters looked for")
	}
}

// TestKDBXRoundTripOfTypes: a card, an identity and an SSH key written to
// KDBX — their fields as string fields under their labels, the secret ones
// protected, the Coffer type in "Coffer type" — read back as the same
// type with every field (docs/protocol.md §19.6).
func TestKDBXRoundTripOfTypes(t *testing.T) {
	id := &client.Identity{}
	for _, f := range client.IdentityFields() {
		*id.IdentityField(f.Name) = "v " + f.Name
	}
	items := []exchange.Item{
		{Vault: "v1", Type: "identity", Content: client.Content{Name: "Me", Identity: id, Fields: []client.Field{{Name: "Nickname", Value: "Annie", Kind: "text"}}}},
		{Vault: "v1", Type: "ssh-key", Content: client.Content{Name: "Deploy", Notes: "prod", SSHKey: &client.SSHKey{
			PrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\nbnNz\n-----END OPENSSH PRIVATE KEY-----\n", PublicKey: "ssh-ed25519 AAAA ann@host", Fingerprint: "SHA256:abc"}}},
		{Vault: "v1", Type: "card", Content: client.Content{Name: "Visa", Card: &client.Card{Holder: "Ann", Number: "4111", Expiry: "07/29", CVV: "123"}}},
	}
	var buf bytes.Buffer
	w, err := NewKDBXWriter(&buf, []exchange.Vault{{ID: "v1", Name: "My Vault", Kind: "personal"}}, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := w.Write(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// In the database: the labels, the private key and the identity's
	// numbers protected, the identity's user name KeePass's own.
	db := w.db
	entries := db.Content.Root.Groups[0].Groups[0].Entries
	fields := map[string]map[string]bool{}
	for _, e := range entries {
		m := map[string]bool{}
		for _, v := range e.Values {
			m[v.Key] = v.Value.Protected.Bool
		}
		fields[e.GetTitle()] = m
	}
	for entry, want := range map[string]map[string]bool{
		"Me":     {"Coffer type": false, "First name": false, "Identity title": false, "UserName": false, "Passport number": true, "Social security number": true, "Licence number": true, "Nickname": false},
		"Deploy": {"Coffer type": false, "Private key": true, "Public key": false, "Fingerprint": false},
	} {
		for k, protected := range want {
			if p, ok := fields[entry][k]; !ok || p != protected {
				t.Errorf("%s: field %q present %v protected %v, want protected %v (%v)", entry, k, ok, p, protected, fields[entry])
			}
		}
	}
	src, err := NewKDBXSource(bytes.NewReader(buf.Bytes()), []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range items {
		got, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		// The group's path comes back as a tag.
		got.Content.Tags = nil
		g, _ := json.Marshal(struct {
			T string
			C client.Content
		}{got.Type, got.Content})
		w, _ := json.Marshal(struct {
			T string
			C client.Content
		}{want.Type, want.Content})
		if string(g) != string(w) {
			t.Errorf("back from KDBX:\n%s\nwant\n%s", g, w)
		}
	}
}

// TestCSVCarriesTypedFields: a CSV has no column for an identity's or an
// SSH key's fields: they go into Notes as "label: value" lines (the
// private key's lines after its label), and read back as a note.
func TestCSVCarriesTypedFields(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewCSVWriter(&buf, []exchange.Vault{{ID: "v1", Name: "My Vault", Kind: "personal"}})
	if err != nil {
		t.Fatal(err)
	}
	key := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----"
	w.Write(exchange.Item{Vault: "v1", Type: "identity", Content: client.Content{Name: "Me", Notes: "n", Identity: &client.Identity{FirstName: "Ann", PassportNumber: "X1"}}})
	w.Write(exchange.Item{Vault: "v1", Type: "ssh-key", Content: client.Content{Name: "Key", SSHKey: &client.SSHKey{PrivateKey: key, Fingerprint: "SHA256:abc"}}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := NewCSVSource(bytes.NewReader(buf.Bytes()), exchange.FormatCSV, nil)
	if err != nil {
		t.Fatal(err)
	}
	me, _ := src.Next()
	k, _ := src.Next()
	if me.Type != "note" || me.Content.Notes != "n\nFirst name: Ann\nPassport number: X1\n" {
		t.Fatalf("the identity in CSV: %+v", me)
	}
	if k.Content.Notes != "Private key: "+key+"\nFingerprint: SHA256:abc\n" {
		t.Fatalf("the SSH key in CSV: %q", k.Content.Notes)
	}
}
