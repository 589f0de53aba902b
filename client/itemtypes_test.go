package client_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/cachetest"
	"github.com/coffer-pm/coffer/client/exchange"
	"github.com/coffer-pm/coffer/internal/testserver"
)

type itemTypeVectors struct {
	SSHKeys []struct {
		About         string `json:"about"`
		PrivateKey    string `json:"private_key"`
		PublicKey     string `json:"public_key"`
		WantPublicKey string `json:"want_public_key"`
		Fingerprint   string `json:"fingerprint"`
		Comment       string `json:"comment"`
		Encrypted     bool   `json:"encrypted"`
	} `json:"ssh_keys"`
	Identity struct {
		Content  client.Content `json:"content"`
		Entries  [][]any        `json:"entries"`
		ListLine string         `json:"list_line"`
	} `json:"identity"`
}

func loadItemTypeVectors(t *testing.T) itemTypeVectors {
	t.Helper()
	data, err := os.ReadFile("testdata/item_types.json")
	if err != nil {
		t.Fatal(err)
	}
	var v itemTypeVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestItemTypeVectors: the SSH keys of testdata/item_types.json (made by
// ssh-keygen) give the fingerprints ssh-keygen -l gives, and the public
// key read from an OpenSSH private key; the identity's entries are its
// fields in order, the secret ones secret.
func TestItemTypeVectors(t *testing.T) {
	v := loadItemTypeVectors(t)
	for _, k := range v.SSHKeys {
		info, err := client.ParseSSHKey(k.PrivateKey, k.PublicKey)
		if err != nil {
			t.Fatalf("%s: %v", k.About, err)
		}
		if info.PublicKey != k.WantPublicKey || info.Fingerprint != k.Fingerprint || info.Comment != k.Comment || info.Encrypted != k.Encrypted {
			t.Errorf("%s: got %+v", k.About, info)
		}
	}
	c := v.Identity.Content
	var got [][]any
	for _, e := range c.Entries() {
		got = append(got, []any{e.Name, e.Label, e.Kind, e.Secret})
	}
	want, _ := json.Marshal(v.Identity.Entries)
	have, _ := json.Marshal(got)
	if string(want) != string(have) {
		t.Fatalf("identity entries\n got %s\nwant %s", have, want)
	}
}

// TestSSHKeysAsOpenSSHReadsThem: keys of every kind, written by
// golang.org/x/crypto/ssh (OpenSSH's format, with and without a
// passphrase; PKCS#1 and PKCS#8), read by ParseSSHKey give the public key
// and fingerprint x/crypto/ssh gives.
func TestSSHKeysAsOpenSSHReadsThem(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]any{"ed25519": edKey, "rsa": rsaKey}
	for name, curve := range map[string]elliptic.Curve{"p256": elliptic.P256(), "p384": elliptic.P384(), "p521": elliptic.P521()} {
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
	}
	for name, key := range keys {
		signer, err := ssh.NewSignerFromKey(key)
		if err != nil {
			t.Fatal(err)
		}
		wantPub := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
		wantFP := ssh.FingerprintSHA256(signer.PublicKey())
		plain, err := ssh.MarshalPrivateKey(key, "me@host")
		if err != nil {
			t.Fatal(err)
		}
		locked, err := ssh.MarshalPrivateKeyWithPassphrase(key, "me@host", []byte("a passphrase"))
		if err != nil {
			t.Fatal(err)
		}
		for what, block := range map[string]*pem.Block{"plain": plain, "passphrase": locked} {
			info, err := client.ParseSSHKey(string(pem.EncodeToMemory(block)), "")
			if err != nil || info.PublicKey != wantPub || info.Fingerprint != wantFP || info.Encrypted != (what == "passphrase") {
				t.Errorf("%s %s: %+v, %v; want %s %s", name, what, info, err, wantPub, wantFP)
			}
			// With its public key (and a comment) given: the same key.
			info, err = client.ParseSSHKey(string(pem.EncodeToMemory(block)), wantPub+" me@host\n")
			if err != nil || info.Fingerprint != wantFP || info.Comment != "me@host" {
				t.Errorf("%s %s with its public key: %+v, %v", name, what, info, err)
			}
		}
		// PKCS#8: only checked as PEM; the public key given names it.
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		pkcs8 := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		if info, err := client.ParseSSHKey(pkcs8, wantPub); err != nil || info.Fingerprint != wantFP {
			t.Errorf("%s PKCS#8: %+v, %v", name, info, err)
		}
		if info, err := client.ParseSSHKey(pkcs8, ""); err != nil || info.Fingerprint != "" || info.PublicKey != "" {
			t.Errorf("%s PKCS#8 alone: %+v, %v (no public key is known)", name, info, err)
		}
	}
}

// TestSSHKeyRefusals: a malformed or mismatched key is an error that says
// what is wrong — never a panic, whatever the bytes.
func TestSSHKeyRefusals(t *testing.T) {
	v := loadItemTypeVectors(t)
	ed, edPub := v.SSHKeys[1].PrivateKey, v.SSHKeys[1].PublicKey
	ecdsaPub := v.SSHKeys[3].PublicKey
	edBlob, _ := base64.StdEncoding.DecodeString(strings.Fields(edPub)[1])
	short := "ssh-ed25519 " + base64.StdEncoding.EncodeToString(append(append([]byte{0, 0, 0, 11}, "ssh-ed25519"...), 0, 0, 0, 31)) + strings.Repeat("A", 41)
	for _, c := range []struct{ what, private, public, want string }{
		{"not a key", "hello", "", "not an SSH private key"},
		{"PuTTY", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n", "", "PuTTY"},
		{"a certificate block", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "", `"CERTIFICATE"`},
		{"text after the key", ed + "and more", "", "after its END line"},
		{"half a key", ed[:len(ed)/2], "", "not an SSH private key"},
		{"a public key as the private key", edPub, "", "not an SSH private key"},
		{"not base64", "", "ssh-ed25519 not*base64 me", "not base64"},
		{"type and key differ", "", "ssh-rsa " + strings.Fields(edPub)[1], "says ssh-rsa but holds a key of type ssh-ed25519"},
		{"no key", "", "ssh-ed25519", "TYPE BASE64"},
		{"two lines", "", edPub + "\n" + edPub, "one line"},
		{"a short Ed25519 key", "", short, "not an SSH public key"},
		{"another key's public key", ed, ecdsaPub, "not the private key's"},
		{"too long", strings.Repeat("A", client.MaxSSHKey+1), "", "too long"},
	} {
		_, err := client.ParseSSHKey(c.private, c.public)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.what, err, c.want)
		}
	}
	if _, err := client.ParseSSHKey(ed, ecdsaPub); !errors.Is(err, client.ErrSSHKeyMismatch) {
		t.Errorf("mismatch: %v", err)
	}
	// Every truncation and every single-byte change of a key's bytes is
	// an error or a key, never a crash.
	block, _ := pem.Decode([]byte(ed))
	for i := range block.Bytes {
		cut := pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: block.Bytes[:i]})
		if _, err := client.ParseSSHKey(string(cut), ""); err == nil {
			t.Fatalf("a key cut at byte %d was taken", i)
		}
		flipped := append([]byte(nil), block.Bytes...)
		flipped[i] ^= 0xff
		client.ParseSSHKey(string(pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: flipped})), "")
	}
	for i := range edBlob {
		client.ParseSSHKey("", "ssh-ed25519 "+base64.StdEncoding.EncodeToString(edBlob[:i]))
	}
}

// TestIdentityAndSSHKeyItems: both types go through the real server and
// come back on a second device as they were written — the SSH key's
// public key and fingerprint filled in by the client; searched by an
// identity's name and e-mail and a key's fingerprint and comment, with
// and without the device cache; refused when invalid; a field restored.
func TestIdentityAndSSHKeyItems(t *testing.T) {
	v := loadItemTypeVectors(t)
	env := testserver.Start(t, nil, nil)
	s := signup(t, env.URL, "ids@example.com")
	vault, err := s.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateItem(ctx, vault.ID, "identity", v.Identity.Content)
	if err != nil {
		t.Fatal(err)
	}
	key := v.SSHKeys[0]
	sk, err := s.CreateItem(ctx, vault.ID, "ssh-key", client.Content{Name: "Laptop key", SSHKey: &client.SSHKey{PrivateKey: key.PrivateKey, Fingerprint: "SHA256:made-up"}})
	if err != nil {
		t.Fatal(err)
	}
	if sk.Content.SSHKey.PublicKey != key.WantPublicKey || sk.Content.SSHKey.Fingerprint != key.Fingerprint {
		t.Fatalf("the client did not fill in the key: %+v", sk.Content.SSHKey)
	}
	// Refusals: nothing is written.
	long := v.Identity.Content.Clone()
	long.Identity.City = strings.Repeat("é", client.MaxIdentityField+1)
	if _, err := s.CreateItem(ctx, vault.ID, "identity", long); err == nil || !strings.Contains(err.Error(), "the identity's city is too long") {
		t.Fatalf("a long city: %v", err)
	}
	bad := client.Content{Name: "Bad", SSHKey: &client.SSHKey{PrivateKey: key.PrivateKey, PublicKey: v.SSHKeys[3].PublicKey}}
	if _, err := s.CreateItem(ctx, vault.ID, "ssh-key", bad); !errors.Is(err, client.ErrSSHKeyMismatch) {
		t.Fatalf("a mismatched pair: %v", err)
	}
	if err := client.CheckNewItem("ssh key", &client.Content{Name: "x"}); err == nil || !strings.Contains(err.Error(), "identity, ssh-key or file") {
		t.Fatalf("an unknown type: %v", err)
	}
	if n := len(s.List(false)); n != 2 {
		t.Fatalf("%d items after the refusals, want 2", n)
	}
	// A second device, with a device cache, then from that cache (the
	// list and the search from its sealed index).
	other := func() *client.Session {
		o, err := client.Login(ctx, env.URL, "ids@example.com", []byte("pw of ids@example.com"), client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	store := &cachetest.Store{}
	s2 := other()
	if _, err := s2.UseCache(store); err != nil {
		t.Fatal(err)
	}
	if err := s2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s2.SaveCache(); err != nil {
		t.Fatal(err)
	}
	s3 := other()
	s3.SetMarks(s2.Marks())
	if warning, err := s3.UseCache(store); warning != "" || err != nil {
		t.Fatalf("UseCache: %q, %v", warning, err)
	}
	if err := s3.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, sess := range []*client.Session{s2, s3} {
		for query, want := range map[string]string{"ann smith": "Ann at home", "ANN@example": "Ann at home", key.Fingerprint[7:20]: "Laptop key", "laptop": "Laptop key"} {
			got := sess.Search(false, "", query)
			if len(got) != 1 || got[0].Name != want {
				t.Errorf("search %q: %+v, want %s", query, got, want)
			}
		}
		if got := sess.Search(false, "", "Ann at"); len(got) != 1 || got[0].Username != v.Identity.ListLine {
			t.Errorf("the identity's list line: %+v", got)
		}
		if got := sess.Search(false, "", "123-45"); len(got) != 0 {
			t.Errorf("a search found the social security number: %+v", got)
		}
	}
	got, err := s3.FindItem("Ann at home", false)
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got.Content)
	wj, _ := json.Marshal(id.Content)
	if string(gj) != string(wj) || got.Type != "identity" {
		t.Fatalf("the identity on another device: %s %s, want %s", got.Type, gj, wj)
	}
	gotKey, err := s3.FindItem("Laptop key", false)
	if err != nil || gotKey.Type != "ssh-key" || gotKey.Content.SSHKey.PrivateKey != key.PrivateKey || gotKey.Content.SSHKey.Fingerprint != key.Fingerprint {
		t.Fatalf("the key on another device: %+v, %v", gotKey, err)
	}
	if v, ok := gotKey.Content.FieldValue("fingerprint"); !ok || v != key.Fingerprint {
		t.Fatalf("FieldValue(fingerprint) = %q, %v", v, ok)
	}
	// Edit the e-mail, then restore it from revision 1.
	c := got.Content.Clone()
	c.Identity.Email = "ann@work.example"
	up, err := s3.UpdateItem(ctx, got, c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := s3.RestoreField(ctx, up, "email", 1)
	if err != nil || back.Content.Identity.Email != "ann@example.com" || back.Content.Login != nil || len(back.Content.Fields) != 0 {
		t.Fatalf("RestoreField(email) = %+v, %v", back, err)
	}
}

// TestItemTypesAgree: the type list names every type the server takes,
// and the labels Entries gives a login's and a card's fields are those
// the list gives (Entries writes them out for speed).
func TestItemTypesAgree(t *testing.T) {
	c := client.Content{Name: "n", Login: &client.LoginFields{Username: "u", Password: "p", TOTP: "JBSWY3DPEHPK3PXP", URLs: []string{"https://x"}},
		Card: &client.Card{Holder: "h", Number: "1", Expiry: "e", CVV: "2"}}
	labels := map[string]client.Entry{}
	for _, e := range c.Entries() {
		labels[e.Name] = e
	}
	for _, typ := range client.ItemTypes() {
		for _, f := range typ.Fields {
			name := f.Name
			if f.Repeated {
				name = "url"
			}
			e, ok := labels[name]
			if (typ.Name == "login" || typ.Name == "card") && (!ok || e.Label != f.Label || e.Secret != f.Secret || e.Kind != f.Kind) {
				t.Errorf("%s.%s: the list says %+v, Entries %+v", typ.Name, f.Name, f, e)
			}
		}
	}
	env := testserver.Start(t, nil, nil)
	s := signup(t, env.URL, "types@example.com")
	vault, _ := s.PersonalVault()
	var batch []client.NewItem
	for _, typ := range client.ItemTypes() {
		if !typ.File {
			batch = append(batch, client.NewItem{Type: typ.Name, Content: client.Content{Name: "a " + typ.Name}})
		}
	}
	if _, err := s.CreateItems(ctx, vault.ID, batch); err != nil {
		t.Fatalf("the server refused a type of the list: %v", err)
	}
}

// sliceSource gives items one at a time, as a file's reader does.
type sliceSource struct{ items []exchange.Item }

func (s *sliceSource) Next() (exchange.Item, error) {
	if len(s.items) == 0 {
		return exchange.Item{}, io.EOF
	}
	it := s.items[0]
	s.items = s.items[1:]
	return it, nil
}

// TestImportOfTypedItemsSeesDuplicates: an import of an identity and an
// SSH key the vault holds already counts them as duplicates, by the line
// the list shows (the person's name and e-mail, the fingerprint).
func TestImportOfTypedItemsSeesDuplicates(t *testing.T) {
	v := loadItemTypeVectors(t)
	env := testserver.Start(t, nil, nil)
	s := signup(t, env.URL, "dup@example.com")
	vault, _ := s.PersonalVault()
	items := func() *sliceSource {
		return &sliceSource{[]exchange.Item{
			{Type: "identity", Content: v.Identity.Content.Clone()},
			{Type: "ssh-key", Content: client.Content{Name: "Key", SSHKey: &client.SSHKey{PrivateKey: v.SSHKeys[0].PrivateKey}}},
		}}
	}
	first, err := exchange.Import(ctx, s, vault, items(), exchange.ImportOptions{})
	if err != nil || first.Items != 2 || first.Duplicates != 0 || first.ByType["identity"] != 1 || first.ByType["ssh-key"] != 1 {
		t.Fatalf("first import: %+v, %v", first, err)
	}
	again, err := exchange.Import(ctx, s, vault, items(), exchange.ImportOptions{DryRun: true})
	if err != nil || again.Duplicates != 2 {
		t.Fatalf("second import: %+v, %v", again, err)
	}
}
