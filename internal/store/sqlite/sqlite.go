// Package sqlite opens Coffer's embedded SQLite store: one file in the data
// directory, WAL mode, a busy timeout, foreign keys on, and migrations that
// run at open. It uses modernc.org/sqlite, so the binary needs no cgo.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/migrations"
	"github.com/coffer-pm/coffer/internal/store/sqlstore"
)

// FileName is the database file inside the data directory.
const FileName = "coffer.db"

// Options tune the reader pool.
type Options struct {
	// MaxReaders is the most concurrent read transactions (syncs hold one
	// each); default max(8, 2 × GOMAXPROCS): WAL readers are cheap.
	MaxReaders int
}

// Open opens (creating if needed) the database at path and migrates it,
// with the default options.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith opens (creating if needed) the database at path and migrates it.
//
// Writes go through a single connection that starts transactions with
// BEGIN IMMEDIATE: SQLite allows one writer at a time anyway, and taking the
// write lock up front avoids the deadlock-prone upgrade from a read lock.
// Reads use a separate pool and run concurrently thanks to WAL.
func OpenWith(ctx context.Context, path string, opt Options) (*sqlstore.Store, error) {
	dsn := func(extra string) string {
		v := url.Values{}
		v.Add("_pragma", "busy_timeout(10000)")
		v.Add("_pragma", "journal_mode(WAL)")
		v.Add("_pragma", "foreign_keys(1)")
		v.Add("_pragma", "synchronous(NORMAL)")
		return "file:" + filepath.ToSlash(path) + "?" + v.Encode() + extra
	}
	w, err := sql.Open("sqlite", dsn("&_txlock=immediate"))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if err := migrations.Run(ctx, w, migrations.SQLite); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Only the server's user needs to read the database and its WAL files.
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			w.Close()
			return nil, err
		}
	}
	r, err := sql.Open("sqlite", dsn("&_pragma=query_only(1)"))
	if err != nil {
		w.Close()
		return nil, err
	}
	if opt.MaxReaders <= 0 {
		opt.MaxReaders = max(8, 2*runtime.GOMAXPROCS(0))
	}
	r.SetMaxOpenConns(opt.MaxReaders)
	return sqlstore.New(w, r, sqlstore.Dialect{IsUniqueViolation: isUniqueViolation, Storage: StorageError, ReadTx: sql.TxOptions{ReadOnly: true}}), nil
}

func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	c := e.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// StorageError names SQLite's storage trouble: a full disk (or the
// database's page limit) is store.ErrStorageFull; a read-only database
// file or file system is store.ErrReadOnly. SQLite rolls the transaction
// back in both cases: nothing was written. Other errors give nil.
func StorageError(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return store.ErrStorageFull
		case sqlite3.SQLITE_READONLY:
			return store.ErrReadOnly
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return store.ErrStorageFull
	case errors.Is(err, syscall.EROFS):
		return store.ErrReadOnly
	}
	return nil
}

// Backup writes a consistent copy of the database at path to out while the
// server may be running (SQLite's VACUUM INTO reads one snapshot; WAL lets
// writers continue). out must not exist yet; it is made readable by its
// owner only (0600), like the database: it holds the same metadata.
func Backup(ctx context.Context, path, out string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database at %s: %w", path, err)
	}
	// Made empty first with its mode (VACUUM INTO fills an empty file),
	// exclusively: an existing file is never overwritten.
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists; choose a new file name", out)
	}
	if err != nil {
		return err
	}
	f.Close()
	if err := os.Chmod(out, 0o600); err != nil {
		os.Remove(out)
		return err
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		os.Remove(out)
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		os.Remove(out)
		return fmt.Errorf("backup of %s: %w", path, err)
	}
	return nil
}

// CheckBackup opens the file at path read-only and checks that it is a
// Coffer database this binary can serve: SQLite's integrity check passes
// and its schema is not newer than this binary's migrations.
func CheckBackup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil {
		return fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	if check != "ok" {
		return fmt.Errorf("%s fails SQLite's integrity check: %s", path, check)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('goose_db_version', 'accounts')").Scan(&n); err != nil || n != 2 {
		return fmt.Errorf("%s is not a Coffer database (no accounts or schema version)", path)
	}
	return migrations.CheckVersion(ctx, db, migrations.SQLite)
}

// Restore replaces the database at path by a checked copy of the backup
// (CheckBackup). The database it replaces, if any, is kept beside it as
// path.replaced-TIME, a consistent copy; its name is returned. No server
// may have the database open: the caller holds the data directory's lock.
func Restore(ctx context.Context, backup, path string, now time.Time) (replaced string, err error) {
	if err := CheckBackup(ctx, backup); err != nil {
		return "", err
	}
	// A copy in the data directory first, so that the switch is a rename.
	tmp := path + ".restoring"
	os.Remove(tmp)
	if err := Backup(ctx, backup, tmp); err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	if _, err := os.Stat(path); err == nil {
		replaced = path + ".replaced-" + now.UTC().Format("20060102T150405Z")
		// VACUUM INTO takes in what the write-ahead log still holds.
		if err := Backup(ctx, path, replaced); err != nil {
			return "", fmt.Errorf("keeping the current database: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	// The old write-ahead log must not be replayed onto the restored file.
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return replaced, err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return replaced, err
	}
	// Open once: migrations bring an older backup up to this binary. The
	// restore is recorded in it, so that devices holding newer data say
	// so in plain words (docs/protocol.md §9.1).
	st, err := Open(ctx, path)
	if err != nil {
		return replaced, err
	}
	if _, err := st.MarkRestored(ctx, now); err != nil {
		st.Close()
		return replaced, fmt.Errorf("recording the restore: %w", err)
	}
	return replaced, st.Close()
}
