package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/store/storetest"
)

func BenchmarkInvitationsSince(b *testing.B) {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), sqlite.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchInvitationsSince(b, s)
}
