package server_test

import (
	"bytes"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
)

// BenchmarkLoginFlood: 200 concurrent logins for made-up addresses from
// 200 addresses of 127.0.0.0/8, and meanwhile one honest login (the right
// key) from ::1, another network. Per run it reports the server's peak heap
// growth (sampled every millisecond) and peak RSS of the process (client
// and server share it), how long the honest login took until it had its
// session (retrying after Retry-After when refused), and how long the
// flood took until every request had its answer. The per-network rate
// limit is off so that every run floods alike.
//
//	go test ./internal/server -run XXX -bench LoginFlood -benchtime 5x
func BenchmarkLoginFlood(b *testing.B) {
	b.Run("idle", func(b *testing.B) { benchLoginFlood(b, floodConfig(), 0) })
	b.Run("flood=200/one-network", func(b *testing.B) { benchLoginFlood(b, floodConfig(), 200) })
}

func floodConfig() server.Config {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 30
	return cfg
}

func benchLoginFlood(b *testing.B, cfg server.Config, flood int) {
	env := startFloodEnv(b, cfg)
	honest := newSignup(&testing.T{})
	if a := postFrom(b, "", env.v6URL, "/accounts", honest); a.status != http.StatusCreated {
		b.Fatalf("sign-up: %+v", a)
	}
	var honestTotal, floodTotal time.Duration
	var peakHeap, peakRSS uint64
	counts := map[int]int{}
	b.ResetTimer()
	for range b.N {
		resetPeakRSS()
		stop := sampleHeap()
		start := time.Now()
		answers := make([]answer, flood)
		var wg sync.WaitGroup
		for i := range flood {
			wg.Go(func() { answers[i] = postFrom(b, floodSource(i), env.URL, "/sessions", madeUpLogin()) })
		}
		honestStart := time.Now()
		for {
			a := postFrom(b, "::1", env.v6URL, "/sessions", api.LoginRequest{Email: honest.Email, AuthKey: honest.AuthKey})
			if a.status == http.StatusCreated {
				break
			}
			secs, err := strconv.Atoi(a.retryAfter)
			if a.status != http.StatusTooManyRequests && a.status != http.StatusServiceUnavailable || err != nil {
				b.Fatalf("honest login: %+v", a)
			}
			time.Sleep(time.Duration(secs) * time.Second)
		}
		honestTotal += time.Since(honestStart)
		wg.Wait()
		floodTotal += time.Since(start)
		peakHeap = max(peakHeap, stop())
		peakRSS = max(peakRSS, readPeakRSS())
		for _, a := range answers {
			counts[a.status]++
		}
	}
	b.ReportMetric(float64(honestTotal.Milliseconds())/float64(b.N), "honest-ms")
	b.ReportMetric(float64(floodTotal.Milliseconds())/float64(b.N), "flood-ms")
	b.ReportMetric(float64(peakHeap>>20), "peak-heap-MiB")
	b.ReportMetric(float64(peakRSS>>20), "peak-RSS-MiB")
	if flood > 0 {
		for _, s := range []int{401, 429, 503} {
			b.ReportMetric(float64(counts[s])/float64(b.N), strconv.Itoa(s)+"/op")
		}
	}
}

// resetPeakRSS resets the process's peak resident set size (Linux).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// readPeakRSS returns the process's peak resident set size since the last
// reset (VmHWM), or 0 where /proc is not there.
func readPeakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(data) {
		if rest, ok := strings.CutPrefix(string(line), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
