package main_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
)

// TestTwoInstancesOnePostgres runs two `coffer serve` processes on one
// PostgreSQL database: what is written through one is read through the
// other, and concurrent edits of one item through both give exactly one
// winner and one clean conflict.
func TestTwoInstancesOnePostgres(t *testing.T) {
	dbURL := pgtest.URL(t)
	one := startServer(t, "--database", dbURL)
	two := startServer(t, "--database", dbURL)

	// The CLI writes through instance one and reads through instance two.
	dev1, dev2 := newCLI(t), newCLI(t)
	dev1.ok(masterPW+"\n", "signup", "--server", one.url, "--email", "pg@example.com", "--name", "PG", "--password-stdin")
	dev1.unlock(masterPW)
	dev1.ok("", "item", "add", "--type", "login", "--name", itemName, "--username", itemUser, "--password", itemPass)
	dev2.ok(masterPW+"\n", "login", "--server", two.url, "--email", "pg@example.com", "--password-stdin")
	dev2.unlock(masterPW)
	if got := dev2.ok("", "item", "get", itemName, "--field", "password"); got != itemPass+"\n" {
		t.Fatalf("read through instance two: %q", got)
	}

	// Concurrent edits of one revision, one through each instance.
	ctx := context.Background()
	a, err := client.Login(ctx, one.url, "pg@example.com", []byte(masterPW), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := client.Login(ctx, two.url, "pg@example.com", []byte(masterPW), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 10; round++ {
		if err := a.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		ia, _ := a.FindItem(itemName, false)
		ib, _ := b.FindItem(itemName, false)
		if ia.Revision != ib.Revision {
			t.Fatalf("round %d: instances disagree on the head (%d vs %d)", round, ia.Revision, ib.Revision)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range []struct {
			s  *client.Session
			it *client.Item
		}{{a, ia}, {b, ib}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := pair.it.Content
				l := *c.Login
				l.Password = fmt.Sprintf("round-%d-writer-%d", round, i)
				c.Login = &l
				_, errs[i] = pair.s.UpdateItem(ctx, pair.it, c)
			}()
		}
		wg.Wait()
		wins, conflicts := 0, 0
		for _, err := range errs {
			var ce *client.ConflictError
			switch {
			case err == nil:
				wins++
			case errors.As(err, &ce):
				conflicts++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if wins != 1 || conflicts != 1 {
			t.Fatalf("round %d: %d winners and %d conflicts, want exactly 1 and 1", round, wins, conflicts)
		}
	}
	// History is complete and consecutive: 1 (create) + 10 winners.
	a.Sync(ctx)
	it, _ := a.FindItem(itemName, false)
	hist, err := a.History(ctx, it)
	if err != nil || len(hist) != 11 {
		t.Fatalf("history: %d revisions, %v", len(hist), err)
	}
}
