package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/storetest"
)

func BenchmarkUsage(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n, "revisions"), func(b *testing.B) {
			s, err := postgres.Open(context.Background(), pgtest.URL(b), postgres.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.BenchmarkUsage(b, s, n)
		})
	}
}
