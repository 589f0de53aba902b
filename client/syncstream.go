package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/coffer-pm/coffer/internal/api"
)

// A sync answer (docs/api.md, GET /sync) is read as a stream: its head —
// cursor, purged ids, organisations, groups, vaults — whole, then its items
// a batch at a time, verified as they arrive. Neither side ever holds the
// whole answer of a 100,000-item vault; the client keeps what it verified.

// maxSyncAnswer bounds what one sync answer may send in all.
const maxSyncAnswer = 1 << 30

// syncStream is a sync answer being read.
type syncStream struct {
	head  api.Sync // Items unused
	body  io.ReadCloser
	dec   *json.Decoder
	items bool // the items array is open and not yet finished
	// early holds the items of an answer that sent them before the rest
	// of its head (our server never does): read whole, then served.
	early []json.RawMessage
	// readFailed is the last error reading the body gave (not io.EOF):
	// a decoding error without one is the answer's, not the network's.
	readFailed error
}

// readTracker records its reader's errors for syncStream.
type readTracker struct {
	_   [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	r   io.Reader
	err *error
}

func (t *readTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		*t.err = err
	}
	return n, err
}

func malformedSync(why string) error {
	return tampered("the server's sync answer is malformed (%s)", why)
}

// openSync sends GET /sync?since=N and reads the answer's head. Items
// should come last — a client verifies them against the vaults before
// them, and only then are they streamed; an answer that sends them earlier
// is read whole (its members may come in any order, as in any JSON).
func (t *transport) openSync(ctx context.Context, since int64) (*syncStream, error) {
	status, body, err := t.send(ctx, "GET", t.base+api.Prefix+"/sync?since="+strconv.FormatInt(since, 10), t.header(""), nil)
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %w", ErrUnreachable, t.base, unwrapURLError(err))
	}
	if status >= 300 {
		defer body.Close()
		data, _ := io.ReadAll(io.LimitReader(body, 1<<20))
		return nil, apiError(status, data)
	}
	st := &syncStream{body: body}
	st.dec = json.NewDecoder(&readTracker{r: io.LimitReader(body, maxSyncAnswer), err: &st.readFailed})
	if err := st.readHead(); err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

func (st *syncStream) close() { st.body.Close() }

// readErr is a read failure: a cut connection is the network's (the sync
// keeps the last verified state and can be tried again), anything else
// that does not parse is a malformed answer.
func readErr(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se), errors.As(err, &te):
		return malformedSync(err.Error())
	case errors.Is(err, ErrTampered):
		return err
	}
	return fmt.Errorf("reading the server's sync answer: %w", err)
}

func (st *syncStream) delim(want json.Delim) error {
	tok, err := st.dec.Token()
	if err != nil {
		return readErr(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return malformedSync(fmt.Sprintf("expected %q", want))
	}
	return nil
}

func (st *syncStream) readHead() error {
	if err := st.delim('{'); err != nil {
		return err
	}
	seen := map[string]bool{}
	for st.dec.More() {
		tok, err := st.dec.Token()
		if err != nil {
			return readErr(err)
		}
		key, ok := tok.(string)
		if !ok || seen[key] {
			return malformedSync("a member twice, or not a member name")
		}
		seen[key] = true
		var target any
		switch key {
		case "cursor":
			target = &st.head.Cursor
		case "purged":
			target = &st.head.Purged
		case "orgs":
			target = &st.head.Orgs
		case "groups":
			target = &st.head.Groups
		case "vaults":
			target = &st.head.Vaults
		case "restore":
			target = &st.head.Restore
		case "items":
			if err := st.delim('['); err != nil {
				return err
			}
			if seen["cursor"] && seen["vaults"] && seen["orgs"] && seen["groups"] {
				st.items = true
				return nil
			}
			for st.dec.More() {
				var raw json.RawMessage
				if err := st.dec.Decode(&raw); err != nil {
					return readErr(err)
				}
				st.early = append(st.early, raw)
			}
			if err := st.delim(']'); err != nil {
				return err
			}
			continue
		default:
			target = new(json.RawMessage) // a member of a newer server
		}
		if err := st.dec.Decode(target); err != nil {
			return readErr(err)
		}
	}
	// No items member at all: an answer with no items.
	return st.end()
}

// end reads the answer's end: nothing may follow it.
func (st *syncStream) end() error {
	if err := st.delim('}'); err != nil {
		return err
	}
	if _, err := st.dec.Token(); err != io.EOF {
		return malformedSync("data after the answer")
	}
	return nil
}

// hasItems reports whether items remain to be read.
func (st *syncStream) hasItems() bool { return len(st.early) > 0 || st.items && st.dec.More() }

// next reads up to max items, each with the JSON it came in when it was
// read as JSON first (kept for the device cache's record), else nil; none
// when the answer is done.
func (st *syncStream) next(max int) ([]api.Item, [][]byte, error) {
	var items []api.Item
	var raws [][]byte
	for len(st.early) > 0 && len(items) < max {
		raw := st.early[0]
		st.early = st.early[1:]
		var it api.Item
		if err := json.Unmarshal(raw, &it); err != nil {
			return nil, nil, malformedSync("an item: " + err.Error())
		}
		items, raws = append(items, it), append(raws, raw)
	}
	for st.items && len(items) < max {
		if !st.dec.More() {
			st.items = false
			if err := st.delim(']'); err != nil {
				return nil, nil, err
			}
			// Members after the items a newer server may add are
			// skipped; one this client applies comes too late.
			for st.dec.More() {
				tok, err := st.dec.Token()
				if err != nil {
					return nil, nil, readErr(err)
				}
				switch tok {
				case "cursor", "purged", "orgs", "groups", "vaults", "items":
					return nil, nil, malformedSync(fmt.Sprintf("%v after the items", tok))
				}
				var skip json.RawMessage
				if err := st.dec.Decode(&skip); err != nil {
					return nil, nil, readErr(err)
				}
			}
			if err := st.end(); err != nil {
				return nil, nil, err
			}
			break
		}
		// Decoded straight from the stream: a value read as raw JSON and
		// decoded again was scanned four times, the most of a cold sync in
		// the browser after the signatures. Its record is encoded again
		// when the device cache is written (Item.src).
		var it api.Item
		if err := st.dec.Decode(&it); err != nil {
			if st.readFailed != nil || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, nil, readErr(err) // the connection's: cut, or cut short
			}
			return nil, nil, malformedSync("an item: " + err.Error())
		}
		items, raws = append(items, it), append(raws, nil)
	}
	return items, raws, nil
}
