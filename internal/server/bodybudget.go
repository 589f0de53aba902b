package server

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
)

// bodyBudget bounds the request bytes the server holds in memory at once:
// a JSON body is read whole (to check its UTF-8 before decoding) and a file
// chunk too, so without a bound one account sending many large bodies at
// once could make the server hold gigabytes before refusing them.
//
// Bytes are counted as they arrive, not as announced (issue 23, finding
// 5): a request that reserved its whole Content-Length before reading
// held it while its body trickled in, so 32 bodies at 16 bytes a second
// held the whole budget and every write and log-in of everyone was
// refused. Now a body holds only what it has sent — holding memory costs
// the sender that much bandwidth — and bodyReader cuts a body that stops
// arriving at a minimum rate. Each caller (an account, or a client network
// for unauthenticated requests) holds at most perKey bytes; the instance
// at most max, plus a spare reserve only small bodies (log-ins, sign-ups,
// pre-logins, most item writes) may draw on when big ones have taken the
// rest, so that they never wait behind big bodies. A body that does not
// fit is cut at once with 503 or 429 and Retry-After.
type bodyBudget struct {
	mu       sync.Mutex
	total    int64 // bytes held in the main pool
	max      int64
	spare    int64 // bytes held in the reserve of small bodies
	spareMax int64
	perKey   int64
	held     map[string]int64 // per caller, both pools
}

// smallBody is the largest announced body that may draw on the reserve:
// the unauthenticated endpoints' limit (publicBodyLimit).
const smallBody = publicBodyLimit

// newBodyBudgetFor sizes the budget from cfg: by default 128 MiB on the
// instance and 16 MiB per caller, and never less than one largest body;
// the reserve of small bodies is a sixteenth of the instance's budget, at
// least 1 MiB (8 MiB by default: 128 bodies of 64 KiB).
func newBodyBudgetFor(cfg Config) *bodyBudget {
	total, per := cfg.BodyBytesInFlight, cfg.BodyBytesPerCaller
	if total <= 0 {
		total = 128 << 20
	}
	if per <= 0 {
		per = 16 << 20
	}
	floor := max(cfg.MaxBodyBytes, 1<<20+64) // a body, or a file chunk
	total = max(total, floor)
	return newBodyBudget(total, max(total/16, 1<<20), max(per, floor))
}

func newBodyBudget(max, spare, perKey int64) *bodyBudget {
	return &bodyBudget{max: max, spareMax: spare, perKey: perKey, held: map[string]int64{}}
}

// bodyHold is what one request's body holds of the budget.
type bodyHold struct {
	b           *bodyBudget
	key         string
	small       bool
	main, spare int64
}

// grow counts n more bytes of the body, or refuses them.
func (h *bodyHold) grow(n int64) error {
	b := h.b
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.held[h.key]+n > b.perKey:
		return &httpError{http.StatusTooManyRequests, api.CodeRateLimited,
			"too many large requests from you at once; wait for the others to finish", 0}
	case b.total+n <= b.max:
		b.total += n
		h.main += n
	case h.small && b.spare+n <= b.spareMax:
		b.spare += n
		h.spare += n
	default:
		return &httpError{http.StatusServiceUnavailable, api.CodeUnavailable,
			"the server is busy reading other requests; try again in a moment", 0}
	}
	b.held[h.key] += n
	return nil
}

// release gives back everything the body holds; it may be called again.
func (h *bodyHold) release() {
	b := h.b
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total -= h.main
	b.spare -= h.spare
	if b.held[h.key] -= h.main + h.spare; b.held[h.key] <= 0 {
		delete(b.held, h.key)
	}
	h.main, h.spare = 0, 0
}

// heldBytes is what the instance holds, both pools (for tests).
func (b *bodyBudget) heldBytes() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total + b.spare
}

// Defaults of the minimum body rate: a body must bring at least
// BodyMinRate bytes a second, measured over windows of BodyRateWindow
// (or end within one).
const (
	defaultBodyMinRate    = 8 << 10
	defaultBodyRateWindow = 10 * time.Second
)

// readBody reads r's body whole, up to limit bytes: counted against the
// body budget as it arrives and cut if it arrives too slowly. The caller
// calls release once it no longer holds the bytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64) (data []byte, release func(), err error) {
	// Unauthenticated bodies are at most publicBodyLimit (public), so
	// small whatever they announce.
	key, small := "net:"+s.clientNetwork(r), true
	if c, ok := r.Context().Value(ctxKey{}).(*caller); ok {
		key = "user:" + c.session.UserID
		small = limit <= smallBody || r.ContentLength >= 0 && r.ContentLength <= smallBody
	}
	hold := &bodyHold{b: s.bodies, key: key, small: small}
	rate, window := int64(s.cfg.BodyMinRate), s.cfg.BodyRateWindow
	if rate <= 0 {
		rate = defaultBodyMinRate
	}
	if window <= 0 {
		window = defaultBodyRateWindow
	}
	br := &bodyReader{r: http.MaxBytesReader(w, r.Body, limit), hold: hold, rc: http.NewResponseController(w),
		need: rate * int64(window/time.Millisecond) / 1000, window: window, winStart: time.Now()}
	data, err = io.ReadAll(br)
	var he *httpError
	if errors.As(err, &he) && (he.status == http.StatusTooManyRequests || he.status == http.StatusServiceUnavailable) {
		w.Header().Set("Retry-After", "1")
	}
	if err != nil {
		hold.release()
		return nil, func() {}, limited(r, err, "body_bytes")
	}
	return data, hold.release, nil
}

// bodyReader counts a body against the budget as it arrives and keeps it
// moving: each window must bring at least need bytes (or the end of the
// body), else the read deadline set through the ResponseController cuts
// it. So a trickling body is cut after one window whatever it announced,
// and one that sent much and then stalls holds its bytes at most one
// window more.
type bodyReader struct {
	r        io.Reader
	hold     *bodyHold
	rc       *http.ResponseController
	need     int64
	window   time.Duration
	winStart time.Time
	winBytes int64 // bytes read when the window started
	read     int64
	deadline time.Time
	noLimit  bool // the connection takes no deadline
}

// maxRead bounds one read, and so what arrives beyond the budget before a
// refusal.
const maxRead = 64 << 10

func (b *bodyReader) Read(p []byte) (int, error) {
	if len(p) > maxRead {
		p = p[:maxRead]
	}
	if d := b.winStart.Add(b.window); !b.noLimit && !d.Equal(b.deadline) {
		if err := b.rc.SetReadDeadline(d); err != nil {
			b.noLimit = true
		}
		b.deadline = d
	}
	n, err := b.r.Read(p)
	if n > 0 {
		if herr := b.hold.grow(int64(n)); herr != nil {
			return 0, herr
		}
		b.read += int64(n)
		if b.read-b.winBytes >= b.need {
			b.winStart, b.winBytes = time.Now(), b.read
		}
	}
	var ne net.Error
	switch {
	case err == io.EOF:
		// The body is read: no deadline while the handler works (a
		// passed one would cancel the request's context).
		if !b.noLimit {
			b.rc.SetReadDeadline(time.Time{})
		}
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return n, &httpError{http.StatusRequestTimeout, api.CodeTooSlow,
			"the request body arrived too slowly; nothing was done", 0}
	}
	return n, err
}
