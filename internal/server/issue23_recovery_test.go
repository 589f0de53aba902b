package server_test

// Issue 23, finding 7: who is enrolled in recovery, without a session; and
// probes that pushed a member's real recovery requests out.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// rawPost POSTs body as JSON without a session and returns the status and
// the body as sent.
func rawPost(t *testing.T, base, path string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := (&http.Client{Timeout: time.Minute}).Post(base+api.Prefix+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, bytes.TrimSpace(data)
}

// recoveryAsk is a recovery request as a client makes it: fresh request
// keys, self-signed.
func recoveryAsk(t *testing.T, email string) api.NewRecoveryRequest {
	t.Helper()
	q, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	id, pk := uuid.NewString(), q.Public()
	return api.NewRecoveryRequest{ID: id, Email: email, SignPub: pk.Sign, KEMPub: pk.KEM, KeysSig: q.SignPublicKeys(crypto.RecipientRequest, id, pk)}
}

func askRecovery(t *testing.T, base string, req api.NewRecoveryRequest) api.RecoveryRequestCreated {
	t.Helper()
	status, data := rawPost(t, base, "/recovery/requests", req)
	var c api.RecoveryRequestCreated
	if status != http.StatusCreated || json.Unmarshal(data, &c) != nil || c.Token == "" {
		t.Fatalf("recovery request for %s: %d %s", req.Email, status, data)
	}
	return c
}

func requestCode(req api.NewRecoveryRequest) string {
	return crypto.RecoveryRequestCode(req.ID, req.Email, crypto.PublicKeys{Sign: req.SignPub, KEM: req.KEMPub})
}

// recoveryOrg is an organisation with recovery on, in which enrolled
// enrols and the others are members who did not.
func recoveryOrg(t *testing.T, owner *client.Session, enrolled *client.Session, others ...*client.Session) *client.Org {
	t.Helper()
	o := liveOrg(t, owner, "Recovery Org", append([]*client.Session{enrolled}, others...)...)
	if err := owner.EnableRecovery(bg, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := enrolled.EnrolRecovery(bg, o.ID); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestRecoveryRequestIsNoEnrolmentOracle (finding 7): a request is made in
// the name of an enrolled member, of a member who did not enrol and of an
// address without an account. Asked with a wrong token, the state of the
// enrolled member's request answered 404 (it was kept) and the others 200;
// after 72 hours it answered "expired" and the others "pending" for ever.
// Now every answer — the request, its state with the wrong and with the
// right token, a completion, and the state after expiry — is the same
// status and the same bytes for all three.
func TestRecoveryRequestIsNoEnrolmentOracle(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { testRecoveryOracle(t, startOn(t, engine)) })
	}
}

func testRecoveryOracle(t *testing.T, env *testserver.Env) {
	owner := signupClient(t, env.URL, "owner@oracle.example")
	laura := signupClient(t, env.URL, "laura@oracle.example")
	other := signupClient(t, env.URL, "other@oracle.example")
	recoveryOrg(t, owner, laura, other)

	type probe struct {
		email   string
		req     api.NewRecoveryRequest
		created api.RecoveryRequestCreated
	}
	probes := []*probe{{email: "laura@oracle.example"}, {email: "other@oracle.example"}, {email: "nobody@oracle.example"}}
	for _, p := range probes {
		p.req = recoveryAsk(t, p.email)
		p.created = askRecovery(t, env.URL, p.req)
	}
	// The enrolled member's request was kept, the others not: that is
	// what must not show.
	if _, reqs, err := laura.AccountRecovery(bg); err != nil || len(reqs) != 1 {
		t.Fatalf("the enrolled member's request was not kept: %+v, %v", reqs, err)
	}
	if len(probes[0].created.Token) != len(probes[2].created.Token) {
		t.Fatalf("tokens differ in length: %q, %q", probes[0].created.Token, probes[2].created.Token)
	}
	wrongToken := func(tok string) string {
		b := []byte(tok)
		if b[len(b)-1] == 'A' {
			b[len(b)-1] = 'B'
		} else {
			b[len(b)-1] = 'A'
		}
		return string(b)
	}
	completion := func(token string) api.CompleteRecovery {
		return api.CompleteRecovery{Token: token, KDF: api.KDF{Algorithm: "argon2id", Time: 3, Memory: 65536, Threads: 4, Salt: make([]byte, 16)},
			AuthKey: make([]byte, 32), WrappedAccountKey: make([]byte, 73), Sig: make([]byte, 64)}
	}
	same := func(what string, ask func(p *probe) (int, []byte)) {
		t.Helper()
		status, body := ask(probes[0])
		for _, p := range probes[1:] {
			s, b := ask(p)
			if s != status || !bytes.Equal(b, body) {
				t.Errorf("%s: %s answered %d %s, %s answered %d %s", what, probes[0].email, status, body, p.email, s, b)
			}
		}
	}
	same("state with a wrong token", func(p *probe) (int, []byte) {
		return rawPost(t, env.URL, "/recovery/requests/"+p.req.ID, api.RecoveryToken{Token: wrongToken(p.created.Token)})
	})
	same("state with the right token", func(p *probe) (int, []byte) {
		return rawPost(t, env.URL, "/recovery/requests/"+p.req.ID, api.RecoveryToken{Token: p.created.Token})
	})
	same("completion with a wrong token", func(p *probe) (int, []byte) {
		return rawPost(t, env.URL, "/recovery/requests/"+p.req.ID+"/complete", completion(wrongToken(p.created.Token)))
	})
	same("completion with the right token", func(p *probe) (int, []byte) {
		return rawPost(t, env.URL, "/recovery/requests/"+p.req.ID+"/complete", completion(p.created.Token))
	})
	same("a second request with a taken id", func(p *probe) (int, []byte) {
		s, b := rawPost(t, env.URL, "/recovery/requests", p.req)
		var c api.RecoveryRequestCreated
		if json.Unmarshal(b, &c) != nil || c.Token == "" {
			return s, b
		}
		return s, []byte("a token") // tokens differ by address and expiry; their presence is what matters
	})
	// After the 72 hours every request reads as expired, kept or not.
	env.Server.SetClock(func() time.Time { return time.Now().Add(73 * time.Hour) })
	t.Cleanup(func() { env.Server.SetClock(time.Now) })
	same("state after expiry", func(p *probe) (int, []byte) {
		return rawPost(t, env.URL, "/recovery/requests/"+p.req.ID, api.RecoveryToken{Token: p.created.Token})
	})
	if _, b := rawPost(t, env.URL, "/recovery/requests/"+probes[2].req.ID, api.RecoveryToken{Token: probes[2].created.Token}); !bytes.Contains(b, []byte(`"expired"`)) {
		t.Fatalf("state after expiry: %s", b)
	}
}

// TestRecoveryProbesCannotPushOutARealRequest (finding 7): a member asks
// for recovery; then anyone who knows her address asks ten times more in
// her name. Only 5 requests were kept per account, the oldest dropped, so
// her real one was pushed out and the owner could not approve it. Now the
// places are kept for the requests already made: hers survives the probes
// and is approved. Requests made while her places are full are not kept
// (answered the same); the owner discards the ones she did not make, and
// her next request is kept and approved.
func TestRecoveryProbesCannotPushOutARealRequest(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { testRecoveryProbes(t, startOn(t, engine)) })
	}
}

func testRecoveryProbes(t *testing.T, env *testserver.Env) {
	owner := signupClient(t, env.URL, "owner@evict.example")
	laura := signupClient(t, env.URL, "laura@evict.example")
	o := recoveryOrg(t, owner, laura)

	real := recoveryAsk(t, "laura@evict.example")
	askRecovery(t, env.URL, real)
	for range 10 {
		askRecovery(t, env.URL, recoveryAsk(t, "laura@evict.example"))
	}
	if _, err := owner.ApproveRecovery(bg, o.ID, "laura@evict.example", requestCode(real)); err != nil {
		t.Fatalf("approving her real request after 10 probes in her name: %v", err)
	}

	// An approved request leaves its place; probes take it again. With
	// her places full of requests she did not make, a new real one is not
	// kept, and cannot be approved.
	for range 3 {
		askRecovery(t, env.URL, recoveryAsk(t, "laura@evict.example"))
	}
	again := recoveryAsk(t, "laura@evict.example")
	askRecovery(t, env.URL, again)
	if _, err := owner.ApproveRecovery(bg, o.ID, "laura@evict.example", requestCode(again)); !errors.Is(err, client.ErrWrongCode) {
		t.Fatalf("a request made while her places were full: %v, want ErrWrongCode (not kept)", err)
	}
	n, err := owner.DiscardRecoveryRequests(bg, o.ID, "laura@evict.example")
	if err != nil || n != 5 {
		t.Fatalf("discard: %d, %v; want the 5 probes", n, err)
	}
	if _, err := laura.DiscardRecoveryRequests(bg, o.ID, "laura@evict.example"); err == nil {
		t.Fatal("a member discarded requests")
	}
	again = recoveryAsk(t, "laura@evict.example")
	askRecovery(t, env.URL, again)
	if _, err := owner.ApproveRecovery(bg, o.ID, "laura@evict.example", requestCode(again)); err != nil {
		t.Fatalf("her request after the discard: %v", err)
	}
}

// TestRecoveryRequestsPerNetwork: one client network makes at most
// RecoveryRequestsPerNetwork requests an hour, whatever the address —
// enrolled, not, or without an account alike (so the limit tells nothing
// about any of them).
func TestRecoveryRequestsPerNetwork(t *testing.T) {
	cfg := server23Config()
	cfg.RecoveryRequestsPerNetwork = 3
	env := testserver.Start(t, &cfg, nil)
	owner := signupClient(t, env.URL, "owner@pernet.example")
	laura := signupClient(t, env.URL, "laura@pernet.example")
	recoveryOrg(t, owner, laura)
	for i := range 3 {
		askRecovery(t, env.URL, recoveryAsk(t, []string{"laura@pernet.example", "nobody@pernet.example"}[i%2]))
	}
	for _, email := range []string{"laura@pernet.example", "nobody@pernet.example"} {
		status, body := rawPost(t, env.URL, "/recovery/requests", recoveryAsk(t, email))
		var e api.Error
		if status != http.StatusTooManyRequests || json.Unmarshal(body, &e) != nil || e.Code != api.CodeRateLimited {
			t.Fatalf("a 4th request from one network, for %s: %d %s", email, status, body)
		}
	}
}
