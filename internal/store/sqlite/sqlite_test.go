package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/migrations"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), sqlite.FileName))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestConformanceOneConnection: no store method waits for a second reader
// while it holds one (issue 23). SQLite's writer is one connection always.
func TestConformanceOneConnection(t *testing.T) {
	storetest.RunOneConnection(t, func(t *testing.T) store.Store {
		s, err := sqlite.OpenWith(context.Background(), filepath.Join(t.TempDir(), sqlite.FileName), sqlite.Options{MaxReaders: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestMigrationsTwiceAreANoOp(t *testing.T) {
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	for i := 0; i < 2; i++ {
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	storetest.BumpSchemaVersion(t, "sqlite", path, 9999)
	_, err = sqlite.Open(context.Background(), path)
	var tooNew *migrations.ErrSchemaTooNew
	if !errors.As(err, &tooNew) {
		t.Fatalf("open newer schema: %v", err)
	}
}

func TestBackupWhileOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, sqlite.FileName)
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	secret, err := s.ServerSecret(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "backup.db")
	if err := sqlite.Backup(context.Background(), path, out); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.Backup(context.Background(), path, out); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	b, err := sqlite.Open(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.ServerSecret(context.Background(), "x")
	if err != nil || string(got) != string(secret) {
		t.Fatalf("backup lacks the data: %v", err)
	}
}
