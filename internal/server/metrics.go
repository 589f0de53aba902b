package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of the
// server's own (never the global default one), served only by
// MetricsHandler on a listener of its own (coffer serve --metrics-addr).
//
// No label carries an id, an e-mail address, a token or anything else a
// request says: only route patterns (the ServeMux's, e.g.
// "GET /api/v1/items/{id}"), methods from a fixed list, status codes and
// fixed reason words. docs/deployment.md lists every metric.
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec   // route, method, code
	duration      *prometheus.HistogramVec // route
	liveEvents    prometheus.Counter
	liveResyncs   prometheus.Counter
	syncBytes     prometheus.Histogram
	loginFailures *prometheus.CounterVec // reason
	rateLimited   *prometheus.CounterVec // reason
	hashWait      prometheus.Histogram
	hashRefused   *prometheus.CounterVec // reason
	txDuration    *prometheus.HistogramVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "coffer_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern (a live stream counts its whole life).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		liveEvents: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coffer_live_events_sent_total",
			Help: "Events sent to live streams (one per event and stream).",
		}),
		liveResyncs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coffer_live_resyncs_total",
			Help: "Live streams told to start over from a full sync (too far behind).",
		}),
		syncBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "coffer_sync_response_bytes",
			Help:    "Size of complete sync answers in bytes.",
			Buckets: prometheus.ExponentialBuckets(1024, 4, 10), // 1 KiB … 256 MiB
		}),
		loginFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_login_failures_total",
			Help: "Failed log-in checks, by reason: password (wrong e-mail address or master password) or second_factor (wrong code).",
		}, []string{"reason"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_rate_limited_total",
			Help: "Requests refused with 429, by the limit that refused them.",
		}, []string{"reason"}),
		hashWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "coffer_hash_wait_seconds",
			Help:    "Time log-ins and sign-ups waited for a hash slot (those granted one).",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		hashRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coffer_hash_refusals_total",
			Help: "Log-ins and sign-ups the hash gate refused, by reason: network_busy (429), queue_full or waited_too_long (503).",
		}, []string{"reason"}),
		txDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "coffer_db_transaction_duration_seconds",
			Help:    "Database transactions from begin to commit or rollback, by kind (read or write).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"kind"}),
	}
	m.reg.MustRegister(
		m.requests, m.duration, m.liveEvents, m.liveResyncs, m.syncBytes, m.loginFailures,
		m.rateLimited, m.hashWait, m.hashRefused, m.txDuration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		stateCollector{s},
	)
	// Zero series for the fixed reasons, so that a rate() has a start.
	for _, r := range []string{"password", "second_factor"} {
		m.loginFailures.WithLabelValues(r)
	}
	for _, r := range []string{"network_busy", "queue_full", "waited_too_long"} {
		m.hashRefused.WithLabelValues(r)
	}
	for _, k := range []string{"read", "write"} {
		m.txDuration.WithLabelValues(k)
	}
	return m
}

// observeRequest counts one answered request.
func (m *metrics) observeRequest(route, method string, status int, d time.Duration, limit string) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
	if status == http.StatusTooManyRequests {
		if limit == "" {
			limit = "other"
		}
		m.rateLimited.WithLabelValues(limit).Inc()
	}
}

// stateCollector reports, at each scrape, what the server holds now:
// live connections, the hash gate, the store's connection pools and the
// key rotations owed.
type stateCollector struct{ s *Server }

var (
	descLive        = prometheus.NewDesc("coffer_live_connections", "Open live event streams.", nil, nil)
	descHashRunning = prometheus.NewDesc("coffer_hash_running", "Log-in and sign-up hashes running now.", nil, nil)
	descHashWaiting = prometheus.NewDesc("coffer_hash_waiting", "Log-ins and sign-ups waiting for a hash slot now.", nil, nil)
	descPoolMax     = prometheus.NewDesc("coffer_db_pool_max_open", "Most connections the pool opens (0: no limit).", []string{"pool"}, nil)
	descPoolOpen    = prometheus.NewDesc("coffer_db_pool_open", "Connections of the pool open now, in use or idle.", []string{"pool"}, nil)
	descPoolInUse   = prometheus.NewDesc("coffer_db_pool_in_use", "Connections of the pool in use now.", []string{"pool"}, nil)
	descPoolWaits   = prometheus.NewDesc("coffer_db_pool_waits_total", "Times a caller waited for a connection of the pool.", []string{"pool"}, nil)
	descPoolWaited  = prometheus.NewDesc("coffer_db_pool_wait_seconds_total", "Time callers waited for connections of the pool.", []string{"pool"}, nil)
	descRotations   = prometheus.NewDesc("coffer_pending_key_rotations", "Key rotations owed after a loss of access, across all organisations.", nil, nil)
)

func (c stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLive, descHashRunning, descHashWaiting, descPoolMax, descPoolOpen, descPoolInUse, descPoolWaits, descPoolWaited, descRotations} {
		ch <- d
	}
}

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	ch <- prometheus.MustNewConstMetric(descLive, prometheus.GaugeValue, float64(s.hub.count()))
	running, waiting, _ := s.hashes.state()
	ch <- prometheus.MustNewConstMetric(descHashRunning, prometheus.GaugeValue, float64(running))
	ch <- prometheus.MustNewConstMetric(descHashWaiting, prometheus.GaugeValue, float64(waiting))
	for _, p := range s.store.Pools() {
		ch <- prometheus.MustNewConstMetric(descPoolMax, prometheus.GaugeValue, float64(p.MaxOpen), p.Name)
		ch <- prometheus.MustNewConstMetric(descPoolOpen, prometheus.GaugeValue, float64(p.Open), p.Name)
		ch <- prometheus.MustNewConstMetric(descPoolInUse, prometheus.GaugeValue, float64(p.InUse), p.Name)
		ch <- prometheus.MustNewConstMetric(descPoolWaits, prometheus.CounterValue, float64(p.WaitCount), p.Name)
		ch <- prometheus.MustNewConstMetric(descPoolWaited, prometheus.CounterValue, p.WaitDuration.Seconds(), p.Name)
	}
	ctx, cancel := context.WithTimeout(s.base, 2*time.Second)
	defer cancel()
	n, err := s.store.CountPendingRotations(ctx)
	if err != nil {
		// Left out of this scrape: a gap, never a wrong zero.
		s.log.Warn("metrics: counting pending key rotations", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(descRotations, prometheus.GaugeValue, float64(n))
}

// MetricsHandler serves the server's metrics at /metrics in the
// Prometheus text format, and /livez and /readyz: the handler of the
// metrics listener (coffer serve --metrics-addr), never of the public one.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/livez", s.livez)
	mux.HandleFunc("/readyz", s.readyz)
	return mux
}

// methodLabel is the method as a label: one of the standard ones, else
// OTHER (a request may carry any method; a label must not).
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// routeLabel is the ServeMux pattern that served a request, or
// "unmatched" (a 405, or a request the mux refused before routing).
func routeLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	return pattern
}
