// Package pgtest gives tests a fresh PostgreSQL schema on the local server
// (127.0.0.1:5432, user postgres, database test; override with
// COFFER_TEST_POSTGRES). Each call creates its own schema and drops it when
// the test ends, so runs never collide. Without a reachable server the test
// is skipped — except in CI (CI set), where that is a failure.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// BaseURL is the server tests use.
func BaseURL() string {
	if u := os.Getenv("COFFER_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// URL returns a connection URL whose search_path is a new, empty schema.
func URL(t testing.TB) string {
	t.Helper()
	base := BaseURL()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s is unreachable and CI is set, so the PostgreSQL tests must run: %v", base, err)
		}
		t.Skipf("PostgreSQL unreachable (%v); skipping (set CI to make this a failure)", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "coffer_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
