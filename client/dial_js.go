//go:build js

package client

import "github.com/coder/websocket"

// dialOptions authenticate the live stream from a browser, which cannot set
// headers on a WebSocket: the token travels as an offered subprotocol
// ("coffer.token.<token>"); the server answers with "coffer.v1".
func (s *Session) dialOptions() *websocket.DialOptions {
	return &websocket.DialOptions{Subprotocols: []string{"coffer.v1", "coffer.token." + s.t.token}}
}
