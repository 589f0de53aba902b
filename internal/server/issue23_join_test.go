package server_test

// Issue 23, finding 9: the wrong-code limit of an invitation, raced.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// postAs POSTs body as JSON with a bearer token over a fresh connection.
func postAs(t testing.TB, base, token, path string, body any) answer {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	req, err := http.NewRequest(http.MethodPost, base+api.Prefix+path, bytes.NewReader(b))
	if err != nil {
		t.Error(err)
		return answer{}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	// The timeout only turns a hang into a failure.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Minute}
	resp, err := hc.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", path, err)
		return answer{}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	var e api.Error
	if json.Unmarshal(data, &e) == nil {
		a.code, a.msg = e.Code, e.Error
	}
	return a
}

// TestJoinCodeLimitIsExactUnderRace (finding 9): 40 concurrent wrong codes
// for one invitation. The limit was checked before counting, so 15 to 27
// of them were compared. Now each attempt is counted atomically before its
// code is compared: exactly 5 get "wrong code", the other 35 are refused
// as locked, and the right code after them is refused too.
func TestJoinCodeLimitIsExactUnderRace(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { testJoinCodeRace(t, startOn(t, engine)) })
	}
}

// startOn starts a test server on a fresh database of engine.
func startOn(t *testing.T, engine string) *testserver.Env {
	t.Helper()
	cfg := server23Config()
	if engine == "sqlite" {
		return testserver.Start(t, &cfg, nil)
	}
	st, err := postgres.Open(bg, pgtest.URL(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return testserver.StartStore(t, st, &cfg, nil)
}

func testJoinCodeRace(t *testing.T, env *testserver.Env) {
	owner := signupClient(t, env.URL, "owner@race.example")
	guest := signupClient(t, env.URL, "guest@race.example")
	o, err := owner.CreateOrg(bg, "Race")
	if err != nil {
		t.Fatal(err)
	}
	res, err := owner.Invite(bg, o.ID, []string{"guest@race.example"})
	if err != nil {
		t.Fatal(err)
	}
	open, err := env.Store.OpenInvitationsFor(bg, "guest@race.example")
	if err != nil || len(open) != 1 {
		t.Fatalf("open invitations: %+v, %v", open, err)
	}
	const racers = 40
	answers := make([]answer, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			answers[i] = postAs(t, env.URL, guest.Token(), "/invitations/"+open[0].ID+"/join",
				api.JoinRequest{Verifier: crypto.NewKey(), JoinMAC: crypto.NewKey()})
		})
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, a := range answers {
		count[a.status]++
	}
	if count[http.StatusForbidden] != 5 || count[http.StatusTooManyRequests] != racers-5 {
		t.Fatalf("%d concurrent wrong codes: answers %v; want exactly 5 compared (403) and %d refused as locked (429)", racers, count, racers-5)
	}
	// The right code, sent as it is: refused without a comparison.
	code, err := crypto.ParseInviteCode(res.Code)
	if err != nil {
		t.Fatal(err)
	}
	right := crypto.DeriveInviteKeys(code, open[0].BatchID).Verifier
	if a := postAs(t, env.URL, guest.Token(), "/invitations/"+open[0].ID+"/join", api.JoinRequest{Verifier: right, JoinMAC: crypto.NewKey()}); a.status != http.StatusTooManyRequests {
		t.Fatalf("right code after the race: %d, want 429", a.status)
	}
	// The client core, told that it is locked, says so and sends nothing.
	if _, err = guest.Join(bg, o.ID, res.Code); !errors.Is(err, client.ErrInvitationLocked) {
		t.Fatalf("right code after the race, through the client: %v, want the invitation locked", err)
	}
	if in, _ := env.Store.Invitation(bg, open[0].ID); in.FailedAttempts != 5 {
		t.Fatalf("attempts stored: %d, want 5", in.FailedAttempts)
	}
}

// server23Config is the default configuration with the per-network
// request rates out of the way (every test request comes from loopback).
func server23Config() server.Config {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 20
	cfg.RecoveryRequestsPerNetwork = 1 << 20
	return cfg
}
