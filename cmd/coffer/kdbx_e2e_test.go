package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// keepassxc runs KeePassXC's own command-line tool (installed by the
// test command) with the database password on stdin.
func keepassxc(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("keepassxc-cli")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("keepassxc-cli is missing (scripts/test.sh installs it)")
		}
		t.Skip("keepassxc-cli is not installed (scripts/test.sh installs it)")
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keepassxc-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	// Its password prompt goes to the same output: drop it.
	return regexp.MustCompile(`(?m)^Enter password to unlock [^\n]*: ?`).ReplaceAllString(string(out), "")
}

// TestKeePassXCOpensCoffersExport (issue 26): KeePassXC itself opens
// `coffer export --format kdbx` and shows every entry's title, user name,
// password, URLs, notes, custom fields, TOTP (its own code) and
// attachments; and a database keepassxc-cli builds — nested groups, an
// attachment — imports into Coffer with every field in place.
func TestKeePassXCOpensCoffersExport(t *testing.T) {
	srv := startServer(t)
	ann := user(t, srv, "ann@kdbx.example")
	dir := t.TempDir()
	ann.ok("", "item", "add", "--type", "login", "--name", "Bank – Zürich", "--username", "änn", "--password", `p,"w"d;x`,
		"--url", "https://bank.example/login", "--url", "https://m.bank.example", "--totp", "otpauth://totp/Bank:ann?secret=JBSWY3DPEHPK3PXP&issuer=Bank",
		"--note", "@"+writeIn(t, dir, "note.txt", "line one\nline two ✓\n"), "--field", "PIN=0042", "--text-field", "Branch=Zürich", "--tag", "finance", "--favorite")
	ann.ok("", "item", "attach", "Bank – Zürich", "--file", writeIn(t, dir, "statement.pdf", "%PDF-1.7 statement\x00\x01"))
	ann.ok("", "item", "add", "--type", "card", "--name", "Visa", "--field", "holder=Ann Example", "--field", "number=4111111111111111", "--field", "expiry=12/29", "--field", "cvv=123")
	ann.ok("", "item", "add", "--type", "note", "--name", "Wi-Fi", "--note", "SSID casa")
	privateKey := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACA6a8EAQ1HGf/rE3LB8wDuP7uri9CDn5MMQuvABd2QuhAAAAJAhJZCyISWQ\nsgAAAAtzc2gtZWQyNTUxOQAAACA6a8EAQ1HGf/rE3LB8wDuP7uri9CDn5MMQuvABd2QuhA\nAAAEAMrvfhslvvxkk8h+JPTA6DZfgNF2GNtUxI9n6UeLfJHTprwQBDUcZ/+sTcsHzAO4/u\n6uL0IOfkwxC68AF3ZC6EAAAACmFubkBsYXB0b3ABAgM=\n-----END OPENSSH PRIVATE KEY-----\n"
	ann.ok("", "item", "add", "--type", "ssh-key", "--name", "Laptop key", "--private-key", "@"+writeIn(t, dir, "id_ed25519", privateKey))
	ann.ok("", "item", "add", "--type", "identity", "--name", "Passport", "--field", "first_name=Ann", "--field", "passport_number=P7654321", "--username", "ann.k")

	db := filepath.Join(dir, "ann.kdbx")
	ann.ok("kdbx pass\n", "export", "--format", "kdbx", "--out", db, "--file-password-stdin")
	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the database's mode: %v %v", fi, err)
	}
	tree := keepassxc(t, "kdbx pass\n", "ls", "-R", db)
	for _, want := range []string{"My Vault/", "Bank – Zürich", "Visa", "Wi-Fi"} {
		if !strings.Contains(tree, want) {
			t.Fatalf("KeePassXC's tree lacks %q:\n%s", want, tree)
		}
	}
	entry := "My Vault/Bank – Zürich"
	got := keepassxc(t, "kdbx pass\n", "show", "-s", "-q", db, entry, "-a", "Title", "-a", "UserName", "-a", "Password", "-a", "URL", "-a", "KP2A_URL", "-a", "Notes", "-a", "PIN", "-a", "Branch")
	want := "Bank – Zürich\nänn\np,\"w\"d;x\nhttps://bank.example/login\nhttps://m.bank.example\nline one\nline two ✓\n0042\nZürich\n"
	if got != want {
		t.Fatalf("KeePassXC shows\n%q\nwant\n%q", got, want)
	}
	if code := strings.TrimSpace(keepassxc(t, "kdbx pass\n", "show", "-q", "-t", db, entry)); !regexp.MustCompile(`^\d{6}$`).MatchString(code) {
		t.Fatalf("KeePassXC's TOTP for the entry: %q", code)
	}
	keepassxc(t, "kdbx pass\n", "attachment-export", "-q", db, entry, "statement.pdf", filepath.Join(dir, "out.pdf"))
	if b, _ := os.ReadFile(filepath.Join(dir, "out.pdf")); string(b) != "%PDF-1.7 statement\x00\x01" {
		t.Fatalf("the attachment KeePassXC exports: %q", b)
	}
	if card := keepassxc(t, "kdbx pass\n", "show", "-s", "-q", db, "My Vault/Visa", "-a", "Card number", "-a", "CVV"); card != "4111111111111111\n123\n" {
		t.Fatalf("the card in KeePassXC: %q", card)
	}
	// An SSH key and an identity: their fields by their labels, the
	// Coffer type named (docs/protocol.md §19.6).
	if key := keepassxc(t, "kdbx pass\n", "show", "-s", "-q", db, "My Vault/Laptop key", "-a", "Coffer type", "-a", "Private key", "-a", "Fingerprint"); key != "ssh-key\n"+privateKey+"\nSHA256:qykbumewGw5cYZBEiEVaHwaUoZA537mk2TjvVrKnCKU\n" {
		t.Fatalf("the SSH key in KeePassXC: %q", key)
	}
	if id := keepassxc(t, "kdbx pass\n", "show", "-s", "-q", db, "My Vault/Passport", "-a", "First name", "-a", "Passport number", "-a", "UserName"); id != "Ann\nP7654321\nann.k\n" {
		t.Fatalf("the identity in KeePassXC: %q", id)
	}

	// A database KeePassXC builds: nested groups, an attachment.
	kx := filepath.Join(dir, "keepassxc.kdbx")
	keepassxc(t, "kx pass\nkx pass\n", "db-create", "-p", kx)
	keepassxc(t, "kx pass\n", "mkdir", kx, "Work")
	keepassxc(t, "kx pass\n", "mkdir", kx, "Work/Servers")
	keepassxc(t, "kx pass\nr00t-pässword\n", "add", "-u", "root", "-p", "--url", "https://jump.example", "--notes", "port 2222", kx, "Work/Servers/Jump host")
	keepassxc(t, "kx pass\n", "attachment-import", kx, "Work/Servers/Jump host", "id_ed25519.pub", writeIn(t, dir, "key.pub", "ssh-ed25519 AAAA ann@host\n"))
	keepassxc(t, "kx pass\n", "add", "-u", "ann", "--url", "https://top.example", kx, "Top level")
	bob := user(t, srv, "bob@kdbx.example")
	if out := bob.ok("kx pass\n", "import", kx, "--file-password-stdin"); !strings.Contains(out, "Imported 2 items (2 login) and 1 attachments") {
		t.Fatalf("importing KeePassXC's database:\n%s", out)
	}
	show := bob.ok("", "item", "get", "Jump host", "--reveal")
	for _, want := range []string{"root", "r00t-pässword", "https://jump.example", "port 2222", "Work/Servers", "id_ed25519.pub"} {
		if !strings.Contains(show, want) {
			t.Fatalf("the imported entry lacks %q:\n%s", want, show)
		}
	}
	out := filepath.Join(dir, "key-back.pub")
	bob.ok("", "item", "download", "Jump host", "--attachment", "id_ed25519.pub", "--out", out)
	if b, _ := os.ReadFile(out); string(b) != "ssh-ed25519 AAAA ann@host\n" {
		t.Fatalf("the attachment after the import: %q", b)
	}
	// Coffer's own export reads back too; a wrong password is refused.
	cid := user(t, srv, "cid@kdbx.example")
	if msg := cid.fails(1, "wrong\n", "import", db, "--file-password-stdin"); !strings.Contains(msg, "password is wrong") {
		t.Fatalf("a wrong password: %q", msg)
	}
	if out := cid.ok("kdbx pass\n", "import", db, "--file-password-stdin"); !strings.Contains(out, "Imported 5 items (1 login, 1 note, 1 card, 1 identity, 1 ssh-key)") {
		t.Fatalf("Coffer's own database back:\n%s", out)
	}
	if got := cid.ok("", "item", "get", "Bank – Zürich", "--field", "password"); strings.TrimSpace(got) != `p,"w"d;x` {
		t.Fatalf("the password back: %q", got)
	}
	if got := cid.ok("", "item", "get", "Laptop key", "--field", "private_key"); got != privateKey+"\n" {
		t.Fatalf("the private key back: %q", got)
	}
	if got := cid.ok("", "item", "get", "Passport", "--field", "username"); got != "ann.k\n" {
		t.Fatalf("the identity's user name back: %q", got)
	}
}
