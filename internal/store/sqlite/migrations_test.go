package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/migrations"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/store/storetest"
)

// migrationCheck runs a storetest migration check on a fresh SQLite
// file: the store, and the same database opened directly.
func migrationCheck(t *testing.T, check func(*testing.T, func() store.Store, func() *sql.DB, migrations.Engine)) {
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	check(t,
		func() store.Store {
			s, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		func() *sql.DB {
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
			if err != nil {
				t.Fatal(err)
			}
			return db
		}, migrations.SQLite)
}

func TestMigration9(t *testing.T)          { migrationCheck(t, storetest.Migration9) }
func TestMigration27HeadJSON(t *testing.T) { migrationCheck(t, storetest.HeadJSONMigration) }
