package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/server"
)

// serveObs is how coffer serve is observed: its log format and level and
// the metrics listener (docs/deployment.md, Monitoring).
type serveObs struct {
	metricsAddr string // --metrics-addr, env COFFER_METRICS_ADDR; empty: no metrics
	logFormat   string // --log-format, env COFFER_LOG_FORMAT: text (default) or json
	logLevel    string // --log-level, env COFFER_LOG_LEVEL: debug, info (default), warn or error
	// shutdownTimeout is how long requests in flight may take to finish
	// after SIGTERM or SIGINT (--shutdown-timeout).
	shutdownTimeout time.Duration
}

// logger is the server's logger on w, as the flags (or the environment)
// say.
func (o *serveObs) logger(w io.Writer) (*slog.Logger, error) {
	format := pickEnv(o.logFormat, "COFFER_LOG_FORMAT", "text")
	var level slog.Level
	switch l := pickEnv(o.logLevel, "COFFER_LOG_LEVEL", "info"); l {
	case "debug", "info", "warn", "error":
		level.UnmarshalText([]byte(l))
	default:
		return nil, usageError("--log-level %q: the levels are debug, info, warn and error", l)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError("--log-format %q: the formats are text and json", format)
}

// startMetrics serves the server's metrics (and /livez, /readyz) on their
// own listener, if one is configured: never on the public one. stop ends
// it.
func (a *app) startMetrics(o *serveObs, srv *server.Server, log *slog.Logger) (stop func(), err error) {
	addr := pickEnv(o.metricsAddr, "COFFER_METRICS_ADDR", "")
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s for metrics: %w", addr, err)
	}
	hs := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	fmt.Fprintf(a.stdout, "Metrics on http://%s/metrics\n", ln.Addr())
	return func() { hs.Close() }, nil
}

// pickEnv is the flag's value, else the environment's, else def.
func pickEnv(flag, env, def string) string {
	if v := strings.TrimSpace(flag); v != "" {
		return v
	}
	if v := strings.TrimSpace(os.Getenv(env)); v != "" {
		return v
	}
	return def
}
