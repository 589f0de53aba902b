// Package postgres opens Coffer's PostgreSQL store, for deployments where
// several stateless `coffer serve` instances share one database. The SQL
// is the shared sqlstore; this package connects (pgx), migrates and maps
// PostgreSQL's errors.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/migrations"
	"github.com/coffer-pm/coffer/internal/store/sqlstore"
)

// Options tune the connection pool.
type Options struct {
	MaxOpenConns int // default 20
}

// Store is the PostgreSQL store: the shared SQL plus LISTEN/NOTIFY, which
// carries "something changed" between server instances.
type Store struct {
	*sqlstore.Store
	cfg *pgx.ConnConfig
}

// notifyChannel is the NOTIFY channel every committed change signals.
const notifyChannel = "coffer_events"

// Open connects to the database at url (postgres://…), checks that it is
// reachable, migrates it and returns the store. Errors name the host and
// database, never the password.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("invalid PostgreSQL URL %s: %v", Redact(url), scrub(err.Error(), url))
	}
	where := fmt.Sprintf("PostgreSQL at %s:%d (database %q, user %q)", cfg.Host, cfg.Port, cfg.Database, cfg.User)
	cfg.ConnectTimeout = 10 * time.Second
	db := stdlib.OpenDB(*cfg)
	if opt.MaxOpenConns == 0 {
		opt.MaxOpenConns = 20
	}
	db.SetMaxOpenConns(opt.MaxOpenConns)
	db.SetMaxIdleConns(opt.MaxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot connect to %s: %s", where, rootCause(err))
	}
	if err := migrations.Run(ctx, db, migrations.Postgres); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	st := sqlstore.New(db, db, sqlstore.Dialect{
		NumberedParams:    true,
		IsUniqueViolation: isUniqueViolation,
		IsUnavailable:     IsUnavailable,
		Storage:           StorageError,
		// A repeatable-read snapshot: items, revisions and wraps read for
		// one answer belong together.
		ReadTx: sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
		// Delivered to every listening instance when the writing
		// transaction commits, never before.
		NotifySQL: "SELECT pg_notify('" + notifyChannel + "', '')",
		ForUpdate: " FOR UPDATE",
		ForShare:  " FOR SHARE",
	})
	return &Store{Store: st, cfg: cfg}, nil
}

// Listen holds a dedicated connection in LISTEN mode and calls wake for
// every notification, and once after each (re)connect so that nothing
// committed while it was away is missed. It returns when ctx ends.
func (s *Store) Listen(ctx context.Context, wake func()) error {
	for ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(ctx, s.cfg)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+notifyChannel)
			if err == nil {
				wake()
				for {
					if _, err = conn.WaitForNotification(ctx); err != nil {
						break
					}
					wake()
				}
			}
			conn.Close(context.Background())
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return ctx.Err()
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// StorageError names PostgreSQL's errors that mean "not now" rather than
// "wrong": disk_full (53100) is store.ErrStorageFull; a read-only
// transaction refused a write (25006: a standby, or default_transaction_
// read_only) is store.ErrReadOnly; the rest of class 53 (out of memory,
// too many connections), an object not in the state the statement needs
// (55000, 55P03 lock not available), an administrator's shutdown or a
// server that cannot take connections yet (57P01-57P03) and the
// connection-level failures of IsUnavailable are store.ErrUnavailable.
// Each rolled the transaction back. Other errors give nil.
func StorageError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "53100":
			return store.ErrStorageFull
		case pe.Code == "25006":
			return store.ErrReadOnly
		case strings.HasPrefix(pe.Code, "53"), pe.Code == "55000", pe.Code == "55P03":
			return store.ErrUnavailable
		}
	}
	if IsUnavailable(err) {
		return store.ErrUnavailable
	}
	return nil
}

// IsUnavailable reports errors that mean the database cannot be reached
// right now (as opposed to a bad query): the server answers 503 and the
// pool reconnects once the database is back.
func IsUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-03: shutdown, crash, starting.
		// 40001/40P01: a serialization failure or deadlock; nothing was
		// written and the same request may well succeed again.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" ||
			pe.Code == "40001" || pe.Code == "40P01"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "failed to connect")
}

// Redact hides the password of a database URL.
func Redact(url string) string {
	i := strings.Index(url, "://")
	if i < 0 {
		return "(unparseable URL)"
	}
	rest := url[i+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return url
	}
	cred := rest[:at]
	if c := strings.Index(cred, ":"); c >= 0 {
		return url[:i+3] + cred[:c] + ":***@" + rest[at+1:]
	}
	return url
}

// scrub removes the URL's password from a driver message.
func scrub(msg, url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		rest := url[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if c := strings.Index(rest[:at], ":"); c >= 0 && c+1 < at {
				msg = strings.ReplaceAll(msg, rest[c+1:at], "***")
			}
		}
	}
	return msg
}

// rootCause is the innermost error's message: "connection refused", "no
// such host", "password authentication failed" rather than a stack of
// wrappers.
func rootCause(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	for {
		var next error
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			if errs := e.Unwrap(); len(errs) > 0 {
				next = errs[0] // pgx joins one error per attempted address
			}
		case interface{ Unwrap() error }:
			next = e.Unwrap()
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
