package server_test

// Issue 23: a write answered 503 after it was committed made a retrying
// client write it twice. Writes now answer from what their transaction
// returned, and a create or revision write sent again after a committed
// one gets the answer it missed.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// loseAnswers runs the real handler for the first n item writes and then
// tells the client 503, as a proxy whose backend answered too late would:
// the write is committed, the client does not know it.
type loseAnswers struct {
	mu   sync.Mutex
	left int
	lost []string
}

func (l *loseAnswers) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		write := (r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/items")) ||
			(r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/items/batch")) ||
			(r.Method == "PUT" && strings.Contains(r.URL.Path, "/items/"))
		l.mu.Lock()
		lose := write && l.left > 0
		if lose {
			l.left--
		}
		l.mu.Unlock()
		if !lose {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		l.mu.Lock()
		l.lost = append(l.lost, r.Method+" "+r.URL.Path+" → "+http.StatusText(rec.Code))
		l.mu.Unlock()
		http.Error(w, `{"error":"upstream timed out","code":"unavailable"}`, http.StatusServiceUnavailable)
	})
}

func TestLostAnswersMakeNoDuplicates(t *testing.T) {
	lose := &loseAnswers{}
	cfg := testConfig()
	env := testserver.Start(t, &cfg, lose.wrap)
	a := signupClient(t, env.URL, "retry@example.com")
	v := personalVault(t, a)

	lose.left = 1
	it, err := a.CreateItem(bg, v, "note", client.Content{Name: "Once"})
	if err != nil {
		t.Fatalf("create after a lost answer: %v", err)
	}
	lose.left = 1
	it, err = a.UpdateItem(bg, it, client.Content{Name: "Once", Notes: "edited"})
	if err != nil || it.Revision != 2 {
		t.Fatalf("edit after a lost answer: %+v, %v", it, err)
	}
	lose.left = 1
	if _, err := a.CreateItems(bg, v, []client.NewItem{{Type: "note", Content: client.Content{Name: "B1"}}, {Type: "note", Content: client.Content{Name: "B2"}}}); err != nil {
		t.Fatalf("batch after a lost answer: %v", err)
	}
	if len(lose.lost) != 3 {
		t.Fatalf("answers lost: %v", lose.lost)
	}
	for _, l := range lose.lost {
		if !strings.HasSuffix(l, "Created") && !strings.HasSuffix(l, "OK") {
			t.Fatalf("a lost answer was not a committed write: %v", lose.lost)
		}
	}
	// A fresh device sees each item once, at the revision written once.
	b, err := client.Login(bg, env.URL, "retry@example.com", []byte("pw of retry@example.com"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(bg); err != nil {
		t.Fatal(err)
	}
	items, err := b.Items(false)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, x := range items {
		names[x.Content.Name]++
		if x.Content.Name == "Once" && (x.Revision != 2 || x.Content.Notes != "edited") {
			t.Errorf("the edited item: revision %d, %q", x.Revision, x.Content.Notes)
		}
	}
	if len(items) != 3 || names["Once"] != 1 || names["B1"] != 1 || names["B2"] != 1 {
		t.Fatalf("items after retries: %v", names)
	}
}

// The same create sent twice is answered twice with the same item; the
// same id with other bytes, or the same bytes from another account, is
// still refused.
func TestCreateSentAgainIsAnsweredNotDuplicated(t *testing.T) {
	f := newFixture(t)
	req := newItem(f.vault)
	f.signAs(t, f.alice.Token(), "", f.vault, &req.Revision, req.ID, req.Type, 1)
	req.Manifest = f.nextManifest(t, f.alice.Token(), f.vault)
	first := f.send(t, "POST", "/vaults/"+f.vault+"/items", f.alice.Token(), req)
	again := f.send(t, "POST", "/vaults/"+f.vault+"/items", f.alice.Token(), req)
	if first.status != http.StatusCreated || again.status != http.StatusCreated || string(first.body) != string(again.body) {
		t.Fatalf("create, then again: %d %s / %d %s", first.status, first.body, again.status, again.body)
	}
	other := req
	other.Revision.Blob = append([]byte{}, req.Revision.Blob...)
	other.Revision.Blob[0] ^= 1
	if r := f.send(t, "POST", "/vaults/"+f.vault+"/items", f.alice.Token(), other); r.status != http.StatusConflict && r.status != http.StatusBadRequest {
		t.Fatalf("same id, other bytes: %d %s", r.status, r.body)
	}
	if r := f.send(t, "POST", "/vaults/"+f.vault+"/items", f.bob.Token(), req); r.status != http.StatusNotFound {
		t.Fatalf("another account sending the same bytes: %d %s", r.status, r.body)
	}
}
