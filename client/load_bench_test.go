package client_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// BenchmarkLoad (issue 28): N concurrent clients, each through the client
// core (every answer verified), on loopback, doing a mix of what devices
// do: delta syncs, a new device's full sync, reads of an item with its
// history, creates and edits of their own items, while each also keeps a
// live connection (Watch) that syncs on every event of its account.
// Clients come 5 to an account (one session resumed on 5 devices: the
// server's 8 live streams per session); each account starts with
// loadItems items. An account's devices write one at a time (a person
// does not edit from five devices at once; five devices writing one vault
// flat out exhaust the client's 10 tries on PostgreSQL's 409s): the
// latency of a write counts from when its device may write, and includes
// the client's retry after another device's write moved the manifest on. Any error fails the benchmark, and so does a live
// connection that had to reconnect.
//
// b.N operations in all, spread over the clients, and at most
// COFFER_LOAD_DURATION (default 30s) per level; COFFER_LOAD_CLIENTS lists
// the levels (default 1,10,50,200). Reported: ops/s, p50-ms and p99-ms of
// all operations, and p99 per kind. "postgres-2x" runs two server
// instances on one PostgreSQL database, clients alternating between them.
//
//	go test ./client -run '^$' -bench BenchmarkLoad -benchtime 2000x -timeout 60m
func BenchmarkLoad(b *testing.B) {
	levels := []int{1, 10, 50, 200}
	if v := os.Getenv("COFFER_LOAD_CLIENTS"); v != "" {
		levels = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 {
				b.Fatalf("COFFER_LOAD_CLIENTS: %q", v)
			}
			levels = append(levels, n)
		}
	}
	limit := 30 * time.Second
	if v := os.Getenv("COFFER_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		limit = d
	}
	for _, setup := range []struct {
		name      string
		engine    string
		instances int
	}{{"sqlite", "sqlite", 1}, {"postgres", "postgres", 1}, {"postgres-2x", "postgres", 2}} {
		for _, n := range levels {
			b.Run(fmt.Sprintf("%s/clients=%d", setup.name, n), func(b *testing.B) {
				var urls []string
				if setup.engine == "sqlite" {
					urls = []string{testserver.Start(b, nil, nil).URL}
				} else {
					url := pgtest.URL(b)
					for range setup.instances {
						st, err := postgres.Open(ctx, url, postgres.Options{})
						if err != nil {
							b.Fatal(err)
						}
						b.Cleanup(func() { st.Close() })
						urls = append(urls, testserver.StartStore(b, st, nil, nil).URL)
					}
				}
				runLoad(b, urls, n, limit)
			})
		}
	}
}

const (
	loadItems     = 200 // items per account at the start
	loadPerAcct   = 5   // clients per account
	loadOpTimeout = 30 * time.Second
)

// loadKinds are the operations of the mix, with their weights.
var loadKinds = []struct {
	name   string
	weight int
}{{"sync", 40}, {"fullsync", 5}, {"history", 30}, {"create", 10}, {"edit", 15}}

type loadClient struct {
	s       *client.Session
	profile client.Profile
	key     []byte
	local   client.LocalSession
	url     string
	own     []*client.Item // items this client created: only it edits them
	vault   string
	writing *sync.Mutex // one write at a time per account (below)
}

func runLoad(b *testing.B, urls []string, n int, limit time.Duration) {
	// Accounts, their items, and the devices (not timed).
	clients := make([]*loadClient, n)
	for a := 0; a*loadPerAcct < n; a++ {
		s, err := client.Signup(ctx, urls[0], fmt.Sprintf("load%d@example.com", a), "Load", []byte("load password"), client.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Sync(ctx); err != nil {
			b.Fatal(err)
		}
		v, _ := s.PersonalVault()
		fill(b, s, v.ID, loadItems)
		key, ls, err := s.ExportLocal()
		if err != nil {
			b.Fatal(err)
		}
		writing := &sync.Mutex{}
		for i := a * loadPerAcct; i < min(n, (a+1)*loadPerAcct); i++ {
			p := *s.Profile
			p.Server = urls[i%len(urls)]
			clients[i] = &loadClient{profile: p, key: key, local: ls, url: p.Server, vault: v.ID, writing: writing}
			if clients[i].s, err = p.ResumeLocal(key, ls, client.Options{}); err != nil {
				b.Fatal(err)
			}
			if err := clients[i].s.Sync(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	// The live connections: one watcher per client, on its own device.
	wctx, stopWatch := context.WithCancel(ctx)
	var watchers sync.WaitGroup
	var reconnects, watchErrs atomic.Int64
	for _, c := range clients {
		w, err := c.profile.ResumeLocal(c.key, c.local, client.Options{})
		if err != nil {
			b.Fatal(err)
		}
		connected := make(chan struct{})
		var once sync.Once
		watchers.Add(1)
		go func() {
			defer watchers.Done()
			err := w.Watch(wctx, client.WatchOptions{OnConnect: func(int64) {
				first := false
				once.Do(func() { first = true; close(connected) })
				if !first {
					reconnects.Add(1)
				}
			}}, func(client.Change) {})
			if err != nil && !errors.Is(err, context.Canceled) && wctx.Err() == nil {
				watchErrs.Add(1)
				b.Errorf("watch: %v", err)
			}
		}()
		select {
		case <-connected:
		case <-time.After(loadOpTimeout):
			b.Fatal("a live connection did not open")
		}
	}

	total := 0
	for _, k := range loadKinds {
		total += k.weight
	}
	var next atomic.Int64
	var failed atomic.Int64
	lat := make([][][]time.Duration, n) // per client, per kind
	deadline := time.Now().Add(limit)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i, c := range clients {
		lat[i] = make([][]time.Duration, len(loadKinds))
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 28))
			for next.Add(1) <= int64(b.N) && time.Now().Before(deadline) && failed.Load() == 0 {
				r, k := rng.IntN(total), 0
				for r >= loadKinds[k].weight {
					r -= loadKinds[k].weight
					k++
				}
				kind := loadKinds[k].name
				if kind == "create" || kind == "edit" {
					c.writing.Lock()
				}
				octx, cancel := context.WithTimeout(ctx, loadOpTimeout)
				t0 := time.Now()
				err := c.op(octx, kind, rng)
				d := time.Since(t0)
				cancel()
				if kind == "create" || kind == "edit" {
					c.writing.Unlock()
				}
				if err != nil {
					failed.Add(1)
					b.Errorf("client %d %s: %v", i, loadKinds[k].name, err)
					return
				}
				lat[i][k] = append(lat[i][k], d)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	stopWatch()
	watchers.Wait()
	if reconnects.Load() > 0 {
		b.Errorf("%d live connections had to reconnect", reconnects.Load())
	}
	var all []time.Duration
	for k, kind := range loadKinds {
		var ds []time.Duration
		for i := range lat {
			ds = append(ds, lat[i][k]...)
		}
		all = append(all, ds...)
		if len(ds) > 0 {
			b.ReportMetric(ms(pct(ds, 0.99)), kind.name+"-p99-ms")
		}
	}
	if len(all) == 0 {
		b.Fatal("no operation completed")
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "ops/s")
	b.ReportMetric(ms(pct(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(pct(all, 0.99)), "p99-ms")
	b.ReportMetric(float64(len(all)), "ops")
	b.ReportMetric(float64(failed.Load()+watchErrs.Load()+reconnects.Load()), "errors")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// pct is the q-quantile of ds (sorted in place).
func pct(ds []time.Duration, q float64) time.Duration {
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// op runs one operation of the mix.
func (c *loadClient) op(ctx context.Context, kind string, rng *rand.Rand) error {
	switch kind {
	case "sync":
		return c.s.Sync(ctx)
	case "fullsync":
		// A new device: a session without a cache syncs everything.
		s, err := c.profile.ResumeLocal(c.key, c.local, client.Options{})
		if err != nil {
			return err
		}
		return s.Sync(ctx)
	case "history":
		items, err := c.s.Items(false)
		if err != nil || len(items) == 0 {
			return fmt.Errorf("items: %d, %v", len(items), err)
		}
		vs, err := c.s.History(ctx, items[rng.IntN(len(items))])
		if err == nil && len(vs) == 0 {
			err = errors.New("an empty history")
		}
		return err
	case "create":
		it, err := c.s.CreateItem(ctx, c.vault, "login", benchContent(rng.IntN(1e6)))
		if err == nil {
			c.own = append(c.own, it)
		}
		return err
	case "edit":
		if len(c.own) == 0 {
			return c.op(ctx, "create", rng)
		}
		j := rng.IntN(len(c.own))
		it, err := c.s.UpdateItem(ctx, c.own[j], benchContent(rng.IntN(1e6)))
		if err == nil {
			c.own[j] = it
		}
		return err
	}
	return fmt.Errorf("unknown operation %q", kind)
}
