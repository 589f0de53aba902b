package server_test

// Issue 23, finding 8: pre-login told accounts that raised Argon2id apart
// from addresses without an account.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func prelogin(t *testing.T, base, email string) api.KDF {
	t.Helper()
	b, _ := json.Marshal(api.PreloginRequest{Email: email})
	resp, err := (&http.Client{Timeout: time.Minute}).Post(base+api.Prefix+"/prelogin", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var k api.KDF
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &k) != nil {
		t.Fatalf("prelogin %s: %d %s", email, resp.StatusCode, data)
	}
	return k
}

func isDefaultKDF(k api.KDF) bool {
	return k.Time == crypto.MinTime && k.Memory == crypto.MinMemory && k.Threads == crypto.MinThreads
}

// TestPreloginDecoysLookLikeRaisedAccounts (finding 8): an account raises
// its Argon2id passes to 4. The probe "raised parameters mean the account
// exists" was always right: every unknown address got the defaults. Now
// about one unknown address in eight gets raised parameters too — among
// them exactly the ones this account has — always the same answer for the
// same address, always within the client's floor and ceiling; those with
// the defaults keep the salt protocol §4 gives them.
func TestPreloginDecoysLookLikeRaisedAccounts(t *testing.T) {
	cfg := server23Config()
	env := testserver.Start(t, &cfg, nil)
	alice := signupClient(t, env.URL, "alice@decoy.example")
	if _, err := alice.ChangePassword(bg, []byte("pw of alice@decoy.example"), []byte("pw of alice@decoy.example"),
		client.PasswordOptions{KDF: crypto.KDFParams{Time: 4}}); err != nil {
		t.Fatal(err)
	}
	real := prelogin(t, env.URL, "alice@decoy.example")
	if real.Time != 4 || real.Memory != crypto.MinMemory || real.Threads != crypto.MinThreads {
		t.Fatalf("the raised account answers %+v", real)
	}
	secret, err := env.Store.ServerSecret(bg, "prelogin")
	if err != nil {
		t.Fatal(err)
	}
	const probes = 800
	raised, likeAlice := 0, 0
	for i := range probes {
		email := fmt.Sprintf("nobody-%d@decoy.example", i)
		k := prelogin(t, env.URL, email)
		p := crypto.KDFParams{Algorithm: k.Algorithm, Time: k.Time, Memory: k.Memory, Threads: k.Threads, Salt: k.Salt}
		if err := p.Check(); err != nil {
			t.Fatalf("decoy for %s outside the client's bounds: %v", email, err)
		}
		if again := prelogin(t, env.URL, email); !bytes.Equal(mustJSON(t, again), mustJSON(t, k)) {
			t.Fatalf("decoy for %s changed: %+v then %+v", email, k, again)
		}
		if isDefaultKDF(k) {
			m := hmac.New(sha256.New, secret)
			m.Write([]byte(email))
			if !bytes.Equal(k.Salt, m.Sum(nil)[:crypto.SaltSize]) {
				t.Fatalf("a default decoy's salt is not HMAC(secret, email)[:16]")
			}
			continue
		}
		raised++
		if k.Time == real.Time && k.Memory == real.Memory && k.Threads == real.Threads {
			likeAlice++
		}
	}
	// One in eight is expected (100 of 800); the bounds are many standard
	// deviations wide.
	if raised < probes/16 || raised > probes/4 || likeAlice == 0 {
		t.Fatalf("of %d unknown addresses %d got raised parameters, %d exactly the raised account's; want about one in eight, some like the account's",
			probes, raised, likeAlice)
	}
}
