// Package sqlstore implements store.Store over database/sql. The SQL is
// written once, in the subset that SQLite and PostgreSQL share, with `?`
// placeholders that a Dialect rewrites; the engine packages (sqlite,
// postgres) only open connections, run migrations and map driver errors.
package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Dialect is what differs between engines.
type Dialect struct {
	// Numbered placeholders ($1, $2, …) instead of ?.
	NumberedParams bool
	// IsUniqueViolation reports a unique or primary-key constraint error.
	IsUniqueViolation func(error) bool
	// IsUnavailable reports a connection-level failure.
	IsUnavailable func(error) bool
	// Storage names storage trouble: store.ErrStorageFull,
	// store.ErrReadOnly or store.ErrUnavailable, or nil for other errors.
	Storage func(error) error
	// ReadTx are the options of read transactions: one consistent snapshot.
	ReadTx sql.TxOptions
	// NotifySQL, if set, runs in every transaction that records events
	// (PostgreSQL: SELECT pg_notify(...)).
	NotifySQL string
	// ForUpdate is appended to a SELECT to lock its rows until commit
	// (PostgreSQL: " FOR UPDATE"); SQLite needs none, its writes are
	// serialised.
	ForUpdate string
	// ForShare locks the rows a SELECT read against changes until commit,
	// letting other readers lock them too (PostgreSQL: " FOR SHARE").
	ForShare string
}

// Store is a store.Store over one or two connection pools. SQLite uses a
// single-connection writer pool and a separate reader pool; PostgreSQL uses
// one pool for both.
type Store struct {
	w, r    *sql.DB
	dialect Dialect
	closers []func() error

	// onCommit is called after every committed write transaction: the
	// in-process wake-up of live updates. A wake-up without new events
	// costs one cheap query per listener.
	onCommit func()

	// observeTx, if set, is told how long each transaction took
	// (ObserveTx).
	observeTx atomic.Pointer[func(kind string, d time.Duration)]
}

// ObserveTx registers fn, called after every transaction with its kind
// ("write" or "read") and how long it took from begin to commit or
// rollback: the server's metrics hook, which keeps the store free of any
// metrics library. Set it before serving.
func (s *Store) ObserveTx(fn func(kind string, d time.Duration)) { s.observeTx.Store(&fn) }

// observed reports a transaction begun at start to the ObserveTx hook.
func (s *Store) observed(kind string, start time.Time) {
	if fn := s.observeTx.Load(); fn != nil {
		(*fn)(kind, time.Since(start))
	}
}

// OnCommit registers the function called after each committed write.
// Set it before serving.
func (s *Store) OnCommit(fn func()) { s.onCommit = fn }

// New returns a Store. writer and reader may be the same pool.
func New(writer, reader *sql.DB, d Dialect) *Store {
	s := &Store{w: writer, r: reader, dialect: d}
	s.closers = append(s.closers, writer.Close)
	if reader != writer {
		s.closers = append(s.closers, reader.Close)
	}
	return s
}

var _ store.Store = (*Store)(nil)

func (s *Store) Close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

func (s *Store) Ping(ctx context.Context) error {
	if s.r != s.w {
		if err := s.r.PingContext(ctx); err != nil {
			return s.wrap(err)
		}
	}
	return s.wrap(s.w.PingContext(ctx))
}

func (s *Store) Pools() []store.PoolStats {
	stats := func(name string, db *sql.DB) store.PoolStats {
		st := db.Stats()
		return store.PoolStats{Name: name, MaxOpen: st.MaxOpenConnections, Open: st.OpenConnections, InUse: st.InUse, WaitCount: st.WaitCount, WaitDuration: st.WaitDuration}
	}
	if s.r == s.w {
		return []store.PoolStats{stats("pool", s.w)}
	}
	return []store.PoolStats{stats("readers", s.r), stats("writer", s.w)}
}

func (s *Store) ServerSecret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	// Insert-if-absent then read: concurrent first starts agree on one value.
	if _, err := s.w.ExecContext(ctx, s.q(`INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING`), name, fresh); err != nil {
		return nil, s.wrap(err)
	}
	var v []byte
	err := s.w.QueryRowContext(ctx, s.q(`SELECT value FROM server_secrets WHERE name = ?`), name).Scan(&v)
	return v, s.wrap(err)
}

// q rewrites ? placeholders for the dialect.
func (s *Store) q(query string) string {
	if !s.dialect.NumberedParams {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// wrap maps driver errors to store errors.
func (s *Store) wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case s.dialect.IsUniqueViolation != nil && s.dialect.IsUniqueViolation(err):
		return fmt.Errorf("%w: %v", store.ErrExists, err)
	case errors.Is(err, store.ErrStorageFull) || errors.Is(err, store.ErrUnavailable):
		return err // named already
	case s.dialect.Storage != nil && s.dialect.Storage(err) != nil:
		return fmt.Errorf("%w: %v", s.dialect.Storage(err), err)
	case s.dialect.IsUnavailable != nil && s.dialect.IsUnavailable(err):
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	return err
}

// ExecWrite runs one statement on the writer's connection, outside any
// transaction: for settings of that connection (SQLite's
// PRAGMA max_page_count in tests that fill the database).
func (s *Store) ExecWrite(ctx context.Context, query string) error {
	_, err := s.w.ExecContext(ctx, query)
	return s.wrap(err)
}

// NameStorageError is err as store.ErrStorageFull or store.ErrUnavailable
// (store.ErrReadOnly among them) if it is storage trouble, else err as it
// is. The server asks it of errors a store method returned unmapped, so
// that a full disk is named wherever it is met.
func (s *Store) NameStorageError(err error) error {
	if errors.Is(err, store.ErrStorageFull) || errors.Is(err, store.ErrUnavailable) {
		return err
	}
	if s.dialect.Storage != nil {
		if named := s.dialect.Storage(err); named != nil {
			return fmt.Errorf("%w: %v", named, err)
		}
	}
	if s.dialect.IsUnavailable != nil && s.dialect.IsUnavailable(err) {
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	return err
}

// tx runs fn in a write transaction and commits if fn succeeds.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	defer s.observed("write", time.Now())
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err)
	}
	// What the request's handler decided before the transaction holds
	// still, or nothing is written (requirements.go).
	if err := s.recheck(ctx, tx); err != nil {
		tx.Rollback()
		return s.wrap(err)
	}
	// The action's audit entries go in with it, or nothing does (audit.go).
	audit := store.PendingAudit(ctx)
	if len(audit) > 0 {
		if err := s.lockSeq(ctx, tx); err != nil {
			tx.Rollback()
			return s.wrap(err)
		}
		if err := s.appendAudit(ctx, tx, audit); err != nil {
			tx.Rollback()
			return s.wrap(err)
		}
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.wrap(err)
	}
	// The request's epoch records, checked against what fn left
	// (records.go); the first write transaction of a request stores them.
	recs := store.Attached(ctx)
	if err := s.putRecords(ctx, tx, recs); err != nil {
		tx.Rollback()
		return s.wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(err)
	}
	if len(recs) > 0 {
		store.RecordsStored(ctx)
	}
	store.AuditWritten(ctx, len(audit))
	if s.onCommit != nil {
		s.onCommit()
	}
	return nil
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// nextSeq takes the next change sequence number inside tx. The UPDATE locks
// the counter row until commit, so sequence numbers are gap-free and
// commit-ordered on both engines.
func (s *Store) nextSeq(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, s.q(`UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value`)).Scan(&v)
	return v, err
}

// strings runs a query that returns one text column.
func (s *Store) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	return s.stringsIn(ctx, s.r, query, args...)
}

// querier is a pool or a transaction.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// stringsIn is strings inside a transaction (or on any querier).
func (s *Store) stringsIn(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, v)
	}
	return out, s.wrap(rows.Err())
}
