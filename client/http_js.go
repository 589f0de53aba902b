//go:build js

package client

// The browser's HTTP: fetch, called through syscall/js. (net/http's own
// fetch transport would do the same, but linking net/http brings its
// whole native client along — TLS, HTTP/2, x509 certificates, the
// dialer, proxies — about a third of the WebAssembly core, none of it
// used in a browser: docs/performance.md, "First load".) The browser's
// TLS, HTTP/2 and connection handling serve the page's origin as they
// serve the page itself.

import (
	"context"
	"errors"
	"io"
	"sync"
	"syscall/js"
)

// HTTPClient is unused in a browser (requests go through fetch); the
// field of Options stays, for the native build.
type HTTPClient = struct{}

// send makes one request with fetch and returns the answer's status and
// body, which the caller closes. Cancelling ctx aborts the request, its
// body included.
func (t *transport) send(ctx context.Context, method, url string, header [][2]string, body []byte) (status int, rc io.ReadCloser, err error) {
	defer recoverJS(&err)
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	abort := js.Global().Get("AbortController").New()
	opt := js.Global().Get("Object").New()
	opt.Set("method", method)
	opt.Set("credentials", "same-origin")
	opt.Set("signal", abort.Get("signal"))
	h := js.Global().Get("Headers").New()
	for _, kv := range header {
		h.Call("append", kv[0], kv[1])
	}
	opt.Set("headers", h)
	if len(body) > 0 {
		b := js.Global().Get("Uint8Array").New(len(body))
		js.CopyBytesToJS(b, body)
		opt.Set("body", b)
	}
	stop := context.AfterFunc(ctx, func() { abort.Call("abort") })
	resp, err := awaitJS(js.Global().Call("fetch", url, opt))
	if err != nil {
		stop()
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		return 0, nil, errors.New("fetch: " + err.Error())
	}
	r := &fetchBody{stop: stop}
	if b := resp.Get("body"); b.Type() == js.TypeObject {
		r.reader = b.Call("getReader")
	}
	return resp.Get("status").Int(), r, nil
}

// fetchBody reads an answer's body as it arrives (a sync answer of
// 100,000 items is never held whole).
type fetchBody struct {
	reader  js.Value // undefined: no body
	pending []byte
	err     error // sticky
	stop    func() bool
	once    sync.Once
}

func (r *fetchBody) Read(p []byte) (n int, err error) {
	defer recoverJS(&err)
	for len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.reader.Type() != js.TypeObject {
			r.err = io.EOF
			continue
		}
		res, err := awaitJS(r.reader.Call("read"))
		switch {
		case err != nil:
			r.err = err
		case res.Get("done").Bool():
			r.err = io.EOF
		default:
			v := res.Get("value")
			r.pending = make([]byte, v.Get("byteLength").Int())
			js.CopyBytesToGo(r.pending, v)
		}
	}
	n = copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

func (r *fetchBody) Close() error {
	r.once.Do(func() {
		r.stop()
		if r.err == nil {
			r.err = errors.New("the answer's body was closed")
		}
		if r.reader.Type() == js.TypeObject {
			// The rest is not wanted; a reader already done answers a
			// rejected promise, which is nobody's error.
			_ = jsCall(func() { r.reader.Call("cancel").Call("catch", ignore) })
		}
	})
	return nil
}
