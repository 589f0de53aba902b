//go:build !js

package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// HTTPClient is the client that sends a session's requests: net/http's
// (Options.HTTPClient; nil is http.DefaultClient).
type HTTPClient = http.Client

// send makes one request and returns the answer's status and body, which
// the caller closes.
func (t *transport) send(ctx context.Context, method, url string, header [][2]string, body []byte) (int, io.ReadCloser, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	for _, h := range header {
		req.Header.Set(h[0], h[1])
	}
	hc := t.hc
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, resp.Body, nil
}
