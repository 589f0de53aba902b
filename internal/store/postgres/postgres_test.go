package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/migrations"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestMigrationsTwiceAreANoOp(t *testing.T) {
	url := pgtest.URL(t)
	for i := 0; i < 2; i++ {
		s, err := postgres.Open(context.Background(), url, postgres.Options{})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	url := pgtest.URL(t)
	s, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	storetest.BumpSchemaVersion(t, "pgx", url, 9999)
	_, err = postgres.Open(context.Background(), url, postgres.Options{})
	var tooNew *migrations.ErrSchemaTooNew
	if !errors.As(err, &tooNew) || !strings.Contains(err.Error(), "newer coffer") {
		t.Fatalf("open newer schema: %v", err)
	}
}

func TestUnreachableDatabaseNamesHost(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://coffer:s3cretpw@127.0.0.1:1/coffer?connect_timeout=2", postgres.Options{})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "s3cretpw") {
		t.Fatalf("unreachable database: %v", err)
	}
	_, err = postgres.Open(context.Background(), "postgres://coffer:s3cretpw@127.0.0.1:5432/coffer?sslmode=bogus", postgres.Options{})
	if err == nil || strings.Contains(err.Error(), "s3cretpw") || !strings.Contains(err.Error(), "invalid PostgreSQL URL") {
		t.Fatalf("invalid URL: %v", err)
	}
}

// TestConformanceOneConnection: no store method waits for a second
// connection while it holds one (issue 23).
func TestConformanceOneConnection(t *testing.T) {
	storetest.RunOneConnection(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{MaxOpenConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
