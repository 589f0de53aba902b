package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// tcpProxy forwards a loopback port to PostgreSQL and can cut every
// connection, simulating the database going away and coming back.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// stop closes the listener and cuts every open connection.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// start listens again on the same address.
func (p *tcpProxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}

// TestDatabaseOutageGives503AndRecovers: with the connection to PostgreSQL
// cut mid-session, requests get 503 "unavailable" (not 500, not a hang);
// when the database is reachable again the same server serves again.
func TestDatabaseOutageGives503AndRecovers(t *testing.T) {
	dbURL, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, dbURL.Host)
	dbURL.Host = proxy.addr
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

	proxy.stop()
	err = s.Sync(ctx)
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Code != api.CodeUnavailable {
		t.Fatalf("sync during outage: %v, want 503 unavailable", err)
	}
	if resp, err := http.Get(env.URL + "/healthz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz during outage: %v %v", resp, err)
	}

	proxy.start()
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
