package mail

import (
	"context"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/mail/mailtest"
)

func TestSendOverSMTP(t *testing.T) {
	box := mailtest.Start(t)
	m, err := ParseURL(box.URL("coffer@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), "intern@example.com", "Join", "Open the link"); err != nil {
		t.Fatal(err)
	}
	msg := box.Wait(t, "intern@example.com", "Join", 1)[0]
	if !strings.Contains(msg.Body, "Open the link") {
		t.Fatalf("message: %+v", msg)
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, bad := range []string{"http://x?from=a@b", "smtp://?from=a@b", "smtp://host", "smtp://host:x?from=a@b", "smtp://host?from=a@b&tls=maybe"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
	if _, err := ParseURL("smtp://user:secretpw@host?from=a@b&tls=bogus"); err == nil || strings.Contains(err.Error(), "secretpw") {
		t.Errorf("error leaks the password or accepts: %v", err)
	}
}
