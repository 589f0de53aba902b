package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
)

func dialLive(b *testing.B, url, token string) *websocket.Conn {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	c, _, err := websocket.Dial(context.Background(), strings.Replace(url, "http", "ws", 1)+"/api/v1/events", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		b.Fatal(err)
	}
	c.SetReadLimit(1 << 16)
	return c
}

// measureLatency writes items through writeURL and times, for each, the
// gap between the write's acknowledgement and the event's arrival on a
// live stream from watchURL.
func measureLatency(b *testing.B, writeURL, watchURL string) {
	ctx := context.Background()
	s, err := client.Signup(ctx, writeURL, fmt.Sprintf("lat%d@bench.example", time.Now().UnixNano()), "L", []byte("latency password"), client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s.Sync(ctx)
	v, _ := s.PersonalVault()
	c := dialLive(b, watchURL, s.Token())
	defer c.CloseNow()
	c.Read(ctx) // ready
	var lat, total []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "x"}); err != nil {
			b.Fatal(err)
		}
		acked := time.Now()
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, data, err := c.Read(rctx)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(acked))
		total = append(total, time.Since(start))
		var m api.LiveMessage
		json.Unmarshal(data, &m)
		if m.Type != api.LiveEvent {
			b.Fatalf("got %+v", m)
		}
	}
	pct := func(d []time.Duration, p float64) float64 {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return float64(d[int(p*float64(len(d)-1))].Microseconds()) / 1000
	}
	// After the acknowledgement (the measure: often the event is
	// already waiting) and from the moment the write was sent.
	b.ReportMetric(pct(lat, 0.50), "ack-p50-ms")
	b.ReportMetric(pct(lat, 0.99), "ack-p99-ms")
	b.ReportMetric(pct(total, 0.50), "send-p50-ms")
	b.ReportMetric(pct(total, 0.99), "send-p99-ms")
}

// BenchmarkEventLatency: write acknowledged → event received, on one
// SQLite instance, and across two instances sharing PostgreSQL (the event
// travels through NOTIFY).
func BenchmarkEventLatency(b *testing.B) {
	b.Run("single-sqlite", func(b *testing.B) {
		srv := startServerTB(b)
		measureLatency(b, srv.url, srv.url)
	})
	b.Run("two-instances-postgres", func(b *testing.B) {
		url := pgtest.URL(b)
		one := startServerTB(b, "--database", url)
		two := startServerTB(b, "--database", url)
		measureLatency(b, one.url, two.url)
	})
}

// rss reads a process's resident set size in bytes.
func rss(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skip("no /proc: ", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// BenchmarkIdleConnections: the server's memory per idle live connection,
// measured as the growth of the `coffer serve` process's RSS with 1,000
// connected clients.
func BenchmarkIdleConnections(b *testing.B) {
	const n = 1000
	srv := startServerTB(b, "--live-per-session", "1000", "--live-per-account", "1000")
	ctx := context.Background()
	s, err := client.Signup(ctx, srv.url, "idle@bench.example", "I", []byte("idle password"), client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		time.Sleep(500 * time.Millisecond)
		before := rss(b, srv.cmd.Process.Pid)
		conns := make([]*websocket.Conn, 0, n)
		for i := 0; i < n; i++ {
			c := dialLive(b, srv.url, s.Token())
			c.Read(ctx) // ready: the server side is set up
			conns = append(conns, c)
		}
		time.Sleep(time.Second)
		after := rss(b, srv.cmd.Process.Pid)
		b.ReportMetric(float64(after-before)/n/1024, "KiB/conn")
		for _, c := range conns {
			c.Close(websocket.StatusNormalClosure, "")
		}
	}
}
