//go:build js

package client

// The live stream in a browser: the browser's own WebSocket, through
// syscall/js. (coder/websocket's browser half links net/http, and its
// close uses codes that a browser refuses — close(1001) throws — so a
// stream it "closed" stayed open until the page went away: after eight
// lock/unlock cycles the server refused the session's next stream.) A
// browser cannot set headers on a WebSocket: the token travels as an
// offered subprotocol ("coffer.token.<token>"); the server answers with
// "coffer.v1".

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
)

// browserLive is one open WebSocket. Its event callbacks only record and
// signal (js.go): messages are queued, the first close or failure is kept.
type browserLive struct {
	ws     js.Value
	mu     sync.Mutex // never held across a wait
	queue  [][]byte
	err    error // the stream's end, once known
	opened bool
	signal chan struct{} // one pending wake-up for the reader
	funcs  []js.Func
	closed bool
}

func (s *Session) dialLive(ctx context.Context, url string) (c liveConn, err error) {
	defer recoverJS(&err)
	l := &browserLive{signal: make(chan struct{}, 1)}
	protocols := js.Global().Get("Array").New("coffer.v1", "coffer.token."+s.t.token)
	l.ws = js.Global().Get("WebSocket").New(url, protocols)
	l.ws.Set("binaryType", "arraybuffer")
	l.on("open", func(js.Value) { l.opened = true })
	l.on("message", l.message)
	l.on("close", func(e js.Value) {
		code, why := 1006, ""
		if c := e.Get("code"); c.Type() == js.TypeNumber {
			code = c.Int()
		}
		if r := e.Get("reason"); r.Type() == js.TypeString {
			why = r.String()
		}
		l.end(&closeError{code: code, reason: why})
	})
	// An error event is followed by a close event, which says more.
	for {
		l.mu.Lock()
		opened, end := l.opened, l.err
		l.mu.Unlock()
		switch {
		case end != nil:
			l.Close()
			return nil, end
		case opened:
			return l, nil
		}
		select {
		case <-l.signal:
		case <-ctx.Done():
			l.Close()
			return nil, ctx.Err()
		}
	}
}

// on listens to the WebSocket's event; fn runs under l.mu and wakes the
// reader after.
func (l *browserLive) on(event string, fn func(e js.Value)) {
	f := js.FuncOf(func(_ js.Value, args []js.Value) any {
		l.mu.Lock()
		if err := l.handle(fn, arg(args)); err != nil && l.err == nil {
			l.err = fmt.Errorf("the live stream failed: %w", err)
		}
		l.mu.Unlock()
		select {
		case l.signal <- struct{}{}:
		default:
		}
		return nil
	})
	l.funcs = append(l.funcs, f)
	l.ws.Set("on"+event, f)
}

// handle runs an event's fn; whatever it panics (a JavaScript exception
// or not) ends the stream instead of the runtime, as a panic in a
// callback would.
func (l *browserLive) handle(fn func(js.Value), e js.Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = errors.New(je.Error())
			} else {
				err = fmt.Errorf("an internal error (%T)", r)
			}
		}
	}()
	fn(e)
	return nil
}

// message queues a message; one over liveReadLimit ends the stream. The
// caller holds l.mu.
func (l *browserLive) message(e js.Value) {
	data := e.Get("data")
	var b []byte
	if data.Type() == js.TypeString {
		b = []byte(data.String())
	} else {
		u := js.Global().Get("Uint8Array").New(data)
		b = make([]byte, u.Get("byteLength").Int())
		js.CopyBytesToGo(b, u)
	}
	if len(b) > liveReadLimit {
		l.err = errors.New("a live message over 64 KiB")
		return
	}
	l.queue = append(l.queue, b)
}

// end records how the stream ended (the first reason stays). The caller
// holds l.mu.
func (l *browserLive) end(err error) {
	if l.err == nil {
		l.err = err
	}
}

func (l *browserLive) Read(ctx context.Context) ([]byte, error) {
	for {
		l.mu.Lock()
		if len(l.queue) > 0 {
			b := l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
			l.mu.Unlock()
			return b, nil
		}
		err := l.err
		l.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-l.signal:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close closes the WebSocket normally (1000: the only code besides
// 3000–4999 a browser lets a page send) and lets go of its callbacks.
func (l *browserLive) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	_ = jsCall(func() {
		for _, event := range []string{"open", "message", "close"} {
			l.ws.Set("on"+event, js.Null())
		}
		l.ws.Call("close", 1000)
	})
	for _, f := range l.funcs {
		f.Release()
	}
	if l.err == nil {
		l.err = errors.New("the live stream was closed")
	}
}
