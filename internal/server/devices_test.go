package server_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestSessionRecordsLastUseAndAddress (issue 27): a session's last use
// and client address are recorded on use for the device list, at most
// once a minute (not a database write per request).
func TestSessionRecordsLastUseAndAddress(t *testing.T) {
	var addr atomic.Value
	addr.Store("192.0.2.1:4000")
	env := testserver.Start(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.RemoteAddr = addr.Load().(string) // the client moves (a phone changing networks)
			h.ServeHTTP(w, r)
		})
	})
	s := signupClient(t, env.URL, "roamer@devices.example")
	mine := func() (string, time.Time) {
		t.Helper()
		list, err := s.Sessions(bg)
		if err != nil || len(list) != 1 {
			t.Fatalf("Sessions = %+v, %v", list, err)
		}
		return list[0].ClientAddr, list[0].LastUsedAt
	}
	at, first := mine()
	if at != "192.0.2.1" {
		t.Fatalf("address at log-in = %q", at)
	}
	addr.Store("198.51.100.9:4000")
	if at, used := mine(); at != "192.0.2.1" || !used.Equal(first) {
		t.Fatalf("within the minute the session was written: %q %v", at, used)
	}
	later := time.Now().Add(2 * time.Minute).Truncate(time.Millisecond)
	env.Server.SetClock(func() time.Time { return later })
	t.Cleanup(func() { env.Server.SetClock(time.Now) })
	if at, used := mine(); at != "198.51.100.9" || !used.Equal(later) {
		t.Fatalf("after a minute: address %q, last use %v; want 198.51.100.9, %v", at, used, later)
	}
}
