package mail

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
)

// StartMock runs a real SMTP server on a random loopback port.
func startMock(t *testing.T) *smtpmock.Server {
	srv := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

func TestSendOverSMTP(t *testing.T) {
	srv := startMock(t)
	m, err := ParseURL(fmt.Sprintf("smtp://127.0.0.1:%d?from=coffer@example.com&tls=none", srv.PortNumber()))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), "intern@example.com", "Join", "Open the link"); err != nil {
		t.Fatal(err)
	}
	msgs, err := srv.WaitForMessages(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[0].MsgRequest(), "Open the link") || !strings.Contains(msgs[0].RcpttoRequestResponse()[0][0], "intern@example.com") {
		t.Fatalf("message: %q %v", msgs[0].MsgRequest(), msgs[0].RcpttoRequestResponse())
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
