// Package migrations holds Coffer's database schema, written once for both
// engines. Column types are placeholders ({{int}}, {{bytes}}) that FS
// renders per engine; everything else is the SQL that SQLite and
// PostgreSQL share. Run applies pending migrations with goose and refuses a
// database whose schema is newer than this binary knows.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

var types = map[Engine]*strings.Replacer{
	SQLite:   strings.NewReplacer("{{int}}", "INTEGER", "{{bytes}}", "BLOB"),
	Postgres: strings.NewReplacer("{{int}}", "BIGINT", "{{bytes}}", "BYTEA"),
}

// FS returns the migrations rendered for engine.
func FS(engine Engine) (fs.FS, error) {
	r, ok := types[engine]
	if !ok {
		return nil, fmt.Errorf("unknown database engine %q", engine)
	}
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := fs.ReadFile(files, e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = &fstest.MapFile{Data: []byte(r.Replace(string(data))), Mode: 0o444}
	}
	return out, nil
}

// Run migrates db to the newest schema. Running it again is a no-op. On
// PostgreSQL an advisory lock makes instances that start together take
// turns.
func Run(ctx context.Context, db *sql.DB, engine Engine) error {
	var opts []goose.ProviderOption
	if engine == Postgres {
		// One lock per schema, not one for the whole database: the
		// instances of one deployment take turns, while deployments (and
		// tests) in other schemas of the same database do not wait for
		// each other; turns are tried every second, for five minutes.
		var schema string
		if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return err
		}
		h := fnv.New64a()
		h.Write([]byte("coffer-migrations/" + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := provider(db, engine, opts...)
	if err != nil {
		return err
	}
	if err := CheckNotNewer(ctx, p); err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// DownTo reverts db's schema to version, newest migration first: for
// tests that check a migration on data written before it.
func DownTo(ctx context.Context, db *sql.DB, engine Engine, version int64) error {
	p, err := provider(db, engine)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// provider is goose's provider of engine's migrations on db.
func provider(db *sql.DB, engine Engine, opts ...goose.ProviderOption) (*goose.Provider, error) {
	fsys, err := FS(engine)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if engine == Postgres {
		dialect = goose.DialectPostgres
	}
	return goose.NewProvider(dialect, db, fsys, opts...)
}

// ErrSchemaTooNew is returned for a database migrated by a newer Coffer.
type ErrSchemaTooNew struct{ Database, Known int64 }

func (e *ErrSchemaTooNew) Error() string {
	return fmt.Sprintf("the database schema is version %d but this coffer knows only up to version %d: it was upgraded by a newer coffer; run that version (or newer) instead", e.Database, e.Known)
}

// CheckNotNewer refuses a database whose schema version is newer than the
// newest migration this binary has.
func CheckNotNewer(ctx context.Context, p *goose.Provider) error {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	var known int64
	for _, s := range p.ListSources() {
		known = max(known, s.Version)
	}
	if current > known {
		return &ErrSchemaTooNew{Database: current, Known: known}
	}
	return nil
}

// Newest is the version of the newest migration this binary has: the
// schema version it makes and the newest it accepts.
func Newest() int64 {
	var newest int64
	entries, _ := files.ReadDir(".")
	for _, e := range entries {
		var v int64
		if _, err := fmt.Sscanf(e.Name(), "%05d_", &v); err == nil {
			newest = max(newest, v)
		}
	}
	return newest
}

// CheckVersion fails with *ErrSchemaTooNew if db's schema is newer than
// this binary's migrations; it migrates nothing.
func CheckVersion(ctx context.Context, db *sql.DB, engine Engine) error {
	p, err := provider(db, engine)
	if err != nil {
		return err
	}
	return CheckNotNewer(ctx, p)
}
