package client_test

import (
	"errors"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestRevokedDeviceLosesItsStream: an account lists its devices (each
// session named by its client) and revokes one; that device's live
// stream ends at once, its next request is refused, and another account
// cannot revoke it.
func TestRevokedDeviceLosesItsStream(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	a := signup(t, env.URL, "alice@devices.example")
	mallory := signup(t, env.URL, "mallory@devices.example")
	phone, err := client.Login(ctx, env.URL, "alice@devices.example", []byte("pw of alice@devices.example"), client.Options{Description: "Firefox on Android"})
	if err != nil {
		t.Fatal(err)
	}
	connected := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() {
		done <- phone.Watch(ctx, client.WatchOptions{OnConnect: func(int64) { connected <- struct{}{} }}, func(client.Change) {})
	}()
	select {
	case <-connected:
	case <-time.After(time.Minute): // only turns a hang into a failure
		t.Fatal("watch did not connect")
	}

	list, err := a.Sessions(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("Sessions = %+v, %v", list, err)
	}
	var phoneID string
	for _, x := range list {
		if x.Description == "Firefox on Android" && !x.Current {
			phoneID = x.ID
		}
		if x.ClientAddr == "" || x.LastUsedAt.IsZero() {
			t.Errorf("session without address or last use: %+v", x)
		}
	}
	if phoneID == "" {
		t.Fatalf("the phone is not listed as another device: %+v", list)
	}
	if err := mallory.RevokeSession(ctx, phoneID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("another account revoked the session: %v", err)
	}
	if err := a.RevokeSession(ctx, phoneID); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, client.ErrUnauthorized) {
			t.Fatalf("the revoked device's watch ended with %v", err)
		}
	case <-time.After(time.Minute): // only turns a hang into a failure
		t.Fatal("the revoked device's live stream stayed open")
	}
	if _, err := phone.Sessions(ctx); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("the revoked device's next request: %v", err)
	}

	// Sign out all other devices: the two new ones, not this one nor the
	// one already revoked.
	for range 2 {
		if _, err := client.Login(ctx, env.URL, "alice@devices.example", []byte("pw of alice@devices.example"), client.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := a.RevokeOtherSessions(ctx); err != nil || n != 2 {
		t.Fatalf("RevokeOtherSessions = %d, %v", n, err)
	}
	if _, err := a.Sessions(ctx); err != nil {
		t.Fatalf("this device was signed out too: %v", err)
	}
}
