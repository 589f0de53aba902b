package main_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/testproxy"
)

// Crash safety (issue 28, docs/security.md 28.6): writers drive a real
// coffer serve through the client core while the test kills the server
// with SIGKILL at points a seeded RNG picks and starts it again on the same
// data; a ledger keeps every write the server acknowledged (2xx). At the
// end a fresh device logs in and syncs — every signature, chain and
// manifest verifies, nothing is quarantined — and every acknowledged
// revision is there with the content it was acknowledged with.

// ackedWrite is one write the server acknowledged.
type ackedWrite struct {
	item    string
	rev     uint64
	vault   string
	hash    string // of the content's name and notes
	writer  int
	kind    string // create, edit, move
	attempt int
}

// ledger records acknowledged writes; acked is signalled on each.
type ledger struct {
	mu     sync.Mutex
	writes []ackedWrite
	n      atomic.Int64
	acked  chan struct{} // one token per ack, never blocks the writer
}

func newLedger() *ledger { return &ledger{acked: make(chan struct{}, 1<<16)} }

func (l *ledger) ack(w ackedWrite) {
	l.mu.Lock()
	l.writes = append(l.writes, w)
	l.mu.Unlock()
	l.n.Add(1)
	select {
	case l.acked <- struct{}{}:
	default:
	}
}

// waitAcks waits for n more acknowledgements; the guard only turns a hang
// into a failure.
func (l *ledger) waitAcks(t *testing.T, n int, guard time.Duration, seed uint64) {
	t.Helper()
	deadline := time.After(guard)
	for i := 0; i < n; i++ {
		select {
		case <-l.acked:
		case <-deadline:
			t.Fatalf("seed %d: no acknowledged write for %s (%d acks so far)", seed, guard, l.n.Load())
		}
	}
}

func contentHash(c client.Content) string {
	h := sha256.Sum256([]byte(c.Name + "\x00" + c.Notes))
	return hex.EncodeToString(h[:8])
}

// crashRig is one coffer serve that the test kills and restarts on the
// same data at the same address.
type crashRig struct {
	t      *testing.T
	data   string
	extra  []string
	url    string
	sqlite bool // the database is SQLite in data

	mu  sync.Mutex
	srv *serverProc
	up  chan struct{} // closed while a server is listening
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func newCrashRig(t *testing.T, extra ...string) *crashRig {
	addr := freeAddr(t)
	r := &crashRig{t: t, data: t.TempDir(), extra: append(extra, "--addr", addr), url: "http://" + addr, sqlite: len(extra) == 0}
	r.up = make(chan struct{})
	r.start()
	return r
}

func (r *crashRig) start() {
	srv := startServerIn(r.t, r.data, r.extra...)
	if srv.url != r.url {
		r.t.Fatalf("server listens on %s, want %s", srv.url, r.url)
	}
	r.mu.Lock()
	r.srv = srv
	close(r.up)
	r.mu.Unlock()
}

// kill stops the server with SIGKILL: no shutdown, no flush, no goodbye.
func (r *crashRig) kill() {
	r.mu.Lock()
	r.up = make(chan struct{}) // before the kill: a writer that fails from now on waits for the restart
	srv := r.srv
	r.mu.Unlock()
	srv.cmd.Process.Kill()
	srv.cmd.Wait()
}

// waitUp returns once a server is listening (at once if one is), or when
// stop closes.
func (r *crashRig) waitUp(stop <-chan struct{}) {
	r.mu.Lock()
	up := r.up
	r.mu.Unlock()
	select {
	case <-up:
	case <-stop:
	}
}

// crashWriter is one device of the account writing its own items.
type crashWriter struct {
	id    int
	s     *client.Session
	rng   *mrand.Rand
	items map[string]*client.Item // its items, by id, at the head it knows
	order []string
	seq   int
	vault string   // its personal vault
	org   []string // organisation vaults it may move items into (the mover)
}

func (w *crashWriter) step(ctx context.Context, l *ledger) error {
	w.seq++
	c := client.Content{Name: fmt.Sprintf("w%d item %d", w.id, w.seq), Notes: fmt.Sprintf("w%d write %d %x", w.id, w.seq, w.rng.Uint64())}
	var (
		it   *client.Item
		err  error
		kind string
	)
	switch op := w.rng.IntN(10); {
	case len(w.order) < 3 || op < 4:
		kind = "create"
		it, err = w.s.CreateItem(ctx, w.vault, "note", c)
	case len(w.org) > 0 && op < 7:
		kind = "move"
		base := w.items[w.order[w.rng.IntN(len(w.order))]]
		to := w.org[0]
		if base.VaultID == to {
			to = w.vault
		}
		it, err = w.s.MoveItem(ctx, base, to)
	default:
		kind = "edit"
		base := w.items[w.order[w.rng.IntN(len(w.order))]]
		c.Name = base.Content.Name
		it, err = w.s.UpdateItem(ctx, base, c)
	}
	if err != nil {
		return err
	}
	if _, ok := w.items[it.ID]; !ok {
		w.order = append(w.order, it.ID)
	}
	w.items[it.ID] = it
	l.ack(ackedWrite{item: it.ID, rev: it.Revision, vault: it.VaultID, hash: contentHash(it.Content), writer: w.id, kind: kind})
	return nil
}

// resync takes the heads after a write whose answer may have been lost:
// it may or may not have been done.
func (w *crashWriter) resync(ctx context.Context) error {
	if err := w.s.Sync(ctx); err != nil {
		return err
	}
	items, err := w.s.Items(false)
	if err != nil {
		return err
	}
	for _, it := range items {
		if _, ok := w.items[it.ID]; ok {
			w.items[it.ID] = it
		}
	}
	return nil
}

// expected reports errors a crash or a lost database connection explains:
// no answer, 502–504, or a conflict with a write whose answer was lost.
func expected(err error) bool {
	var ae *client.APIError
	var ce *client.ConflictError
	return errors.Is(err, client.ErrUnreachable) || errors.As(err, &ce) ||
		(errors.As(err, &ae) && ae.Status >= 502 && ae.Status <= 504)
}

type crashConfig struct {
	writers int
	kills   int
	// terminate, if set, is called once half way instead of a kill:
	// PostgreSQL's backends of the test's database are terminated.
	terminate func()
}

type crashResult struct {
	acks, kills, midWrite, terminated, errs int
	elapsed                                 time.Duration
}

func crashSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("COFFER_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seed = v
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("crash test seed %d (run again with COFFER_CRASH_SEED=%d)", seed, seed)
		}
	})
	return seed
}

// crashLoad is an account with devices writing until stopped.
type crashLoad struct {
	t     *testing.T
	r     *crashRig
	seed  uint64
	email string
	l     *ledger
	stop  chan struct{}
	wg    sync.WaitGroup

	mu          sync.Mutex
	failures    []string
	unavailable *client.APIError // the first 503 a writer got, if any
	got503      chan struct{}    // closed with it

	errs, inFlight atomic.Int64
	// started has a token for each write a writer begins (never blocks):
	// the kill points are counted in them.
	started chan struct{}
	// refused has a token for each failed write (never blocks): an outage
	// lasts a number of them.
	refused chan struct{}
}

// startCrashLoad signs up one account with an organisation vault, logs
// writers devices in and lets them write: creates, edits and (the first)
// moves between its personal vault and the organisation's.
func startCrashLoad(t *testing.T, r *crashRig, writers int, seed uint64) *crashLoad {
	ctx := context.Background()
	c := &crashLoad{t: t, r: r, seed: seed, email: "crash@example.com", l: newLedger(), stop: make(chan struct{}), got503: make(chan struct{}), started: make(chan struct{}, 1<<10), refused: make(chan struct{}, 1<<14)}
	owner, err := client.Signup(ctx, r.url, c.email, "Crash", []byte(masterPW), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	org, err := owner.CreateOrg(ctx, "Crash Org")
	if err != nil {
		t.Fatal(err)
	}
	ov, err := owner.CreateVault(ctx, org.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	ws := make([]*crashWriter, writers)
	for i := range ws {
		s := owner
		if i > 0 {
			if s, err = client.Login(ctx, r.url, c.email, []byte(masterPW), client.Options{Description: fmt.Sprintf("writer %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		pv, err := s.PersonalVault()
		if err != nil {
			t.Fatal(err)
		}
		ws[i] = &crashWriter{id: i, s: s, rng: mrand.New(mrand.NewPCG(seed, uint64(i+1))), items: map[string]*client.Item{}, vault: pv.ID}
	}
	ws[0].org = []string{ov.ID}
	for _, w := range ws {
		c.wg.Add(1)
		go c.write(ctx, w)
	}
	return c
}

func (c *crashLoad) fail(format string, a ...any) {
	c.mu.Lock()
	c.failures = append(c.failures, fmt.Sprintf(format, a...))
	c.mu.Unlock()
}

// write is one writer's loop. After a failed write it syncs to learn
// whether the write was done; an error that neither a crash nor a lost
// database explains fails the test (at once if it is a verification
// failure).
// waitStarts drains the writes begun so far and waits for n more to
// begin; the guard only turns a hang into a failure.
func (c *crashLoad) waitStarts(t *testing.T, n int) {
	t.Helper()
	for len(c.started) > 0 {
		<-c.started
	}
	guard := time.After(60 * time.Second)
	for range n {
		select {
		case <-c.started:
		case <-guard:
			t.Fatalf("seed %d: no write began for 60 s", c.seed)
		}
	}
}

func (c *crashLoad) write(ctx context.Context, w *crashWriter) {
	defer c.wg.Done()
	needSync := false
	strikes := 0 // consecutive unexplained failures
	for {
		select {
		case <-c.stop:
			return
		default:
		}
		var err error
		c.inFlight.Add(1)
		select {
		case c.started <- struct{}{}:
		default:
		}
		if needSync {
			err = w.resync(ctx)
		} else {
			err = w.step(ctx, c.l)
		}
		c.inFlight.Add(-1)
		if err == nil {
			needSync, strikes = false, 0
			continue
		}
		c.errs.Add(1)
		select {
		case c.refused <- struct{}{}:
		default:
		}
		if errors.Is(err, client.ErrTampered) {
			c.fail("writer %d: %v", w.id, err)
			return
		}
		var ae *client.APIError
		if errors.As(err, &ae) && ae.Status == 503 {
			c.mu.Lock()
			if c.unavailable == nil {
				c.unavailable = ae
				close(c.got503)
			}
			c.mu.Unlock()
		}
		needSync = true
		if !expected(err) {
			if strikes++; strikes > 20 {
				c.fail("writer %d: %v", w.id, err)
				return
			}
		}
		c.r.waitUp(c.stop)
		if !errors.Is(err, client.ErrUnreachable) {
			// The server is up but could not do it (its database is
			// away): try again a little later, as Retry-After says.
			select {
			case <-c.stop:
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// finish waits for one more acknowledged write (the writers got through
// whatever came last), stops the writers and returns the number of
// acknowledged writes and of failed attempts.
func (c *crashLoad) finish() (acks, errs int) {
	c.t.Helper()
	c.l.waitAcks(c.t, 1, 60*time.Second, c.seed)
	close(c.stop)
	c.wg.Wait()
	if len(c.failures) > 0 {
		c.t.Fatalf("seed %d: %v", c.seed, c.failures)
	}
	return int(c.l.n.Load()), int(c.errs.Load())
}

// runCrashLoad lets cfg.writers devices write while the server is killed
// cfg.kills times; it then kills it once more, checks the database (SQLite)
// and the ledger with a fresh device.
func runCrashLoad(t *testing.T, r *crashRig, cfg crashConfig, seed uint64) crashResult {
	start := time.Now()
	rng := mrand.New(mrand.NewPCG(seed, 0x28_6))
	c := startCrashLoad(t, r, cfg.writers, seed)
	res := crashResult{}
	terminateAt := -1
	if cfg.terminate != nil {
		terminateAt = cfg.kills / 2
	}
	for i := 0; i < cfg.kills; i++ {
		// A random point: after 1–8 more acknowledged writes, as the
		// 1st–4th write begun after them is on its way.
		c.l.waitAcks(t, 1+rng.IntN(8), 60*time.Second, seed)
		c.waitStarts(t, 1+rng.IntN(4))
		if i == terminateAt {
			cfg.terminate()
			res.terminated++
			continue
		}
		if c.inFlight.Load() > 0 {
			res.midWrite++
		}
		r.kill()
		res.kills++
		r.start()
	}
	if res.kills > 0 && res.midWrite == 0 {
		t.Fatalf("seed %d: no kill came while a writer was at work", seed)
	}
	res.acks, res.errs = c.finish()

	// The last crash: the database as SIGKILL left it.
	r.kill()
	res.kills++
	if r.sqlite {
		checkSQLiteIntegrity(t, filepath.Join(r.data, "coffer.db"))
	}
	r.start()
	verifyLedger(t, r.url, c.email, c.l, seed)
	res.elapsed = time.Since(start)
	return res
}

func checkSQLiteIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check after SIGKILL: %q, %v", ok, err)
	}
}

// verifyLedger logs a fresh device in and checks that every acknowledged
// write is there: each item's verified history holds each acknowledged
// revision with the content and vault it was acknowledged with.
func verifyLedger(t *testing.T, serverURL, email string, l *ledger, seed uint64) {
	t.Helper()
	ctx := context.Background()
	s, err := client.Login(ctx, serverURL, email, []byte(masterPW), client.Options{Description: "fresh device"})
	if err != nil {
		t.Fatalf("seed %d: fresh device: %v", seed, err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatalf("seed %d: fresh device sync: %v", seed, err)
	}
	if q := s.Quarantined(); len(q) > 0 {
		t.Fatalf("seed %d: quarantined after the crashes: %+v", seed, q)
	}
	items, err := s.Items(false)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*client.Item{}
	for _, it := range items {
		byID[it.ID] = it
	}
	want := map[string][]ackedWrite{}
	l.mu.Lock()
	for _, w := range l.writes {
		want[w.item] = append(want[w.item], w)
	}
	l.mu.Unlock()
	for id, ws := range want {
		it, ok := byID[id]
		if !ok {
			t.Fatalf("seed %d: acknowledged item %s (%s by writer %d) is gone", seed, id, ws[0].kind, ws[0].writer)
		}
		hist, err := s.History(ctx, it)
		if err != nil {
			t.Fatalf("seed %d: history of %s: %v", seed, id, err)
		}
		for _, w := range ws {
			if w.rev > uint64(len(hist)) {
				t.Fatalf("seed %d: item %s has %d revisions; revision %d (%s) was acknowledged", seed, id, len(hist), w.rev, w.kind)
			}
			v := hist[w.rev-1]
			if contentHash(v.Content) != w.hash || v.VaultID != w.vault {
				t.Fatalf("seed %d: item %s revision %d is not the acknowledged %s (content %s vault %s, want %s %s)", seed, id, w.rev, w.kind, contentHash(v.Content), v.VaultID, w.hash, w.vault)
			}
		}
	}
}

func crashKills(t *testing.T, full int) int {
	if testing.Short() {
		return full / 4
	}
	return full
}

// TestCrashSafetySQLite: 4 devices create, edit and move items while the
// server is killed with SIGKILL 30 times (7 with -short); no acknowledged
// write is lost, everything verifies, and integrity_check is ok.
func TestCrashSafetySQLite(t *testing.T) {
	seed := crashSeed(t)
	r := newCrashRig(t)
	res := runCrashLoad(t, r, crashConfig{writers: 4, kills: crashKills(t, 30)}, seed)
	t.Logf("seed %d: %d kills (%d with writes in flight), %d acknowledged writes, %d failed attempts (all explained), all verified, in %s", seed, res.kills, res.midWrite, res.acks, res.errs, res.elapsed.Round(time.Millisecond))
}

// crashDatabase makes a PostgreSQL database of the test's own (so that
// terminating its backends touches no other test) and drops it at the end.
func crashDatabase(t *testing.T) (dbURL, name string, admin *sql.DB) {
	pgtest.URL(t) // skips (or fails in CI) without PostgreSQL
	base, err := url.Parse(pgtest.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	admin, err = sql.Open("pgx", base.String())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name = "coffer_crash_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	base.Path = "/" + name
	return base.String(), name, admin
}

// TestCrashSafetyPostgres is TestCrashSafetySQLite on PostgreSQL, where
// once in the middle every backend of the test's database is terminated
// (pg_terminate_backend: the stand-in for a PostgreSQL restart, which a
// test cannot do to a shared server).
func TestCrashSafetyPostgres(t *testing.T) {
	seed := crashSeed(t)
	dbURL, name, admin := crashDatabase(t)
	r := newCrashRig(t, "--database", dbURL)
	terminated := 0
	res := runCrashLoad(t, r, crashConfig{writers: 4, kills: crashKills(t, 30) + 1, terminate: func() {
		if err := admin.QueryRow(`SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) t`, name).Scan(&terminated); err != nil {
			t.Fatal(err)
		}
	}}, seed)
	if terminated == 0 {
		t.Fatal("no PostgreSQL backend was terminated")
	}
	t.Logf("seed %d: %d kills (%d with writes in flight), %d backends terminated once, %d acknowledged writes, %d failed attempts (all explained), all verified, in %s", seed, res.kills, res.midWrite, terminated, res.acks, res.errs, res.elapsed.Round(time.Millisecond))
}

// TestCrashSafetyPostgresOutage: PostgreSQL becomes unreachable (a proxy
// between coffer serve and PostgreSQL stops until the writers have been
// refused 1,500 times, about 20 s here, long enough for every pooled
// connection's health check and reconnect to fail over and over; 200 with
// -short) while devices write. Requests get 503 "unavailable" with
// Retry-After and a clear message, quickly (not 500, not a hang), nothing
// half-written shows up (the ledger verifies) and the same server serves
// again once the database is back.
func TestCrashSafetyPostgresOutage(t *testing.T) {
	seed := crashSeed(t)
	dbURL, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := testproxy.New(t, dbURL.Host)
	dbURL.Host = proxy.Addr
	q := dbURL.Query()
	q.Set("connect_timeout", "2")
	dbURL.RawQuery = q.Encode()
	r := newCrashRig(t, "--database", dbURL.String())
	start := time.Now()
	c := startCrashLoad(t, r, 4, seed)
	rng := mrand.New(mrand.NewPCG(seed, 0x28_6))
	c.l.waitAcks(t, 10+rng.IntN(20), 60*time.Second, seed)

	proxy.Stop()
	outage := time.Now()
	// A request that needs the database, while it is away.
	body := strings.NewReader(`{"email":"` + c.email + `"}`)
	hc := &http.Client{Timeout: 30 * time.Second}
	resp, err := hc.Post(r.url+"/api/v1/prelogin", "application/json", body)
	if err != nil {
		t.Fatalf("prelogin during the outage: %v", err)
	}
	var e api.Error
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	took := time.Since(outage)
	if resp.StatusCode != http.StatusServiceUnavailable || e.Code != api.CodeUnavailable || !strings.Contains(e.Error, "database is unavailable") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("prelogin during the outage: %d %+v, Retry-After %q; want 503 unavailable, a message naming the database and Retry-After", resp.StatusCode, e, resp.Header.Get("Retry-After"))
	}
	if took > 10*time.Second {
		t.Fatalf("the 503 took %s", took)
	}
	if resp, err := hc.Get(r.url + "/healthz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz during the outage: %v %v", resp, err)
	}
	// The writers meet it too: acknowledged writes stop.
	acksBefore := c.l.n.Load()
	select {
	case <-c.got503:
	case <-time.After(20 * time.Second):
		t.Fatal("no writer got a 503 during the outage")
	}
	c.mu.Lock()
	if ae := c.unavailable; ae.Code != api.CodeUnavailable || !strings.Contains(ae.Message, "database is unavailable") {
		t.Fatalf("a writer got %+v during the outage", ae)
	}
	c.mu.Unlock()
	// The outage lasts until the writers have been refused this many
	// times more (about 20 s here; 200 with -short, a few seconds): the
	// database stays away through many of every writer's tries.
	outageFor := 1500
	if testing.Short() {
		outageFor = 200
	}
	guard := time.After(3 * time.Minute)
	for range outageFor {
		select {
		case <-c.refused:
		case <-guard:
			t.Fatalf("seed %d: the writers stopped trying during the outage", seed)
		}
	}
	lasted := time.Since(outage)
	proxy.Start()
	back := time.Now()
	acks, errs := c.finish() // an acknowledged write after the outage: recovered
	recovered := time.Since(back)
	if resp, err := hc.Get(r.url + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz after the outage: %v %v", resp, err)
	}
	verifyLedger(t, r.url, c.email, c.l, seed)
	t.Logf("seed %d: a %s outage (%d refused writes), 503 in %s, %d acknowledged writes (%d before the outage), %d failed attempts, a write acknowledged %s after the database came back, all verified, in %s",
		seed, lasted.Round(100*time.Millisecond), outageFor, took.Round(100*time.Microsecond), acks, acksBefore, errs, recovered.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
