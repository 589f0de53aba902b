package formats

import (
	"bytes"
	"encoding/binary"
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
