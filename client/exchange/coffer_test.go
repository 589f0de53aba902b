package exchange

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
)

func sampleItems() []Item {
	return []Item{
		{ID: "i1", Vault: "v1", Type: "login", Updated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Content: client.Content{Name: "Bank – Zürich 🏦", Notes: "line one\nline \"two\", with commas\n",
				Login:  &client.LoginFields{Username: "ann", Password: "p,\"w\"\n", URLs: []string{"https://bank.example"}, TOTP: "otpauth://totp/Bank:ann?secret=JBSWY3DPEHPK3PXP&issuer=Bank"},
				Fields: []client.Field{{Name: "PIN", Value: "1234", Kind: "hidden"}, {Name: "Portal", Value: "https://p.example", Kind: "url"}},
				Tags:   []string{"finance", "ch"}, Favorite: true,
				Files: []client.Attachment{{ID: "f1", Name: "k.txt", Size: 3, Key: []byte("secret file key")}}},
			Files: []File{{Name: "k.txt", Size: 3, Data: []byte("abc")}}},
		{ID: "i2", Vault: "v1", Type: "note", Content: client.Content{Name: "", Notes: strings.Repeat("long ", 10000)}},
	}
}

func writeDoc(t testing.TB, items []Item) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{ExportedAt: time.Unix(1_790_000_000, 0).UTC(), ExportedBy: "ann@example.com", Vaults: []Vault{{ID: "v1", Name: "My Vault", Kind: "personal"}}})
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
	return buf.Bytes()
}

func readDoc(t *testing.T, r io.Reader) (Header, []Item) {
	t.Helper()
	rd, err := NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	var out []Item
	for {
		it, err := rd.Next()
		if err == io.EOF {
			return rd.Header, out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
}

func TestCofferJSONRoundTrip(t *testing.T) {
	doc := writeDoc(t, sampleItems())
	if bytes.Contains(doc, []byte("secret file key")) || bytes.Contains(doc, []byte(`"key"`)) {
		t.Fatal("an attachment's key is in the export")
	}
	h, items := readDoc(t, bytes.NewReader(doc))
	if h.Format != DocumentFormat || h.Version != 1 || h.ExportedBy != "ann@example.com" || len(h.Vaults) != 1 {
		t.Fatalf("header: %+v", h)
	}
	if len(items) != 2 {
		t.Fatalf("%d items", len(items))
	}
	a, want := items[0], sampleItems()[0]
	if a.Content.Name != want.Content.Name || a.Content.Notes != want.Content.Notes || a.Content.Login.Password != want.Content.Login.Password ||
		a.Content.Login.TOTP != want.Content.Login.TOTP || len(a.Content.Fields) != 2 || a.Content.Fields[0].Kind != "hidden" ||
		!a.Content.Favorite || len(a.Content.Tags) != 2 || string(a.Files[0].Data) != "abc" || a.Content.Files != nil || !a.Updated.Equal(want.Updated) {
		t.Fatalf("item 1 came back as %+v", a)
	}
	if items[1].Content.Notes != sampleItems()[1].Content.Notes {
		t.Fatal("the long note changed")
	}
}

func TestCofferJSONRefusals(t *testing.T) {
	for what, doc := range map[string]string{
		"not JSON":             "name,password\nx,y\n",
		"another format":       `{"format":"bitwarden","version":1,"items":[]}`,
		"a later version":      `{"format":"coffer-export","version":2,"items":[]}`,
		"no items":             `{"format":"coffer-export","version":1}`,
		"items not a list":     `{"format":"coffer-export","version":1,"items":{}}`,
		"deeply nested":        `{"format":"coffer-export","version":1,"vaults":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `,"items":[]}`,
		"invalid UTF-8 header": "{\"format\":\"coffer-export\xff\",\"version\":1,\"items\":[]}",
	} {
		if rd, err := NewReader(strings.NewReader(doc)); err == nil {
			if _, err := rd.Next(); err == nil || err == io.EOF {
				t.Errorf("%s: read without an error", what)
			}
		}
	}
	// A damaged item after good ones: the good ones, then an error.
	doc := string(writeDoc(t, sampleItems()[:1]))
	doc = strings.TrimSuffix(doc, "\n]}\n") + `,{"id":"x","content":` + "\n"
	rd, err := NewReader(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); err == nil || err == io.EOF {
		t.Fatalf("a cut-off item: %v", err)
	}
}

func TestCofferJSONItemBudget(t *testing.T) {
	defer func(n int64) { MaxItemBytes = n }(MaxItemBytes)
	MaxItemBytes = 1 << 20
	big := Item{ID: "big", Vault: "v1", Type: "note", Content: client.Content{Name: "big", Notes: strings.Repeat("x", 2<<20)}}
	doc := writeDoc(t, []Item{big})
	rd, err := NewReader(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("an item over the budget: %v", err)
	}
}

// typedItems are an identity with every field and an SSH key (with a
// history version), as an export writes them.
func typedItems() []Item {
	id := &client.Identity{}
	for i, f := range client.IdentityFields() {
		*id.IdentityField(f.Name) = f.Label + " ✓ " + strings.Repeat("x", i)
	}
	key := &client.SSHKey{PrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n", PublicKey: "ssh-ed25519 AAAA ann@host", Fingerprint: "SHA256:abc"}
	return []Item{
		{ID: "i3", Vault: "v1", Type: "identity", Content: client.Content{Name: "Me", Identity: id, Fields: []client.Field{{Name: "Nickname", Value: "Annie", Kind: "text"}}}},
		{ID: "i4", Vault: "v1", Type: "ssh-key", Content: client.Content{Name: "Deploy", SSHKey: key, Tags: []string{"servers"}},
			History: []Version{{Revision: 1, Time: time.Unix(1_780_000_000, 0).UTC(), Author: "ann@example.com", Content: client.Content{Name: "Deploy", SSHKey: &client.SSHKey{PublicKey: "ssh-ed25519 BBBB"}}}}},
	}
}

// TestCofferJSONRoundTripOfEveryType: an identity and an SSH key come back
// from Coffer JSON exactly as they went out, every field and the type.
func TestCofferJSONRoundTripOfEveryType(t *testing.T) {
	want := typedItems()
	_, items := readDoc(t, bytes.NewReader(writeDoc(t, typedItems())))
	if len(items) != len(want) {
		t.Fatalf("%d items", len(items))
	}
	for i := range want {
		got, _ := json.Marshal(items[i])
		exp, _ := json.Marshal(want[i])
		if string(got) != string(exp) {
			t.Fatalf("item %d came back as\n%s\nwant\n%s", i, got, exp)
		}
	}
	if items[0].Content.Identity.LicenseNumber == "" || items[1].Content.SSHKey.PrivateKey == "" {
		t.Fatal("the typed members are empty")
	}
}
