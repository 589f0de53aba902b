package main_test

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// The end-to-end tests build the real coffer binary, start `coffer serve`
// on a random loopback port and drive it with the CLI like a user would.

var cofferBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "coffer-e2e-")
	if err != nil {
		panic(err)
	}
	cofferBin = filepath.Join(dir, "coffer")
	if out, err := exec.Command("go", "build", "-o", cofferBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building coffer: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type serverProc struct {
	url    string
	data   string
	cmd    *exec.Cmd
	stderr *lockedBuffer // the server's log
}

// lockedBuffer holds what a process writes while a test reads it; a test
// waits for a line with waitFor.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed at the next write
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{changed: make(chan struct{})} }

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until the buffer holds substr; the guard only turns a
// hang into a failure.
func (l *lockedBuffer) waitFor(t testing.TB, substr string) {
	t.Helper()
	guard := time.After(20 * time.Second)
	for {
		l.mu.Lock()
		found, changed := strings.Contains(l.b.String(), substr), l.changed
		l.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-guard:
			t.Fatalf("%q never written; so far:\n%s", substr, l.String())
		}
	}
}

// startServer runs `coffer serve` on a random loopback port with a fresh
// data directory and any extra flags (such as --database).
func startServer(t *testing.T, extra ...string) *serverProc {
	t.Helper()
	return startServerTB(t, extra...)
}

func startServerTB(t testing.TB, extra ...string) *serverProc {
	t.Helper()
	return startServerIn(t, t.TempDir(), extra...)
}

// startServerIn is startServer on the data directory data.
func startServerIn(t testing.TB, data string, extra ...string) *serverProc {
	t.Helper()
	cmd := exec.Command(cofferBin, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, extra...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := newLockedBuffer()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		if strings.Contains(stderr.String(), "panic") {
			t.Errorf("server log has a panic:\n%s", stderr.String())
		}
	})
	urlRe := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	lines := bufio.NewScanner(stdout)
	deadline := time.After(20 * time.Second)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if m := urlRe.FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		for lines.Scan() { // keep draining
		}
	}()
	select {
	case u := <-found:
		return &serverProc{url: u, data: data, cmd: cmd, stderr: stderr}
	case <-deadline:
		t.Fatalf("server did not start; stderr:\n%s", stderr.String())
	}
	return nil
}

// cli is one device: a config directory and, once unlocked, a session key.
type cli struct {
	t       *testing.T
	config  string
	session string
}

func newCLI(t *testing.T) *cli { return &cli{t: t, config: t.TempDir()} }

type result struct {
	stdout, stderr string
	code           int
}

func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	return c.runEnv(nil, stdin, args...)
}

// runEnv is run with extra environment variables.
func (c *cli) runEnv(env []string, stdin string, args ...string) result {
	c.t.Helper()
	cmd := exec.Command(cofferBin, args...)
	cmd.Env = append(append(os.Environ(), "COFFER_CONFIG_DIR="+c.config, "COFFER_SESSION="+c.session), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run coffer %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// ok runs a command that must succeed and returns its stdout.
func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	r := c.run(stdin, args...)
	if r.code != 0 {
		c.t.Fatalf("coffer %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must fail with code and a one-line error.
func (c *cli) fails(code int, stdin string, args ...string) string {
	c.t.Helper()
	r := c.run(stdin, args...)
	if r.code != code {
		c.t.Fatalf("coffer %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	if lines := strings.Count(strings.TrimSpace(r.stderr), "\n"); lines != 0 || !strings.HasPrefix(r.stderr, "coffer: ") {
		c.t.Fatalf("coffer %s: stderr is not one 'coffer: ' line: %q", strings.Join(args, " "), r.stderr)
	}
	return r.stderr
}

var exportRe = regexp.MustCompile(`^export COFFER_SESSION=([A-Za-z0-9_-]{43})\n$`)

func (c *cli) unlock(password string) {
	c.t.Helper()
	out := c.ok(password+"\n", "unlock", "--password-stdin")
	m := exportRe.FindStringSubmatch(out)
	if m == nil {
		c.t.Fatalf("unlock printed %q, want export COFFER_SESSION=…", out)
	}
	c.session = m[1]
}

const (
	itemName = "Zephyr Bank Portal"
	itemUser = "quentin.marlowe"
	itemPass = "Xq7!vR2#pL9@wT4z"
	newPass  = "Nw8$kJ3%hG6^dF1s"
	itemURL  = "https://zephyr-bank-portal.example"
	itemNote = "recovery-phrase-lives-in-the-safe"
	masterPW = "correct horse battery staple 42"
)

func TestCLIEndToEnd(t *testing.T) {
	srv := startServer(t)
	c := newCLI(t)

	out := c.ok(masterPW+"\n", "signup", "--server", srv.url, "--email", "quentin@example.com", "--name", "Quentin", "--password-stdin")
	if !exportRe.MatchString(out) {
		t.Fatalf("signup printed %q", out)
	}
	c.ok(masterPW+"\n", "login", "--server", srv.url, "--email", "quentin@example.com", "--password-stdin")
	c.unlock(masterPW)
	if st := c.ok("", "status", "--json"); !strings.Contains(st, `"status": "unlocked"`) {
		t.Fatalf("status = %s", st)
	}

	c.ok("", "item", "add", "--type", "login", "--name", itemName, "--username", itemUser,
		"--password", itemPass, "--url", itemURL, "--note", itemNote)
	if got := c.ok("", "item", "get", itemName, "--field", "password"); got != itemPass+"\n" {
		t.Fatalf("--field password = %q", got)
	}
	// Without --field or --reveal, the password is masked.
	if got := c.ok("", "item", "get", itemName); strings.Contains(got, itemPass) || !strings.Contains(got, itemUser) {
		t.Fatalf("item get shows:\n%s", got)
	}
	c.ok("", "item", "edit", itemName, "--password", newPass)
	if got := c.ok("", "item", "get", itemName, "--field", "password"); got != newPass+"\n" {
		t.Fatalf("after edit, password = %q", got)
	}

	var hist []struct {
		Revision uint64 `json:"revision"`
		Author   string `json:"author"`
		Changes  []struct {
			Field, Old, New string
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(c.ok("", "item", "history", itemName, "--json", "--reveal")), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[1].Revision != 2 || hist[1].Author != "quentin@example.com" ||
		len(hist[1].Changes) != 1 || hist[1].Changes[0].Field != "password" || hist[1].Changes[0].Old != itemPass || hist[1].Changes[0].New != newPass {
		t.Fatalf("history = %+v", hist)
	}

	c.ok("", "item", "rm", itemName)
	c.fails(6, "", "item", "get", itemName)
	if got := c.ok("", "item", "list", "--trash"); !strings.Contains(got, itemName) {
		t.Fatalf("trash list:\n%s", got)
	}
	c.ok("", "item", "restore", itemName)
	if got := c.ok("", "item", "get", itemName, "--field", "username"); got != itemUser+"\n" {
		t.Fatalf("after restore, username = %q", got)
	}

	c.ok("", "lock")
	msg := c.fails(3, "", "item", "get", itemName, "--field", "password")
	if !strings.Contains(msg, "locked") {
		t.Fatalf("read while locked: %q", msg)
	}
	// The old session key opens nothing after lock.
	c.fails(3, "", "item", "list")

	msg = c.fails(3, "definitely wrong\n", "unlock", "--password-stdin")
	if !strings.Contains(msg, "wrong master password") {
		t.Fatalf("wrong password message: %q", msg)
	}
	c.fails(3, "definitely wrong\n", "login", "--server", srv.url, "--email", "quentin@example.com", "--password-stdin")

	// Zero knowledge: the database files hold none of the item's plaintext.
	assertNoPlaintext(t, srv.data, itemName, itemUser, itemPass, newPass, itemURL, itemNote, masterPW)
	// Nor does the client's profile directory.
	assertNoPlaintext(t, c.config, itemName, itemUser, itemPass, newPass, itemURL, itemNote, masterPW)
}

// assertNoPlaintext scans every file under dir (the database, its WAL and
// shared-memory files) for each secret.
func assertNoPlaintext(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	files := 0
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files++
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains %q in clear", path, s)
			}
		}
		return nil
	})
	if files == 0 {
		t.Fatalf("no files scanned in %s", dir)
	}
}

func TestCLITamperedCiphertextIsRefused(t *testing.T) {
	srv := startServer(t)
	c := newCLI(t)
	c.ok(masterPW+"\n", "signup", "--server", srv.url, "--email", "t@example.com", "--name", "T", "--password-stdin")
	c.unlock(masterPW)
	c.ok("", "item", "add", "--type", "login", "--name", itemName, "--password", itemPass)

	srv.alterNewestRevision(t)
	msg := c.fails(5, "", "item", "get", itemName, "--field", "password")
	if !strings.Contains(msg, "failed authentication") || strings.Contains(msg, itemPass) {
		t.Fatalf("tampered read: %q", msg)
	}
}

// alterNewestRevision flips one bit of the ciphertext of the newest
// item's revisions in the server's SQLite file: what a malicious server or
// a damaged disk would serve.
func (srv *serverProc) alterNewestRevision(t *testing.T) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(srv.data, "coffer.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id string
	var blob []byte
	if err := db.QueryRow(`SELECT r.item_id, r.blob FROM revisions r JOIN items i ON i.id = r.item_id ORDER BY i.created_at DESC LIMIT 1`).Scan(&id, &blob); err != nil {
		t.Fatal(err)
	}
	blob[40] ^= 0x80
	if _, err := db.Exec(`UPDATE revisions SET blob = ? WHERE item_id = ?`, blob, id); err != nil {
		t.Fatal(err)
	}
	// Without its stored encoding a sync reads the altered revision.
	if _, err := db.Exec(`UPDATE items SET head_json = NULL WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
}

func TestCLIUsageErrors(t *testing.T) {
	c := newCLI(t)
	c.fails(3, "", "item", "list") // no profile
	c.fails(2, "", "item", "add", "--bogus")
	c.fails(2, "", "signup", "--email", "x@example.com", "--name", "X", "--password-stdin")
	c.fails(2, "", "generate", "--length", "3")
	if pw := strings.TrimSpace(c.ok("", "generate", "--length", "32")); len(pw) != 32 {
		t.Fatalf("generate --length 32 = %q", pw)
	}
	if v := c.ok("", "version"); !strings.HasPrefix(v, "coffer ") {
		t.Fatalf("version = %q", v)
	}
	// The build says what it is (its commit too when stamped: go build's
	// VCS stamping or scripts/release.sh's -ldflags).
	var info struct {
		Version, Commit, Go, Platform, WebApp string
		Schema                                int64
	}
	if err := json.Unmarshal([]byte(c.ok("", "version", "--json")), &info); err != nil {
		t.Fatal(err)
	}
	if info.Version == "" || !strings.HasPrefix(info.Go, "go") || info.Platform == "" || info.Schema < 25 {
		t.Fatalf("version --json = %+v", info)
	}

}

// TestBackupWhileServing backs up the database of a running server and
// starts a second server on the copy: the account and item are there.
func TestBackupWhileServing(t *testing.T) {
	srv := startServer(t)
	c := newCLI(t)
	c.ok(masterPW+"\n", "signup", "--server", srv.url, "--email", "b@example.com", "--name", "B", "--password-stdin")
	c.unlock(masterPW)
	c.ok("", "item", "add", "--type", "note", "--name", "kept", "--note", itemNote)

	restored := t.TempDir()
	c.ok("", "admin", "backup", "--data", srv.data, "--out", filepath.Join(restored, "coffer.db"))
	c.fails(1, "", "admin", "backup", "--data", srv.data, "--out", filepath.Join(restored, "coffer.db"))

	srv2 := startServer(t, "--data", restored)
	d := newCLI(t)
	d.ok(masterPW+"\n", "login", "--server", srv2.url, "--email", "b@example.com", "--password-stdin")
	d.unlock(masterPW)
	if got := d.ok("", "item", "get", "kept", "--field", "notes"); got != itemNote+"\n" {
		t.Fatalf("restored note = %q", got)
	}
}

// TestCLIEdgeCases covers what a careful user tried: secrets in custom
// fields stay masked, clashing or duplicate field names are refused,
// ambiguous names list the candidates, no-op edits and restores of live
// items are refused, unknown subcommands fail.
func TestCLIEdgeCases(t *testing.T) {
	srv := startServer(t)
	c := newCLI(t)
	msg := c.fails(2, "short\n", "signup", "--server", srv.url, "--email", "e@example.com", "--name", "E", "--password-stdin")
	if !strings.Contains(msg, "at least 10 characters") {
		t.Fatalf("short password: %q", msg)
	}
	c.ok(masterPW+"\n", "signup", "--server", srv.url, "--email", "e@example.com", "--name", "E", "--password-stdin")
	c.unlock(masterPW)

	c.ok("", "item", "add", "--type", "card", "--name", "Visa", "--field", "number=4111111111111111", "--field", "cvv=CVV-SECRET-7", "--field", "pin=PIN-SECRET-9", "--field", "holder=E")
	c.ok("", "item", "add", "--type", "login", "--name", "API", "--password", "pw", "--field", "api_token=SECRETTOKEN")
	for _, args := range [][]string{{"item", "get", "Visa"}, {"item", "get", "Visa", "--json"}, {"item", "get", "API", "--json"}, {"item", "list", "--json"}, {"item", "history", "Visa"}} {
		out := c.ok("", args...)
		// Secrets that cannot turn up by chance in ids or times (a CVV of
		// "123" once matched a vault id).
		for _, secret := range []string{"4111111111111111", "CVV-SECRET-7", "PIN-SECRET-9", "SECRETTOKEN"} {
			if strings.Contains(out, secret) {
				t.Fatalf("coffer %s shows %q without --reveal:\n%s", strings.Join(args, " "), secret, out)
			}
		}
	}
	if out := c.ok("", "item", "get", "Visa", "--reveal"); !strings.Contains(out, "4111111111111111") || !strings.Contains(out, "holder:") {
		t.Fatalf("--reveal:\n%s", out)
	}
	if got := c.ok("", "item", "get", "Visa", "--field", "pin"); got != "PIN-SECRET-9\n" {
		t.Fatalf("--field pin = %q", got)
	}

	c.fails(2, "", "item", "edit", "API", "--field", "password=custom")
	c.fails(2, "", "item", "edit", "API", "--field", "k=1", "--field", "k=2")
	c.fails(2, "", "item", "edit", "API", "--field", "=v")
	c.fails(2, "", "item", "edit", "API")
	c.fails(2, "", "item", "edit", "API", "--password", "pw") // same value: nothing to change
	c.fails(2, "", "item", "bogus")
	c.fails(6, "", "item", "restore", "API")

	c.ok("", "item", "add", "--type", "note", "--name", "dup")
	c.ok("", "item", "add", "--type", "note", "--name", "dup")
	c.ok("", "item", "add", "--type", "note", "--name", "DUP")
	if msg := c.fails(2, "", "item", "get", "dup"); !strings.Contains(msg, "more than one item") {
		t.Fatalf("ambiguous: %q", msg)
	}
	if out := c.ok("", "item", "get", "DUP", "--field", "name"); out != "DUP\n" {
		t.Fatalf("exact-case match: %q", out)
	}

	// --server overrides the saved server for one command.
	r := c.run("", "--server", "http://127.0.0.1:1", "item", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1:1") {
		t.Fatalf("--server override: %+v", r)
	}
}
