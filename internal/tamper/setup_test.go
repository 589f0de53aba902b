package tamper_test

import (
	"context"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/tamper"
)

var ctx = context.Background()

func signup(t *testing.T, h *tamper.Harness, email string) *client.Session {
	t.Helper()
	s, err := client.Signup(ctx, h.URL, email, "User", []byte("password of "+email), client.Options{})
	if err != nil {
		t.Fatalf("Signup: %v", err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func login(t *testing.T, h *tamper.Harness, email string) *client.Session {
	t.Helper()
	s, err := client.Login(ctx, h.URL, email, []byte("password of "+email), client.Options{})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return s
}

// company builds an organisation with confirmed members through the real
// invite → join → confirm flow, and an organisation vault "V" the owner
// manages.
func company(t *testing.T, owner *client.Session, members ...*client.Session) (*client.Org, *client.Vault) {
	t.Helper()
	o, err := owner.CreateOrg(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(members) > 0 {
		var emails []string
		for _, m := range members {
			emails = append(emails, m.Profile.Email)
		}
		res, err := owner.Invite(ctx, o.ID, emails)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if _, err := m.Join(ctx, "Acme", res.Code); err != nil {
				t.Fatal(err)
			}
		}
		if err := owner.Confirm(ctx, o.ID, emails); err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			m.Sync(ctx)
		}
	}
	v, err := owner.CreateVault(ctx, o.ID, "V")
	if err != nil {
		t.Fatal(err)
	}
	return o, v
}
