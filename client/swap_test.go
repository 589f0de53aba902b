package client_test

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/coffer-pm/coffer/client"
)

// swapKeys replaces every occurrence of a's public keys with b's in a JSON
// body (standard base64, as the API encodes bytes).
func swapKeys(t *testing.T, body []byte, a, b *client.Session) []byte {
	t.Helper()
	ak, bk := a.Profile.Keys, b.Profile.Keys
	for _, pair := range [][2][]byte{{ak.SignPub, bk.SignPub}, {ak.KEMPub, bk.KEMPub}, {ak.PublicKeysSig, bk.PublicKeysSig}} {
		body = bytes.ReplaceAll(body, []byte(base64.StdEncoding.EncodeToString(pair[0])), []byte(base64.StdEncoding.EncodeToString(pair[1])))
	}
	return body
}
