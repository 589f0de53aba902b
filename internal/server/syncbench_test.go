package server_test

import (
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
)

// BenchmarkConcurrentSyncs: full syncs (since=0) of a 400-item account,
// 16 at a time, through the real server on each engine with its default
// pool: what a live event that makes every open client sync costs
// (docs/performance.md).
//
//	go test -run '^$' -bench BenchmarkConcurrentSyncs -benchtime 200x ./internal/server
func BenchmarkConcurrentSyncs(b *testing.B) {
	b.Run("SQLite", func(b *testing.B) {
		st, err := sqlite.Open(bg, filepath.Join(b.TempDir(), sqlite.FileName))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		benchSyncs(b, st)
	})
	b.Run("PostgreSQL", func(b *testing.B) {
		st, err := postgres.Open(bg, pgtest.URL(b), postgres.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		benchSyncs(b, st)
	})
}

func benchSyncs(b *testing.B, st store.Store) {
	env, s := syncServer(b, st, 400)
	token := s.Token()
	b.SetParallelism(8) // × GOMAXPROCS (2 here): 16 clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", env.URL+"/api/v1/sync?since=0", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || n < 400*100 {
				b.Errorf("sync: %d, %d bytes", resp.StatusCode, n)
				return
			}
		}
	})
}
