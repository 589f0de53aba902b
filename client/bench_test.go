package client_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func benchContent(i int) client.Content {
	return client.Content{Name: fmt.Sprintf("Item %05d", i), Notes: "some notes about this login",
		Login: &client.LoginFields{Username: "user@example.com", Password: "Xq7!vR2#pL9@wT4z", URLs: []string{"https://example.com/login"}}}
}

// fill creates n items.
func fill(b *testing.B, s *client.Session, vaultID string, n int) {
	// Batch creates: one manifest per 500 items (one writer: writes to
	// one vault are serialised by its manifest version).
	items := make([]client.NewItem, n)
	for i := range items {
		items[i] = client.NewItem{Type: "login", Content: benchContent(i)}
	}
	if _, err := s.CreateItems(ctx, vaultID, items); err != nil {
		b.Fatal(err)
	}
}

// engines are the store engines every API benchmark runs on.
var engines = []string{"sqlite", "postgres"}

// benchEnv starts a server on a fresh database of the given engine.
func benchEnv(b *testing.B, engine string) *testserver.Env {
	if engine == "sqlite" {
		return testserver.Start(b, nil, nil)
	}
	st, err := postgres.Open(ctx, pgtest.URL(b), postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return testserver.StartStore(b, st, nil, nil)
}

func benchSession(b *testing.B, engine string) (*client.Session, string) {
	env := benchEnv(b, engine)
	s, err := client.Signup(ctx, env.URL, "bench@example.com", "Bench", []byte("bench password"), client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	v, _ := s.PersonalVault()
	return s, v.ID
}

// forEngine runs fn as a sub-benchmark per engine.
func forEngine(b *testing.B, fn func(b *testing.B, engine string)) {
	for _, e := range engines {
		b.Run(e, func(b *testing.B) { fn(b, e) })
	}
}

// BenchmarkAPICreateItem: encrypt, sign and store one item over loopback
// HTTP (writes).
func BenchmarkAPICreateItem(b *testing.B) {
	forEngine(b, func(b *testing.B, engine string) {
		s, vaultID := benchSession(b, engine)
		i := 0
		for b.Loop() {
			if _, err := s.CreateItem(ctx, vaultID, "login", benchContent(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkAPICreateItemParallel: the same with concurrent clients.
func BenchmarkAPICreateItemParallel(b *testing.B) {
	forEngine(b, func(b *testing.B, engine string) {
		s, vaultID := benchSession(b, engine)
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := s.CreateItem(ctx, vaultID, "login", benchContent(i)); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkAPIEditIn10000ItemVault: edit one item of a vault holding
// 10,000 items; the writer hashes the vault's whole manifest (§7.5).
func BenchmarkAPIEditIn10000ItemVault(b *testing.B) {
	s, vaultID := benchSession(b, "sqlite")
	fill(b, s, vaultID, 10000)
	items, err := s.Items(false)
	if err != nil {
		b.Fatal(err)
	}
	it := items[0]
	b.ResetTimer()
	i := 0
	for b.Loop() {
		next, err := s.UpdateItem(ctx, it, benchContent(i))
		if err != nil {
			b.Fatal(err)
		}
		it = next
		i++
	}
}

// BenchmarkAPIGetItem: read one item by id, verify and decrypt it (reads).
func BenchmarkAPIGetItem(b *testing.B) {
	forEngine(b, func(b *testing.B, engine string) {
		s, vaultID := benchSession(b, engine)
		fill(b, s, vaultID, 100)
		items, err := s.Items(false)
		if err != nil {
			b.Fatal(err)
		}
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := s.History(ctx, items[i%len(items)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkAPIListSync1000: a full sync (list) of a 1,000-item vault,
// including verification and decryption of every item.
func BenchmarkAPIListSync1000(b *testing.B) {
	forEngine(b, func(b *testing.B, engine string) { benchSync(b, engine, 1000) })
}

// BenchmarkAPISync10000: the same for 10,000 items.
func BenchmarkAPISync10000(b *testing.B) {
	forEngine(b, func(b *testing.B, engine string) { benchSync(b, engine, 10000) })
}

func benchSync(b *testing.B, engine string, n int) {
	s, vaultID := benchSession(b, engine)
	fill(b, s, vaultID, n)
	p := *s.Profile
	key, ls, err := s.ExportLocal()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		fresh, err := p.ResumeLocal(key, ls, client.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := fresh.Sync(ctx); err != nil {
			b.Fatal(err)
		}
		if got := len(fresh.List(false)); got != n {
			b.Fatalf("%d items", got)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkUnlockAndDecrypt10000: unlock with the master password (one
// Argon2id run at the floor parameters) and sync + decrypt 10,000 items.
func BenchmarkUnlockAndDecrypt10000(b *testing.B) {
	s, vaultID := benchSession(b, "sqlite")
	fill(b, s, vaultID, 10000)
	p := *s.Profile
	b.ResetTimer()
	for b.Loop() {
		fresh, err := p.Unlock([]byte("bench password"), client.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := fresh.Sync(ctx); err != nil {
			b.Fatal(err)
		}
		if n := len(fresh.List(false)); n != 10000 {
			b.Fatalf("%d items", n)
		}
	}
}

// BenchmarkHistory1000: fetch, verify (signatures and hash chain) and
// decrypt the history of an item with 1,000 revisions.
func BenchmarkHistory1000(b *testing.B) {
	s, vaultID := benchSession(b, "sqlite")
	it, err := s.CreateItem(ctx, vaultID, "login", benchContent(0))
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i < 1000; i++ {
		c := it.Content
		c.Notes = fmt.Sprintf("edit %d", i)
		if it, err = s.UpdateItem(ctx, it, c); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		h, err := s.History(ctx, it)
		if err != nil || len(h) != 1000 {
			b.Fatalf("%d revisions, %v", len(h), err)
		}
	}
}

// BenchmarkFile100MiB: upload and download (with verification) of a
// 100 MiB attachment over loopback, per engine.
func BenchmarkFile100MiB(b *testing.B) {
	forEngine(b, func(b *testing.B, engine string) {
		s, vaultID := benchSession(b, engine)
		data := make([]byte, 100<<20)
		for i := range data {
			data[i] = byte(i * 7)
		}
		var att client.Attachment
		b.Run("upload", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var err error
				if att, err = s.UploadFile(ctx, vaultID, "big.bin", bytes.NewReader(data), int64(len(data))); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("download", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if err := s.DownloadFile(ctx, att, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkServerFullSync: the server's side of a full sync — GET /sync?since=0
// read to the end and thrown away, nothing verified — of 10,000 items on
// both engines and 100,000 on SQLite; peak-heap-MB is the process's
// highest heap in use while the answer streams (server and this reader).
func BenchmarkServerFullSync(b *testing.B) {
	for _, c := range []struct {
		engine string
		n      int
	}{{"sqlite", 10000}, {"postgres", 10000}, {"sqlite", 100000}} {
		b.Run(fmt.Sprintf("%s/%d", c.engine, c.n), func(b *testing.B) {
			s, vaultID := benchSession(b, c.engine)
			fill(b, s, vaultID, c.n)
			runtime.GC()
			var peak atomic.Uint64
			stop := make(chan struct{})
			go func() {
				var m runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
					}
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
				}
			}()
			var size int64
			for b.Loop() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Profile.Server+"/api/v1/sync?since=0", nil)
				req.Header.Set("Authorization", "Bearer "+s.Token())
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				size, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					b.Fatal(resp.Status, err)
				}
			}
			close(stop)
			b.ReportMetric(float64(size)/1e6, "answer-MB")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		})
	}
}
