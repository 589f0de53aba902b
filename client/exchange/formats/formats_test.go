package formats

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
)

func readAll(t *testing.T, path, format string, mapping map[string]string) (string, []exchange.Item) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, got, err := Open(f, format, mapping, nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []exchange.Item
	for {
		it, err := src.Next()
		if err == io.EOF {
			return got, out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, it)
	}
}

// TestImportFormats reads a sample of each format, written after each
// tool's documented export, with the awkward cases: quotes, commas and
// newlines inside fields, unicode, empty names, custom hidden fields,
// folders, cards, identities and SSH keys.
func TestImportFormats(t *testing.T) {
	t.Run("chrome", func(t *testing.T) {
		f, items := readAll(t, "testdata/chrome.csv", "", nil)
		if f != exchange.FormatChromeCSV || len(items) != 3 {
			t.Fatalf("%s, %d items", f, len(items))
		}
		if c := items[0].Content; c.Name != "Bank – Zürich" || c.Login.Username != "änn" || c.Login.Password != `p,"w"d` || c.Login.URLs[0] != "https://bank.example/login" {
			t.Fatalf("row 1: %+v %+v", c, c.Login)
		}
		if c := items[1].Content; c.Name != "no-name.example" || c.Notes != "line one\nline two, with comma" || items[1].Type != "login" {
			t.Fatalf("a row without a name: %+v", c)
		}
	})
	t.Run("firefox", func(t *testing.T) {
		f, items := readAll(t, "testdata/firefox.csv", "", nil)
		if f != exchange.FormatFirefoxCSV || len(items) != 2 || items[0].Content.Login.Password != `p"q,r` || items[0].Content.Name != "shop.example" {
			t.Fatalf("%s %+v", f, items)
		}
	})
	t.Run("safari", func(t *testing.T) {
		f, items := readAll(t, "testdata/safari.csv", "", nil)
		if f != exchange.FormatSafariCSV || len(items) != 2 || !strings.HasPrefix(items[0].Content.Login.TOTP, "otpauth://totp/GitHub") || items[0].Content.Notes != "2FA on\nbackup codes in the safe" {
			t.Fatalf("%s %+v", f, items)
		}
	})
	t.Run("bitwarden csv", func(t *testing.T) {
		f, items := readAll(t, "testdata/bitwarden.csv", "", nil)
		if f != exchange.FormatBitwardenCSV || len(items) != 2 {
			t.Fatalf("%s, %d items", f, len(items))
		}
		c := items[0].Content
		if !c.Favorite || c.Tags[0] != "Work/Servers" || len(c.Login.URLs) != 2 || c.Login.Password != `r00t!"x` || len(c.Fields) != 2 || c.Fields[1].Value != "eu-west" {
			t.Fatalf("row 1: %+v %+v", c, c.Login)
		}
		if items[1].Type != "note" || items[1].Content.Login != nil || !strings.Contains(items[1].Content.Notes, "hunter2") {
			t.Fatalf("a note: %+v", items[1])
		}
	})
	t.Run("1password", func(t *testing.T) {
		f, items := readAll(t, "testdata/1password.csv", "", nil)
		if f != exchange.Format1PasswordCSV || len(items) != 2 || !items[0].Content.Favorite || strings.Join(items[0].Content.Tags, "|") != "media|family" || items[1].Type != "note" {
			t.Fatalf("%s %+v", f, items)
		}
	})
	t.Run("keepassxc", func(t *testing.T) {
		f, items := readAll(t, "testdata/keepassxc.csv", "", nil)
		if f != exchange.FormatKeePassXCCSV || len(items) != 2 || items[0].Content.Tags[0] != "Root/Finance/Banks" || items[1].Content.Name != "Ünïcode ✓" || items[1].Content.Notes != "multi\nline\nnotes" || len(items[1].Content.Tags) != 0 {
			t.Fatalf("%s %+v", f, items)
		}
	})
	t.Run("generic with a mapping", func(t *testing.T) {
		f, items := readAll(t, "testdata/generic.csv", exchange.FormatCSV, map[string]string{"name": "Account", "url": "Site", "username": "User", "password": "Pass", "notes": "Comment"})
		if f != exchange.FormatCSV || len(items) != 1 || items[0].Content.Notes != `a "quoted" comment` || items[0].Content.Login.Password != "pw1" {
			t.Fatalf("%s %+v", f, items)
		}
		fh, _ := os.Open("testdata/generic.csv")
		defer fh.Close()
		if _, _, err := Open(fh, "", nil, nil); err == nil || !strings.Contains(err.Error(), "--map") {
			t.Fatalf("an unknown CSV without a mapping: %v", err)
		}
	})
	t.Run("bitwarden json", func(t *testing.T) {
		f, items := readAll(t, "testdata/bitwarden.json", "", nil)
		if f != exchange.FormatBitwardenJSON || len(items) != 6 {
			t.Fatalf("%s, %d items", f, len(items))
		}
		bank := items[0].Content
		if items[0].Type != "login" || bank.Tags[0] != "Personal/Finance" || !bank.Favorite || len(bank.Fields) != 2 || bank.Fields[0].Kind != "hidden" || bank.Login.TOTP != "JBSWY3DPEHPK3PXP" {
			t.Fatalf("a login: %+v %+v", bank, bank.Login)
		}
		if items[1].Type != "note" || items[1].Content.Notes != "1111\n2222\n3333" {
			t.Fatalf("a note: %+v", items[1])
		}
		if c := items[2].Content.Card; items[2].Type != "card" || c.Expiry != "07/2029" || c.Number != "4111111111111111" || c.CVV != "123" {
			t.Fatalf("a card: %+v", items[2])
		}
		// An identity: every one of Bitwarden's members in its field, a
		// member Coffer does not know kept as a hidden custom field.
		id := items[3].Content.Identity
		if items[3].Type != "identity" || id == nil || id.Title != "Ms" || id.FirstName != "Ann" || id.MiddleName != "Q" || id.LastName != "Example" ||
			id.Address1 != "1 High Street" || id.Address2 != "Flat 2" || id.Address3 != "" || id.City != "Leeds" || id.State != "West Yorkshire" ||
			id.PostalCode != "LS1 1AA" || id.Country != "GB" || id.Company != "Acme" || id.Email != "ann@example.com" || id.Phone != "+44 113 496 0000" ||
			id.SSN != "" || id.Username != "ann.example" || id.PassportNumber != "X123" || id.LicenseNumber != "D-998877" {
			t.Fatalf("an identity: %+v %+v", items[3], id)
		}
		if f := items[3].Content.Fields; len(f) != 1 || f[0].Name != "nickname" || f[0].Value != "Annie" || f[0].Kind != "hidden" {
			t.Fatalf("an identity's unknown member: %+v", f)
		}
		k := items[4].Content.SSHKey
		if items[4].Type != "ssh-key" || k == nil || !strings.Contains(k.PrivateKey, "OPENSSH PRIVATE KEY") || !strings.HasSuffix(k.PublicKey, " ann@laptop") ||
			k.Fingerprint != "SHA256:qykbumewGw5cYZBEiEVaHwaUoZA537mk2TjvVrKnCKU" {
			t.Fatalf("an SSH key: %+v %+v", items[4], k)
		}
		// Both are items the client creates as they are (the key pair
		// checked, the fingerprint computed again: the same).
		for _, it := range items[3:5] {
			c := it.Content
			if err := client.CheckNewItem(it.Type, &c); err != nil || (c.SSHKey != nil && c.SSHKey.Fingerprint != k.Fingerprint) {
				t.Fatalf("%s: %v", it.Type, err)
			}
		}
		if items[5].Content.Name != "nameless.example" {
			t.Fatalf("an item without a name: %+v", items[5].Content)
		}
		_, org := readAll(t, "testdata/bitwarden-org.json", "", nil)
		if len(org) != 1 || org[0].Content.Tags[0] != "Engineering/Prod" {
			t.Fatalf("an organisation export: %+v", org)
		}
		fh, _ := os.Open("testdata/bitwarden-encrypted.json")
		defer fh.Close()
		if _, _, err := Open(fh, "", nil, nil); !errors.Is(err, ErrEncryptedBitwarden) {
			t.Fatalf("an encrypted export: %v", err)
		}
	})
}

// TestHostileFiles: a 1 GB line, invalid UTF-8, deeply nested JSON and a
// binary file each give a clear error, not a crash or unbounded memory.
func TestHostileFiles(t *testing.T) {
	defer func(n int64) { MaxCSVRecordBytes = n }(MaxCSVRecordBytes)
	MaxCSVRecordBytes = 1 << 20
	long := io.MultiReader(strings.NewReader("name,url,username,password\nx,"), &repeat{b: 'a', n: 1 << 30})
	src, _, err := Open(long, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("a 1 GB line: %v", err)
	}
	bad := "name,url,username,password\nx\xff\xfe,https://a.example,u,p\n"
	src, _, err = Open(strings.NewReader(bad), "", nil, nil)
	if err == nil {
		_, err = src.Next()
	}
	if err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	nested := `{"encrypted": false, "folders": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `, "items": []}`
	if _, _, err := Open(strings.NewReader(nested), exchange.FormatBitwardenJSON, nil, nil); err == nil {
		t.Fatal("deeply nested JSON read")
	}
	if _, _, err := Open(bytes.NewReader([]byte("\x89PNG\r\n\x1a\n\x00\x00")), "", nil, nil); !errors.Is(err, ErrUnknownFile) {
		t.Fatalf("a binary file: %v", err)
	}
}

// repeat is n bytes of b, read without holding them.
type repeat struct {
	b byte
	n int64
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), r.n))
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= int64(k)
	return k, nil
}

// TestKeePassXML reads KeePass 2's XML export: nested groups as a path
// tag, escaped characters, the TOTP, a custom field, a compressed
// attachment, the favourite tag, and the recycle bin left out; an
// attachment that inflates past the bound is refused.
func TestKeePassXML(t *testing.T) {
	f, items := readAll(t, "testdata/keepass2.xml", "", nil)
	if f != exchange.FormatKeePassXML || len(items) != 2 {
		t.Fatalf("%s, %d items: %+v", f, len(items), items)
	}
	jump, wifi := items[1], items[0] // a group's own entries before its subgroups'
	c := jump.Content
	if jump.Type != "login" || c.Name != "Jump host" || c.Login.Password != `r00t <&> "x"` || c.Login.URLs[0] != "https://jump.example" ||
		c.Notes != "port 2222\nsecond line" || !strings.Contains(c.Login.TOTP, "JBSWY3DPEHPK3PXP") || !c.Favorite ||
		strings.Join(c.Tags, "|") != "Work/Servers & Co|prod" || len(c.Fields) != 1 || c.Fields[0].Value != "eu-west" {
		t.Fatalf("the entry: %+v %+v", c, c.Login)
	}
	if len(jump.Files) != 1 || string(jump.Files[0].Data) != "ssh-ed25519 AAAA ann@host\n" {
		t.Fatalf("the attachment: %+v", jump.Files)
	}
	if wifi.Type != "note" || wifi.Content.Name != "Wi-Fi" {
		t.Fatalf("the note: %+v", wifi)
	}
	defer func(n int64) { MaxAttachmentBytes = n }(MaxAttachmentBytes)
	MaxAttachmentBytes = 1 << 20
	fh, _ := os.Open("testdata/keepass2-bomb.xml")
	defer fh.Close()
	if _, _, err := Open(fh, "", nil, nil); err == nil || !strings.Contains(err.Error(), "inflates to more than") {
		t.Fatalf("an attachment bomb: %v", err)
	}
}

// TestBitwardenFoldersAreBounded: the folders are held while the items
// are read, so their total is bounded, not each list alone: an export
// that repeats "folders" (each list under the bound) is refused.
func TestBitwardenFoldersAreBounded(t *testing.T) {
	defer func(n int64) { exchange.MaxItemBytes = n }(exchange.MaxItemBytes)
	exchange.MaxItemBytes = 1 << 16
	var b strings.Builder
	b.WriteString(`{"encrypted": false`)
	for i := range 100 {
		fmt.Fprintf(&b, `, "folders": [{"id": "f%d", "name": "%s"}]`, i, strings.Repeat("n", 1000))
	}
	b.WriteString(`, "items": []}`)
	if _, err := NewBitwardenSource(strings.NewReader(b.String())); err == nil || !strings.Contains(err.Error(), "folders and collections are larger") {
		t.Fatalf("100 lists of folders: %v", err)
	}
	// One such list is read.
	one := `{"encrypted": false, "folders": [{"id": "f", "name": "` + strings.Repeat("n", 1000) + `"}], "items": []}`
	if _, err := NewBitwardenSource(strings.NewReader(one)); err != nil {
		t.Fatal(err)
	}
}

// TestCSVFieldsAreBounded: a row of a few MB of commas is refused before
// the csv package holds a field for each (over a gigabyte allocated for
// 8 MB); the rows before it, and commas inside quotes, are read.
func TestCSVFieldsAreBounded(t *testing.T) {
	defer func(n int) { MaxCSVFields = n }(MaxCSVFields)
	MaxCSVFields = 10
	file := "name,url,username,password\n" +
		`ok,https://a.example,u,"p,a,s,s,w,o,r,d,with,many,commas"` + "\n" +
		"x" + strings.Repeat(",", 4<<20) + "\n"
	src, _, err := Open(strings.NewReader(file), "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if it, err := src.Next(); err != nil || it.Content.Login.Password != "p,a,s,s,w,o,r,d,with,many,commas" {
		t.Fatalf("the row before: %+v, %v", it, err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = src.Next()
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "more than 10 columns") {
		t.Fatalf("4 M commas: %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("%d MB allocated to refuse it", n>>20)
	}
	if _, _, err := Open(strings.NewReader(strings.Repeat("a,", 20)+"\n"), exchange.FormatCSV, nil, nil); err == nil || !strings.Contains(err.Error(), "columns") {
		t.Fatalf("a header of 21 columns: %v", err)
	}
}
