package client_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func benchContent(i int) client.Content {
	return client.Content{Name: fmt.Sprintf("Item %05d", i), Notes: "some notes about this login",
		Login: &client.LoginFields{Username: "user@example.com", Password: "Xq7!vR2#pL9@wT4z", URLs: []string{"https://example.com/login"}}}
}

// fill creates n items with 8 concurrent writers.
func fill(b *testing.B, s *client.Session, vaultID string, n int) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if _, err := s.CreateItem(ctx, vaultID, "login", benchContent(i)); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

func benchSession(b *testing.B) (*client.Session, string) {
	env := testserver.Start(b, nil, nil)
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

// BenchmarkAPICreateItem: encrypt, sign and store one item over loopback HTTP.
func BenchmarkAPICreateItem(b *testing.B) {
	s, vaultID := benchSession(b)
	i := 0
	for b.Loop() {
		if _, err := s.CreateItem(ctx, vaultID, "login", benchContent(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAPICreateItemParallel: the same with concurrent clients.
func BenchmarkAPICreateItemParallel(b *testing.B) {
	s, vaultID := benchSession(b)
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
}

// BenchmarkAPIListSync1000: a full sync (list) of a 1,000-item vault,
// including verification and decryption of every item.
func BenchmarkAPIListSync1000(b *testing.B) {
	s, vaultID := benchSession(b)
	fill(b, s, vaultID, 1000)
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
		if n := len(fresh.Items(false)); n != 1000 {
			b.Fatalf("%d items", n)
		}
	}
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkUnlockAndDecrypt10000: unlock with the master password (one
// Argon2id run at the floor parameters) and sync + decrypt 10,000 items.
func BenchmarkUnlockAndDecrypt10000(b *testing.B) {
	s, vaultID := benchSession(b)
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
		if n := len(fresh.Items(false)); n != 10000 {
			b.Fatalf("%d items", n)
		}
	}
}
