//go:build !js

package client

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/coder/websocket"
)

// dialLive opens the live stream, authenticated by the session token in
// the Authorization header. A refused upgrade is the server's APIError.
func (s *Session) dialLive(ctx context.Context, url string) (liveConn, error) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+s.t.token)
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h, HTTPClient: s.opt.HTTPClient, Subprotocols: []string{"coffer.v1"}})
	if err != nil {
		return nil, refusal(resp, err)
	}
	c.SetReadLimit(liveReadLimit)
	return nativeLive{c}, nil
}

// refusal turns a refused upgrade into an APIError with the server's
// message (read, bounded, by the WebSocket library).
func refusal(resp *http.Response, err error) error {
	if resp == nil || resp.StatusCode < 400 || resp.StatusCode >= 500 {
		return err
	}
	var data []byte
	if resp.Body != nil {
		data, _ = io.ReadAll(io.LimitReader(resp.Body, 4096))
	}
	return apiError(resp.StatusCode, data)
}

type nativeLive struct{ c *websocket.Conn }

func (l nativeLive) Read(ctx context.Context) ([]byte, error) {
	_, data, err := l.c.Read(ctx)
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return nil, &closeError{code: int(ce.Code), reason: ce.Reason}
	}
	return data, err
}

func (l nativeLive) Close() { l.c.CloseNow() }
