package server_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
)

// TestBodiesInFlightAreBounded: one account sends 200 concurrent 4 MiB
// bodies to an authenticated endpoint. Found in review: each was read
// whole before being refused, and the heap grew by over 2 GiB. The bytes
// held at once are bounded per account and per instance now: the excess is
// refused at once (429, Retry-After) without being read, and another
// account's request still goes through.
func TestBodiesInFlightAreBounded(t *testing.T) {
	env := startFloodEnv(t, server.DefaultConfig())
	alice := signupClient(t, env.URL, "alice@example.com")
	bob := signupClient(t, env.URL, "bob@example.com")
	av := personalVault(t, alice)
	body := `{"id":"` + strings.Repeat("a", 4<<20-20) + `"}`
	stop := sampleHeap()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 200 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", env.URL+api.Prefix+"/vaults/"+av+"/files", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+alice.Token())
			req.Header.Set("Content-Type", "application/json")
			resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
			if err != nil {
				return // the server may close a refused upload's connection early
			}
			mu.Lock()
			codes[resp.StatusCode]++
			if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			mu.Unlock()
			resp.Body.Close()
		})
	}
	wg.Wait()
	grown := stop()
	if grown > 400<<20 {
		t.Errorf("heap grew by %d MiB with 200 concurrent 4 MiB bodies of one account (answers %v)", grown>>20, codes)
	}
	if codes[http.StatusTooManyRequests] == 0 {
		t.Errorf("no body was refused: %v", codes)
	}
	// Another account is not held up.
	if _, err := bob.CreateItem(bg, personalVault(t, bob), "note", client.Content{Name: "after the flood"}); err != nil {
		t.Fatalf("another account after the flood: %v", err)
	}
}
