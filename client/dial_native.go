//go:build !js

package client

import (
	"net/http"

	"github.com/coder/websocket"
)

// dialOptions authenticate the live stream with the session token in the
// Authorization header.
func (s *Session) dialOptions() *websocket.DialOptions {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+s.t.token)
	return &websocket.DialOptions{HTTPHeader: h, HTTPClient: s.opt.HTTPClient, Subprotocols: []string{"coffer.v1"}}
}
