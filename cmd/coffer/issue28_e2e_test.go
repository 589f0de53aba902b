package main_test

import (
	"bufio"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stop interrupts the server and waits for it to exit; the guard only
// turns a hang into a failure.
func (s *serverProc) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exited with %v:\n%s", err, s.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("server did not stop:\n%s", s.stderr.String())
	}
}

// TestServeRefusesASecondServerOnOneDatabase (issue 28): a second coffer
// serve on the data directory of a running one exits at once, naming the
// first's process id and the directory; admin commands work alongside the
// server as before; once the first has stopped, a new one starts.
func TestServeRefusesASecondServerOnOneDatabase(t *testing.T) {
	data := t.TempDir()
	first := startServerIn(t, data)
	c := newCLI(t)
	r := c.run("", "serve", "--addr", "127.0.0.1:0", "--data", data)
	want := fmt.Sprintf("another coffer serve (pid %d) is using %s; stop it first", first.cmd.Process.Pid, data)
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("second server: exit %d, stderr %q; want 1 and %q", r.code, r.stderr, want)
	}
	// The same database named by --database sqlite:PATH is the same lock.
	if r := c.run("", "serve", "--addr", "127.0.0.1:0", "--database", "sqlite:"+filepath.Join(data, "coffer.db")); r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("second server by --database: exit %d, stderr %q", r.code, r.stderr)
	}
	// Administration on the server machine is not the server: it opens
	// the database alongside.
	c.ok(masterPW+"\n", "signup", "--server", first.url, "--email", "lock@example.com", "--name", "L", "--password-stdin")
	c.ok("", "admin", "grant-admin", "lock@example.com", "--data", data)
	c.ok("", "admin", "backup", "--data", data, "--out", filepath.Join(t.TempDir(), "b.db"))

	first.stop(t)
	second := startServerIn(t, data)
	d := newCLI(t)
	d.ok(masterPW+"\n", "login", "--server", second.url, "--email", "lock@example.com", "--password-stdin")
}

// TestAdminBackupIsPrivateAndRestoreIsChecked (issue 28, docs/security.md
// 28.4): coffer admin backup writes a file only its owner can read;
// coffer admin restore refuses while a server runs, refuses a file that
// is not a whole Coffer database or is newer than the binary (leaving the
// database as it was), and otherwise puts the backup in place, keeping
// the database it replaced beside it; the server started on it serves
// what the backup held.
func TestAdminBackupIsPrivateAndRestoreIsChecked(t *testing.T) {
	data := t.TempDir()
	srv := startServerIn(t, data)
	c := user(t, srv, "restore@example.com")
	c.ok("", "item", "add", "--type", "note", "--name", "before", "--note", itemNote)
	backup := filepath.Join(t.TempDir(), "backup.db")
	c.ok("", "admin", "backup", "--data", data, "--out", backup)
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", fi.Mode(), err)
	}
	c.ok("", "item", "add", "--type", "note", "--name", "after", "--note", itemNote)

	msg := c.fails(1, "", "admin", "restore", backup, "--data", data)
	if want := fmt.Sprintf("another coffer serve (pid %d) is using %s; stop it first", srv.cmd.Process.Pid, data); !strings.Contains(msg, want) {
		t.Fatalf("restore while serving: %q, want %q", msg, want)
	}
	srv.stop(t)

	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 500)), 0o600)
	if msg := c.fails(1, "", "admin", "restore", junk, "--data", data); !strings.Contains(msg, "not a readable SQLite database") {
		t.Fatalf("restore of junk: %q", msg)
	}
	newer := filepath.Join(t.TempDir(), "newer.db")
	c.ok("", "admin", "backup", "--database", "sqlite:"+backup, "--out", newer)
	db, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if msg := c.fails(1, "", "admin", "restore", newer, "--data", data); !strings.Contains(msg, "upgraded by a newer coffer") {
		t.Fatalf("restore of a newer schema: %q", msg)
	}
	if side, _ := filepath.Glob(filepath.Join(data, "coffer.db.replaced-*")); len(side) != 0 {
		t.Fatalf("refused restores left %v", side)
	}

	out := c.ok("", "admin", "restore", backup, "--data", data)
	side, _ := filepath.Glob(filepath.Join(data, "coffer.db.replaced-*"))
	if len(side) != 1 || !strings.Contains(out, side[0]) {
		t.Fatalf("restore said %q; side copies %v", out, side)
	}
	if fi, err := os.Stat(side[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("side copy: %v %v, want mode 0600", fi.Mode(), err)
	}
	srv2 := startServerIn(t, data)
	d := newCLI(t)
	d.ok(masterPW+"\n", "login", "--server", srv2.url, "--email", "restore@example.com", "--password-stdin")
	d.unlock(masterPW)
	if list := d.ok("", "item", "list"); !strings.Contains(list, "before") || strings.Contains(list, "after") {
		t.Fatalf("items after the restore:\n%s", list)
	}
	// The replaced database is whole and holds what came after the backup.
	db, err = sql.Open("sqlite", side[0]+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("side copy integrity_check: %q %v", check, err)
	}
}

// trickle starts a request to the server whose body it holds back: the
// server has it in flight until send is called, which sends the rest and
// returns the answer's status.
func trickle(t *testing.T, srv *serverProc) (send func() int) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	body := `{"email":"slow@example.com"}`
	// The server says "100 Continue" when the handler starts reading
	// the body: from then on the request is in flight.
	fmt.Fprintf(conn, "POST /api/v1/prelogin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(body))
	rd := bufio.NewReader(conn)
	if resp, err := http.ReadResponse(rd, nil); err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("waiting for 100 Continue: %v %v", resp, err)
	}
	fmt.Fprint(conn, body[:5])
	return func() int {
		if _, err := conn.Write([]byte(body[5:])); err != nil {
			t.Fatalf("the rest of the body: %v", err)
		}
		resp, err := http.ReadResponse(rd, nil)
		if err != nil {
			t.Fatalf("the answer: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
}

// exited waits for the server process to end and returns its exit code;
// the guard only turns a hang into a failure.
func (s *serverProc) exited(t *testing.T, guard time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(guard):
		t.Fatalf("server still running after %s:\n%s", guard, s.stderr.String())
	}
	return -1
}

// TestServeShutsDownGracefully (issue 28): on SIGTERM the server stops
// accepting, lets a request in flight finish within --shutdown-timeout
// and exits 0; when the timeout runs out it cuts what is left, says how
// many, and exits 1; a second signal stops it at once.
func TestServeShutsDownGracefully(t *testing.T) {
	t.Run("in-flight request finishes", func(t *testing.T) {
		srv := startServer(t, "--shutdown-timeout", "1m")
		send := trickle(t, srv)
		srv.cmd.Process.Signal(syscall.SIGTERM)
		srv.stderr.waitFor(t, `waiting for requests in flight" open_requests=1`)
		if c, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://")); err == nil {
			c.Close()
			t.Fatal("a new connection was accepted while shutting down")
		}
		if status := send(); status != http.StatusOK {
			t.Fatalf("the request in flight: %d", status)
		}
		if code := srv.exited(t, 20*time.Second); code != 0 {
			t.Fatalf("exit %d after a graceful stop:\n%s", code, srv.stderr.String())
		}
		if !strings.Contains(srv.stderr.String(), "msg=stopped") {
			t.Fatalf("no final log line:\n%s", srv.stderr.String())
		}
	})
	t.Run("timeout cuts what is left", func(t *testing.T) {
		srv := startServer(t, "--shutdown-timeout", "300ms")
		trickle(t, srv)
		srv.cmd.Process.Signal(syscall.SIGTERM)
		if code := srv.exited(t, 20*time.Second); code != 1 {
			t.Fatalf("exit %d when the timeout ran out:\n%s", code, srv.stderr.String())
		}
		if log := srv.stderr.String(); !strings.Contains(log, "shutdown timeout ran out: cutting the requests still in flight") || !strings.Contains(log, "open_requests=1") ||
			!strings.Contains(log, "stopped after --shutdown-timeout 300ms with 1 request(s) cut short") {
			t.Fatalf("log when the timeout ran out:\n%s", log)
		}
	})
	t.Run("second signal stops at once", func(t *testing.T) {
		srv := startServer(t, "--shutdown-timeout", "10m")
		trickle(t, srv)
		srv.cmd.Process.Signal(syscall.SIGTERM)
		srv.stderr.waitFor(t, "stopped accepting")
		srv.cmd.Process.Signal(syscall.SIGTERM)
		if code := srv.exited(t, 20*time.Second); code != 1 {
			t.Fatalf("exit %d after a second signal:\n%s", code, srv.stderr.String())
		}
		if log := srv.stderr.String(); !strings.Contains(log, "second signal: stopping at once") || !strings.Contains(log, "open_requests=1") {
			t.Fatalf("log after a second signal:\n%s", log)
		}
	})
}
