package main_test

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWebAppCoreNeverStops (issue 24, defect 1): web/e2e/stress.mjs —
// what the report did, again and again: one account open in three tabs of
// one browser, its master password changed in one of them, the server
// restarted under every open live stream, log-ins from new browser
// contexts at the same time, lock and unlock, edits flowing meanwhile, and
// the bridge called as a page that mounts calls it (status, then watch)
// while another tab's edits keep the session syncing and writing its
// device cache. No tab's client core may ever stop ("exit code: 2",
// "Go program has already exited"), hang, or lose My Vault; a bridge
// call that fails inside answers an error of kind "internal" instead.
func TestWebAppCoreNeverStops(t *testing.T) {
	webTools(t) // before the setup: skip (or, in CI, fail) early
	srv := newRestartable(t)
	ctl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/restart" {
			http.NotFound(w, r)
			return
		}
		if err := srv.restart(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte("restarted\n"))
	}))
	defer ctl.Close()
	runScenario(t, "stress.mjs", srv.url, "RESTART_URL="+ctl.URL+"/restart")
}

// restartable is a `coffer serve` that can be stopped and started again
// on the same address and data directory, as an operator restarts it.
type restartable struct {
	t    *testing.T
	mu   sync.Mutex
	data string
	addr string // host:port, fixed after the first start
	url  string
	cmd  *exec.Cmd
	errs *bytes.Buffer
	logs []string // every stopped instance's stderr, checked for a panic
}

var listeningRe = regexp.MustCompile(`listening on (http://(127\.0\.0\.1:\d+))`)

func newRestartable(t *testing.T) *restartable {
	r := &restartable{t: t, data: t.TempDir(), addr: "127.0.0.1:0"}
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.stop()
		for _, l := range r.logs {
			if strings.Contains(l, "panic") {
				t.Errorf("server log has a panic:\n%s", l)
			}
		}
	})
	return r
}

// start runs the server and waits until it listens. The caller holds mu
// (or is the constructor).
func (r *restartable) start() error {
	cmd := exec.Command(cofferBin, "serve", "--addr", r.addr, "--data", r.data)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	r.errs = &bytes.Buffer{}
	cmd.Stderr = r.errs
	if err := cmd.Start(); err != nil {
		return err
	}
	found := make(chan []string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if m := listeningRe.FindStringSubmatch(lines.Text()); m != nil {
				found <- m
				break
			}
		}
		for lines.Scan() { // keep draining
		}
	}()
	select {
	case m := <-found:
		r.cmd, r.url, r.addr = cmd, m[1], m[2]
		return nil
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return &startError{r.errs.String()}
	}
}

type startError struct{ stderr string }

func (e *startError) Error() string { return "the server did not start; stderr:\n" + e.stderr }

// stop interrupts the server and waits for it. The caller holds mu.
func (r *restartable) stop() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-done
	}
	r.logs = append(r.logs, r.errs.String())
	r.cmd = nil
}

// restart stops the server and starts it again on its address.
func (r *restartable) restart() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stop()
	var err error
	// The port was just released; a start that loses it to another
	// process fails and is tried again (bounded).
	for try := 0; try < 5; try++ {
		if err = r.start(); err == nil {
			return nil
		}
	}
	return err
}
