package client_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
)

// FuzzContent: item content (the decrypted JSON of a revision).
func FuzzContent(f *testing.F) {
	f.Add([]byte(`{"name":"x","login":{"username":"u","password":"p","urls":["https://a"]},"fields":[{"name":"k","value":"v","kind":"hidden"}],"future":{"a":1}}`))
	f.Add([]byte(`{"name":"s","secret":{"A":"1"},"files":[{"id":"f","name":"n","size":1,"sha256":"AA==","key":"AA=="}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c client.Content
		if json.Unmarshal(data, &c) != nil {
			return
		}
		for _, v := range c.Values() {
			c.FieldValue(v.Name)
		}
		c.SetFieldValue("url3", "x", true)
		c.SetFieldValue("password", "", false)
		if _, err := json.Marshal(c); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzSyncResponse: a server answering /sync (and anything else) with
// arbitrary bytes gets an error, never a crash or accepted data.
func FuzzSyncResponse(f *testing.F) {
	env := newFuzzSession(f)
	f.Add([]byte(`{"cursor":1,"vaults":[],"items":[]}`))
	f.Add([]byte(`{"cursor":-5,"orgs":[{"id":"x","roster":{"members":[{}]}}],"groups":[{}],"vaults":[{"id":"y","kind":"org"}],"items":[{"id":"z"}],"purged":["q"]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		env.body = body
		s, err := env.profile.OpenWithAccountKey(env.ak, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Sync(ctx); err == nil && strings.Contains(string(body), `"items":[{`) && len(s.List(false)) > 0 {
			t.Fatal("items accepted from an unauthenticated answer")
		}
	})
}

type fuzzEnv struct {
	body    []byte
	profile *client.Profile
	ak      []byte
}

func newFuzzSession(f *testing.F) *fuzzEnv {
	env := &fuzzEnv{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(env.body)
	}))
	f.Cleanup(srv.Close)
	p, ak := client.NewFuzzProfile(srv.URL)
	env.profile, env.ak = p, ak
	return env
}

// TestContentKeepsUnknownMembers: content a newer client wrote keeps its
// unknown top-level members through an edit by this one, whichever way it
// was decoded (every member known, or not).
func TestContentKeepsUnknownMembers(t *testing.T) {
	for in, want := range map[string][]string{
		`{"name":"a","future":{"x":1}}`:                          {`"future":{"x":1}`},
		`{"name":"b","login":{"username":"u","passkey":"p"}}`:    {`"username":"u"`},
		`{"name":"c","tags":["t"],"favorite":true}`:              {`"tags":["t"]`, `"favorite":true`},
		`{"name":"d","future":1,"login":{"username":"v","z":2}}`: {`"future":1`, `"username":"v"`},
	} {
		var c client.Content
		if err := json.Unmarshal([]byte(in), &c); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		c.Name += "!"
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range append(want, `"name":"`+strings.Trim(in[9:10], `"`)+`!"`) {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s → %s: %s missing", in, out, w)
			}
		}
	}
	// A known member spelled in another case is decoded (encoding/json
	// matches without regard to case), never kept as an unknown one that
	// an edit would write back as the editor's own.
	var cased client.Content
	if err := json.Unmarshal([]byte(`{"name":"x","CHANGE":{"op":"rollback","revision":1},"Name":"y","zz":1}`), &cased); err != nil {
		t.Fatal(err)
	}
	cased.Change = nil
	out, _ := json.Marshal(cased)
	if strings.Contains(strings.ToLower(string(out)), "rollback") || strings.Count(strings.ToLower(string(out)), `"name"`) != 1 || !strings.Contains(string(out), `"zz":1`) {
		t.Errorf("case-variant known members carried along: %s", out)
	}
	var c client.Content
	if err := json.Unmarshal([]byte(`{"name":1}`), &c); err == nil {
		t.Error("a name that is a number was accepted")
	}
}
