package cli

import (
	"testing"

	"github.com/coffer-pm/coffer/internal/store/migrations"
)

// TestNewestSchema: the schema version the binary reports is its newest
// migration's.
func TestNewestSchema(t *testing.T) {
	if n := migrations.Newest(); n < 25 {
		t.Fatalf("newest migration %d", n)
	}
}
