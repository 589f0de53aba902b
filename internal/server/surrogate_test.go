package server

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLoneSurrogate: hasLoneSurrogate finds exactly the JSON strings that
// encoding/json would decode with a U+FFFD the text did not contain.
func FuzzLoneSurrogate(f *testing.F) {
	for _, s := range []string{`"a"`, `"\ud800"`, `"\udc00"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\\ud800"`, `"\ud800\u0041"`,
		`"x\"\ud800"`, `"\ud800\ud800\udc00"`, `"\uDBFF\uDFFF"`, `"\ufffd"`, `"\u12"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v string
		if !utf8.ValidString(body) || json.Unmarshal([]byte(body), &v) != nil {
			return
		}
		replaced := strings.Count(v, "\ufffd") > strings.Count(body, "\ufffd")+strings.Count(strings.ToLower(body), `\ufffd`)
		if got := hasLoneSurrogate([]byte(body)); got != replaced {
			t.Fatalf("hasLoneSurrogate(%q) = %v, but decoding gives %q", body, got, v)
		}
	})
}
