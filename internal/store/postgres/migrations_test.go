package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/migrations"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/storetest"
)

// migrationCheck runs a storetest migration check on a fresh schema: the
// store, and the same database opened directly.
func migrationCheck(t *testing.T, check func(*testing.T, func() store.Store, func() *sql.DB, migrations.Engine)) {
	url := pgtest.URL(t)
	check(t,
		func() store.Store {
			s, err := postgres.Open(context.Background(), url, postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		func() *sql.DB {
			db, err := sql.Open("pgx", url)
			if err != nil {
				t.Fatal(err)
			}
			return db
		}, migrations.Postgres)
}

func TestMigration9(t *testing.T)          { migrationCheck(t, storetest.Migration9) }
func TestMigration27HeadJSON(t *testing.T) { migrationCheck(t, storetest.HeadJSONMigration) }
