package main_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The device cache through the real CLI (issue 14, docs/protocol.md §16):
// whatever happens to the files in the profile's cache directory, a
// command shows the right data or refuses; it never shows what it cannot
// prove.

func cacheFiles(t *testing.T, c *cli) (state, records string) {
	t.Helper()
	dir := filepath.Join(c.config, "cache")
	state = filepath.Join(dir, "state")
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("no cache state: %v", err)
	}
	m, _ := filepath.Glob(filepath.Join(dir, "items-*"))
	if len(m) != 1 {
		t.Fatalf("record files: %v", m)
	}
	return state, m[0]
}

func editFile(t *testing.T, path string, fn func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fn(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies a directory of plain files (the cache) to a new place.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.RemoveAll(to); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// getsWithWarning runs `item get NAME --field password` and wants want,
// with (warn) or without a warning that the cache was discarded.
func (c *cli) getsWithWarning(name, want string, warn bool) {
	c.t.Helper()
	r := c.run("", "item", "get", name, "--field", "password")
	if r.code != 0 || r.stdout != want+"\n" || strings.Contains(r.stderr, "device cache was discarded") != warn {
		c.t.Fatalf("item get %s: exit %d, stdout %q, stderr %q (warning wanted: %v)", name, r.code, r.stdout, r.stderr, warn)
	}
}

func TestCLIDeviceCacheDamageIsRebuilt(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "cache@example.com")
	for _, n := range []string{"alpha", "beta", "gamma"} {
		c.ok("", "item", "add", "--type", "login", "--name", n, "--username", n+"-user", "--password", n+"-pass")
	}
	c.getsWithWarning("beta", "beta-pass", false)
	if out := c.ok("", "item", "list", "--search", "GAMMA-U"); !strings.Contains(out, "gamma") || strings.Contains(out, "alpha") {
		t.Fatalf("search from the cache index:\n%s", out)
	}

	other := user(t, srv, "someone-else@example.com")
	for i := range 12 { // a cache generation above this device's own
		other.ok("", "item", "add", "--type", "note", "--name", "theirs", "--note", strings.Repeat("x", i+1))
	}
	older := filepath.Join(t.TempDir(), "older")
	copyDir(t, filepath.Join(c.config, "cache"), older)
	c.ok("", "item", "edit", "beta", "--password", "beta-newer")
	c.getsWithWarning("beta", "beta-newer", false)

	cases := []struct {
		name   string
		damage func()
	}{
		{"state bit flip", func() {
			state, _ := cacheFiles(t, c)
			editFile(t, state, func(b []byte) []byte { b[len(b)/2] ^= 0x04; return b })
		}},
		{"state cut", func() {
			state, _ := cacheFiles(t, c)
			editFile(t, state, func(b []byte) []byte { return b[:len(b)-1] })
		}},
		{"records flipped", func() {
			_, rec := cacheFiles(t, c)
			editFile(t, rec, func(b []byte) []byte {
				for i := 30; i < len(b); i += 50 {
					b[i] ^= 0x01
				}
				return b
			})
		}},
		{"records cut", func() {
			_, rec := cacheFiles(t, c)
			editFile(t, rec, func(b []byte) []byte { return b[:len(b)/3] })
		}},
		{"another account's cache", func() {
			copyDir(t, filepath.Join(other.config, "cache"), filepath.Join(c.config, "cache"))
		}},
		{"an older copy", func() {
			copyDir(t, older, filepath.Join(c.config, "cache"))
		}},
	}
	for _, tc := range cases {
		t.Log(tc.name)
		tc.damage()
		c.getsWithWarning("beta", "beta-newer", true)
		c.getsWithWarning("alpha", "alpha-pass", false) // rebuilt
	}

	// lock leaves the cache for the next unlock, and the old session key
	// opens nothing; logout deletes it.
	c.ok("", "lock")
	cacheFiles(t, c)
	if msg := c.fails(3, "", "item", "get", "beta"); !strings.Contains(msg, "locked") {
		t.Fatalf("old session key after lock: %q", msg)
	}
	c.unlock(masterPW)
	c.getsWithWarning("beta", "beta-newer", false)
	assertNoPlaintext(t, c.config, "alpha", "beta", "gamma", "-user", "-pass", "beta-newer", masterPW)
	c.ok("", "logout")
	if _, err := os.Stat(filepath.Join(c.config, "cache")); !os.IsNotExist(err) {
		t.Fatalf("the cache is still there after logout: %v", err)
	}
}

// TestCLIRestoredCacheStillRefusesReplay: a device whose older cache file
// comes back (a restored backup) still refuses a server that replays the
// older state, because the marks that refuse it live outside the cache.
func TestCLIRestoredCacheStillRefusesReplay(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "replay@example.com")
	c.ok("", "item", "add", "--type", "login", "--name", "bank", "--password", "one")
	c.getsWithWarning("bank", "one", false)
	older := filepath.Join(t.TempDir(), "older")
	copyDir(t, filepath.Join(c.config, "cache"), older)

	db, err := sql.Open("sqlite", filepath.Join(srv.data, "coffer.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type manifest struct {
		vault, hash, sig, signer any
		version, count, time     any
	}
	var m manifest
	if err := db.QueryRow(`SELECT m.vault_id, version, item_count, items_hash, signer_id, time, sig FROM vault_manifests m
		JOIN items i ON i.vault_id = m.vault_id`).Scan(&m.vault, &m.version, &m.count, &m.hash, &m.signer, &m.time, &m.sig); err != nil {
		t.Fatal(err)
	}

	c.ok("", "item", "edit", "bank", "--password", "two")
	c.getsWithWarning("bank", "two", false)

	// The server replays the older state, as a change the device is sent:
	// revision 1 as the head and the manifest that listed it.
	for _, q := range []string{
		`DELETE FROM revisions WHERE revision = 2`,
		`UPDATE counters SET value = value + 1 WHERE name = 'change_seq'`,
		`UPDATE items SET head = 1, head_json = NULL, seq = (SELECT value FROM counters WHERE name = 'change_seq')`, // head_json: the sync reads revision 1
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`UPDATE vault_manifests SET version = ?, item_count = ?, items_hash = ?, signer_id = ?, time = ?, sig = ? WHERE vault_id = ?`,
		m.version, m.count, m.hash, m.signer, m.time, m.sig, m.vault); err != nil {
		t.Fatal(err)
	}
	copyDir(t, older, filepath.Join(c.config, "cache"))
	r := c.run("", "item", "get", "bank", "--field", "password")
	if r.code != 5 || !strings.Contains(r.stderr, "rollback") || !strings.Contains(r.stderr, "older copy") || strings.Contains(r.stdout, "one") {
		t.Fatalf("replay after the older cache came back: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// And with the device's own cache (no restore), the same replay is
	// refused too.
	r = c.run("", "item", "get", "bank", "--field", "password")
	if r.code != 5 || strings.Contains(r.stdout, "one") {
		t.Fatalf("replay to the cached device: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
