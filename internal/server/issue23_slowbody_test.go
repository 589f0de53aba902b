package server_test

// Issue 23, finding 5: eight free accounts stopped an instance with bodies
// trickling in at 16 bytes a second.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// trickler is one request whose body is sent a byte at a time.
type trickler struct {
	conn     net.Conn
	answered chan int // the status of the server's answer (-1: closed without one)
}

// startTrickle sends method path with a body announced as length bytes:
// first burst bytes at once, then one byte every every, until the server
// answers or closes, or the test ends. id goes in X-Trickle, for observeBodies.
func startTrickle(t *testing.T, base, method, path, token, id string, length, burst int, every time.Duration) *trickler {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	tr := &trickler{conn: conn, answered: make(chan int, 1)}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); conn.Close() })
	head := fmt.Sprintf("%s %s%s HTTP/1.1\r\nHost: coffer\r\nContent-Type: application/json\r\nContent-Length: %d\r\nX-Trickle: %s\r\n",
		method, api.Prefix, path, length, id)
	if token != "" {
		head += "Authorization: Bearer " + token + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"+strings.Repeat("A", burst)); err != nil {
		t.Fatal(err)
	}
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for sent := burst; sent < length; sent++ {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte("A")); err != nil {
				return
			}
		}
	}()
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			tr.answered <- -1
			return
		}
		resp.Body.Close()
		tr.answered <- resp.StatusCode
	}()
	return tr
}

// observeBodies wraps the server so that a request marked X-Trickle sends
// its id on seen once its handler starts reading its body, or returns
// without (a body refused unread).
func observeBodies(seen chan<- string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Trickle")
			if id == "" {
				h.ServeHTTP(w, r)
				return
			}
			var once sync.Once
			signal := func() { once.Do(func() { seen <- id }) }
			r.Body = &firstRead{ReadCloser: r.Body, fn: signal}
			h.ServeHTTP(w, r)
			signal()
		})
	}
}

type firstRead struct {
	io.ReadCloser
	fn func()
}

func (f *firstRead) Read(p []byte) (int, error) {
	f.fn()
	return f.ReadCloser.Read(p)
}

// rawAccount signs up an account over raw HTTP (no Argon2id on this side)
// and logs it in; it returns its session token.
func rawAccount(t *testing.T, base string) string {
	t.Helper()
	acct := newSignup(t)
	if a := postFrom(t, "", base, "/accounts", acct); a.status != http.StatusCreated {
		t.Fatalf("sign-up: %+v", a)
	}
	b, data := rawPost(t, base, "/sessions", api.LoginRequest{Email: acct.Email, AuthKey: acct.AuthKey})
	var l api.LoginResponse
	if b != http.StatusCreated || jsonInto(data, &l) != nil {
		t.Fatalf("login: %d %s", b, data)
	}
	return l.Token
}

// waitAll waits until the handler of every one of ids started reading
// its body or returned, within a generous bound.
func waitAll(t *testing.T, seen <-chan string, ids map[string]*trickler) {
	t.Helper()
	left := len(ids)
	deadline := time.After(2 * time.Minute) // only turns a hang into a failure
	for left > 0 {
		select {
		case id := <-seen:
			if ids[id] != nil {
				left--
			}
		case <-deadline:
			t.Fatalf("%d slow requests did not reach their handlers in two minutes", left)
		}
	}
}

// TestSlowBodiesDoNotStarveHonestClients (finding 5): eight accounts each
// send four 4 MiB bodies at 16 bytes a second, and unauthenticated log-ins
// trickle in too. The server reserved each body's announced length before
// reading it, so the attackers held the instance's whole 128 MiB and an
// honest log-in got 503 until their bodies timed out. Now bytes are counted
// as they arrive: the attackers hold next to nothing, and an honest client
// logs in and writes an item while every slow body is still being read
// (the rate window is set far beyond the test, so nothing waits for the
// attackers to be cut).
func TestSlowBodiesDoNotStarveHonestClients(t *testing.T) {
	cfg := server23Config()
	cfg.BodyRateWindow = time.Hour
	reading := make(chan string, 256)
	env := testserver.Start(t, &cfg, observeBodies(reading))
	signupClient(t, env.URL, "honest@slow.example")

	trs := map[string]*trickler{}
	for a := range 8 {
		token := rawAccount(t, env.URL)
		for b := range 4 {
			id := fmt.Sprintf("account-%d-%d", a, b)
			trs[id] = startTrickle(t, env.URL, "PUT", "/keyring", token, id, 4<<20, 1, time.Second/16)
		}
	}
	waitAll(t, reading, trs)
	unauth := map[string]*trickler{}
	for i := range 16 {
		id := fmt.Sprintf("login-%d", i)
		unauth[id] = startTrickle(t, env.URL, "POST", "/sessions", "", id, 60<<10, 1, time.Second/16)
	}
	waitAll(t, reading, unauth)

	s, err := client.Login(bg, env.URL, "honest@slow.example", []byte("pw of honest@slow.example"), client.Options{})
	if err != nil {
		t.Fatalf("an honest log-in while slow bodies trickle: %v", err)
	}
	if _, err := s.CreateItem(bg, personalVault(t, s), "note", client.Content{Name: "written during the attack"}); err != nil {
		t.Fatalf("an honest write while slow bodies trickle: %v", err)
	}
	for id, tr := range trs {
		select {
		case st := <-tr.answered:
			t.Errorf("slow body %s was answered %d: the honest client should not have needed that", id, st)
		default:
		}
	}
}

// TestSlowBodiesAreCut (finding 5): a body that trickles, and one that
// sends a megabyte and then stalls, are cut once a rate window passes
// without the minimum rate: 408 too_slow, for an account and without a
// session alike. They were read for as long as they kept the connection
// open. A body that arrives in pieces well above the rate is not cut.
func TestSlowBodiesAreCut(t *testing.T) {
	cfg := server23Config()
	cfg.BodyRateWindow = 300 * time.Millisecond // 8 KiB/s: 2.4 KiB a window
	env := testserver.Start(t, &cfg, nil)
	token := rawAccount(t, env.URL)
	deadline := time.After(time.Minute) // only turns a hang into a failure
	for name, tr := range map[string]*trickler{
		"an account's trickling body":      startTrickle(t, env.URL, "PUT", "/keyring", token, "a", 4<<20, 1, time.Second/16),
		"an account's body that stalls":    startTrickle(t, env.URL, "PUT", "/keyring", token, "b", 4<<20, 1<<20, time.Hour),
		"a trickling log-in":               startTrickle(t, env.URL, "POST", "/sessions", "", "c", 60<<10, 1, time.Second/16),
		"a log-in that stalls after a bit": startTrickle(t, env.URL, "POST", "/sessions", "", "d", 60<<10, 30<<10, time.Hour),
	} {
		select {
		case st := <-tr.answered:
			if st != http.StatusRequestTimeout {
				t.Errorf("%s: answered %d, want 408", name, st)
			}
		case <-deadline:
			t.Fatalf("%s: not cut within a minute", name)
		}
	}
	// 100 KiB in pieces of 10 KiB every 50 ms (about 200 KiB/s, 25 times
	// the minimum): read to the end (then refused as a bad keyring, not cut).
	// On a server with the default rate window: against the 300 ms one
	// above, a sender (or a server) that a loaded machine leaves unscheduled
	// for 300 ms brings nothing for a window and is cut, whatever its rate.
	def := server23Config()
	env = testserver.Start(t, &def, nil)
	token = rawAccount(t, env.URL)
	tr := startTrickle(t, env.URL, "PUT", "/keyring", token, "e", 100<<10, 0, time.Hour)
	go func() {
		for range 10 {
			time.Sleep(50 * time.Millisecond)
			if _, err := tr.conn.Write([]byte(strings.Repeat("A", 10<<10))); err != nil {
				return
			}
		}
	}()
	select {
	case st := <-tr.answered:
		if st == http.StatusRequestTimeout {
			t.Errorf("a body arriving at 25 times the minimum rate was cut")
		}
	case <-time.After(time.Minute):
		t.Errorf("a body arriving at 25 times the minimum rate was not answered within a minute")
	}
}

func jsonInto(data []byte, v any) error { return json.Unmarshal(data, v) }
