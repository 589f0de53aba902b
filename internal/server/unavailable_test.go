package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/testproxy"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestDatabaseOutageGives503AndRecovers: with the connection to PostgreSQL
// cut mid-session, requests get 503 "unavailable" (not 500, not a hang);
// when the database is reachable again the same server serves again.
func TestDatabaseOutageGives503AndRecovers(t *testing.T) {
	dbURL, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := testproxy.New(t, dbURL.Host)
	dbURL.Host = proxy.Addr
	q := dbURL.Query()
	q.Set("connect_timeout", "2")
	dbURL.RawQuery = q.Encode()
	st, err := postgres.Open(context.Background(), dbURL.String(), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env := testserver.StartStore(t, st, nil, nil)
	ctx := context.Background()
	s, err := client.Signup(ctx, env.URL, "outage@example.com", "O", []byte("outage password"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	proxy.Stop()
	err = s.Sync(ctx)
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Code != api.CodeUnavailable {
		t.Fatalf("sync during outage: %v, want 503 unavailable", err)
	}
	if resp, err := http.Get(env.URL + "/healthz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz during outage: %v %v", resp, err)
	}

	proxy.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err = s.Sync(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not recover after the database came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	v, _ := s.PersonalVault()
	if _, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "after the outage"}); err != nil {
		t.Fatalf("write after recovery: %v", err)
	}
}
