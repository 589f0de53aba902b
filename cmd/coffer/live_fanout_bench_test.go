package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
)

// cpuTime reads a process's user+system CPU time from /proc.
func cpuTime(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Skip("no /proc: ", err)
	}
	// Fields after the command name (which may hold spaces): state is 3rd,
	// utime the 14th and stime the 15th of the whole line.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ is 100 on Linux
}

// BenchmarkLiveWriteFanout (issue 13, finding 8): the cost of one write
// with N open live streams on a real `coffer serve` (SQLite): the time
// from sending the write until every stream that may see it has its
// event, and the server process's CPU time per write. "own" streams
// belong to the writer and all receive every event; "others" belong to
// another account and receive nothing (each still had to be woken).
func BenchmarkLiveWriteFanout(b *testing.B) {
	for _, tc := range []struct {
		name        string
		own, others int
	}{{"streams=0", 0, 0}, {"own=1000", 1000, 0}, {"others=1000", 1, 1000}} {
		b.Run(tc.name, func(b *testing.B) {
			srv := startServerTB(b, "--live-per-session", "2000", "--live-per-account", "2000")
			ctx := context.Background()
			tag := time.Now().UnixNano()
			w, err := client.Signup(ctx, srv.url, fmt.Sprintf("w%d@bench.example", tag), "W", []byte("writer password"), client.Options{})
			if err != nil {
				b.Fatal(err)
			}
			o, err := client.Signup(ctx, srv.url, fmt.Sprintf("o%d@bench.example", tag), "O", []byte("other password"), client.Options{})
			if err != nil {
				b.Fatal(err)
			}
			w.Sync(ctx)
			v, _ := w.PersonalVault()
			got := make(chan struct{}, tc.own+1)
			var conns []*websocket.Conn
			open := func(token string, report bool) {
				c := dialLive(b, srv.url, token)
				c.Read(ctx) // ready
				conns = append(conns, c)
				go func() {
					for {
						_, data, err := c.Read(ctx)
						if err != nil {
							return
						}
						var m api.LiveMessage
						if json.Unmarshal(data, &m) == nil && m.Type == api.LiveEvent && report {
							got <- struct{}{}
						}
					}
				}()
			}
			for i := 0; i < tc.own; i++ {
				open(w.Token(), true)
			}
			for i := 0; i < tc.others; i++ {
				open(o.Token(), false)
			}
			defer func() {
				for _, c := range conns {
					c.CloseNow()
				}
			}()
			time.Sleep(500 * time.Millisecond)
			pid := srv.cmd.Process.Pid
			cpu := time.Duration(0)
			for b.Loop() {
				before := cpuTime(b, pid)
				if _, err := w.CreateItem(ctx, v.ID, "note", client.Content{Name: "x"}); err != nil {
					b.Fatal(err)
				}
				for i := 0; i < tc.own; i++ {
					select {
					case <-got:
					case <-time.After(30 * time.Second):
						b.Fatalf("only %d of %d streams got the event", i, tc.own)
					}
				}
				if tc.own == 0 || tc.others > 0 {
					// Nobody (or not everyone) reports: let the server
					// finish waking the streams before reading its CPU
					// (not counted as time per write).
					b.StopTimer()
					time.Sleep(50 * time.Millisecond)
					b.StartTimer()
				}
				cpu += cpuTime(b, pid) - before
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "server-cpu-ms/write")
		})
	}
}
