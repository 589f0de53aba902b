package client_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestMain records every request every test sends to its server, collects
// every value the client core decrypts, and fails the run if any request
// URL or body contains one of them (THREATS C: decrypted data must never
// leak through side requests).
func TestMain(m *testing.M) {
	flag.Parse()
	benchmarking := flag.Lookup("test.bench").Value.String() != ""
	var mu sync.Mutex
	plaintexts := map[string]bool{}
	if !benchmarking {
		testserver.RecordAll = true
		client.ObservePlaintext(func(c client.Content) {
			mu.Lock()
			defer mu.Unlock()
			for _, v := range c.Values() {
				// Short values ("x", "pw1") would match by chance.
				if len(v.Value) >= 6 {
					plaintexts[v.Value] = true
				}
			}
		})
	}
	code := m.Run()
	if code == 0 && !benchmarking {
		log := testserver.Log()
		leaks := 0
		for _, r := range log {
			hay := r.Path + "?" + r.Query + "\n" + string(r.Body)
			for p := range plaintexts {
				if strings.Contains(hay, p) {
					fmt.Fprintf(os.Stderr, "LEAK: %s %s carries decrypted value %q\n", r.Method, r.Path, p)
					leaks++
				}
			}
		}
		fmt.Printf("request recorder: %d requests checked against %d decrypted values, %d leaks\n", len(log), len(plaintexts), leaks)
		// Decrypted values but no recorded request would mean the
		// recorder is broken.
		if leaks > 0 || (len(plaintexts) > 0 && len(log) == 0) {
			code = 1
		}
	}
	os.Exit(code)
}
