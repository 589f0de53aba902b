package postgres_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/postgres"
)

// TestStorageErrorNamesSQLSTATEs (issue 28, docs/security.md 28.3): the
// SQLSTATEs that mean "not now" are named, so that the server answers 507
// (disk full) or 503 with Retry-After rather than 500; errors that mean
// "wrong" are not.
func TestStorageErrorNamesSQLSTATEs(t *testing.T) {
	for code, want := range map[string]error{
		"53100": store.ErrStorageFull, // disk_full
		"25006": store.ErrReadOnly,    // read_only_sql_transaction (a standby)
		"53000": store.ErrUnavailable, // insufficient_resources
		"53200": store.ErrUnavailable, // out_of_memory
		"53300": store.ErrUnavailable, // too_many_connections
		"55000": store.ErrUnavailable, // object_not_in_prerequisite_state
		"55P03": store.ErrUnavailable, // lock_not_available
		"57P01": store.ErrUnavailable, // admin_shutdown
		"57P02": store.ErrUnavailable, // crash_shutdown
		"57P03": store.ErrUnavailable, // cannot_connect_now
		"08006": store.ErrUnavailable, // connection_failure
		"08003": store.ErrUnavailable, // connection_does_not_exist
		"40001": store.ErrUnavailable, // serialization_failure
		"40P01": store.ErrUnavailable, // deadlock_detected
		"23505": nil,                  // unique_violation: the store's own mapping
		"42601": nil,                  // syntax_error: a bug, 500
		"22001": nil,                  // string_data_right_truncation
		"57014": nil,                  // query_canceled: the request went away
	} {
		err := fmt.Errorf("insert: %w", &pgconn.PgError{Severity: "ERROR", Code: code, Message: "m"})
		got := postgres.StorageError(err)
		if got != want {
			t.Errorf("SQLSTATE %s: %v, want %v", code, got, want)
		}
		if want != nil && !errors.Is(got, store.ErrUnavailable) && !errors.Is(got, store.ErrStorageFull) {
			t.Errorf("SQLSTATE %s: %v is neither unavailable nor full", code, got)
		}
	}
	if !errors.Is(store.ErrReadOnly, store.ErrUnavailable) {
		t.Error("a read-only database is not an unavailable one")
	}
}
