package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/migrations"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/storetest"
)

func TestMigration9(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	raw := func() *sql.DB {
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	storetest.Migration9(t,
		func() store.Store {
			s, err := postgres.Open(ctx, url, postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		func() {
			db := raw()
			defer db.Close()
			fsys, err := migrations.FS(migrations.Postgres)
			if err != nil {
				t.Fatal(err)
			}
			p, err := goose.NewProvider(goose.DialectPostgres, db, fsys)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.DownTo(ctx, 8); err != nil {
				t.Fatal(err)
			}
		},
		func(q string) {
			db := raw()
			defer db.Close()
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		})
}
