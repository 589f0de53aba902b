package client_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// counter counts the groups the member made; waiters wake on each.
type counter struct {
	mu   sync.Mutex
	cond *sync.Cond
	n    int
}

func (c *counter) inc() {
	c.mu.Lock()
	c.n++
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *counter) value() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// waitAbove waits until more than n groups were made.
func (c *counter) waitAbove(n int) {
	c.mu.Lock()
	for c.n <= n {
		c.cond.Wait()
	}
	c.mu.Unlock()
}

// TestMemberCannotOutrunTheirRemoval is issue 23's finding 2: a member who
// keeps creating private groups while the owner removes them could make
// every removal be refused (the removal had to re-sign exactly the groups
// the member made, a list they kept growing), or keep a group made just
// after it. Here the member creates groups in a loop, and the removal
// request is held at the server's door until one more group was made
// after the owner's client listed them: the removal goes through at once,
// the group made meanwhile is re-signed by the owner right after, and no
// group keeps the removed member.
func TestMemberCannotOutrunTheirRemoval(t *testing.T) {
	made := &counter{}
	made.cond = sync.NewCond(&made.mu)
	var resigned atomic.Int64
	hold := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "PUT" && strings.HasSuffix(r.URL.Path, "/keys-sig") {
				resigned.Add(1)
			}
			if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/remove") {
				// A group made after the owner's client listed them: the
				// second to finish from here — the first may have been sent
				// before the listing and only counted after it (then it was
				// listed, nothing needed re-signing, and the test failed
				// once under load).
				made.waitAbove(made.value() + 1)
			}
			next.ServeHTTP(w, r)
		})
	}
	env := testserver.Start(t, nil, hold)
	owner := signup(t, env.URL, "owner@race.example")
	mallory := signup(t, env.URL, "mallory@race.example")
	honest := signup(t, env.URL, "honest@race.example")
	o := company(t, owner, "Race", mallory, honest)

	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			if _, err := mallory.CreateGroup(ctx, o.ID, fmt.Sprint("group ", i), true, ""); err != nil {
				t.Logf("the member's group creation ends: %v", err)
				return // removed
			}
			made.inc()
		}
	}()
	made.waitAbove(0)
	if err := owner.RemoveMember(ctx, o.ID, "mallory@race.example"); err != nil {
		t.Fatalf("the removal was refused: %v", err)
	}
	<-done
	if resigned.Load() == 0 {
		t.Fatal("no group made during the removal was re-signed afterwards")
	}

	for name, s := range map[string]*client.Session{"owner": owner, "honest": honest} {
		if err := s.Sync(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if q := s.Quarantined(); len(q) != 0 {
			t.Fatalf("%s: quarantined %+v", name, q)
		}
	}
	groups, err := env.Store.GroupsInOrg(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) < 2 {
		t.Fatalf("the member made %d groups: the race was not run", len(groups))
	}
	malloryID := mallory.Profile.UserID
	for _, g := range groups {
		if g.ManagerID == malloryID || g.KeysSignerID == malloryID || slices.Contains(g.Members, malloryID) {
			t.Fatalf("group %s keeps the removed member: %+v", g.ID, g)
		}
	}
	if role, _ := env.Store.OrgRole(ctx, o.ID, malloryID); role != "" {
		t.Fatalf("the removed member's role: %q", role)
	}
}
