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

func TestMigration27HeadJSON(t *testing.T) {
	url := pgtest.URL(t)
	storetest.HeadJSONMigration(t,
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
