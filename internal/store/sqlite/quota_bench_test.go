package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/store/storetest"
)

func BenchmarkUsage(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n, "revisions"), func(b *testing.B) {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), sqlite.FileName))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.BenchmarkUsage(b, s, n)
		})
	}
}
