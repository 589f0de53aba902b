// Package mailtest runs a real SMTP server on a random loopback port for
// tests (github.com/mocktools/go-smtp-mock) and reads back what it got,
// decoded.
package mailtest

import (
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
)

// Mailbox is a running SMTP server and the mail it received.
type Mailbox struct{ srv *smtpmock.Server }

// Message is one received mail: the first recipient (lower case, as
// "<addr>"), the subject, the header block and the decoded body with \n
// line ends.
type Message struct{ To, Subject, Head, Body string }

// Start runs the server until the test ends.
func Start(t testing.TB) *Mailbox {
	t.Helper()
	srv := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return &Mailbox{srv}
}

// Port is the server's port.
func (m *Mailbox) Port() int { return m.srv.PortNumber() }

// URL is the coffer SMTP URL (--smtp-url) for this server, sending as from.
func (m *Mailbox) URL(from string) string {
	return fmt.Sprintf("smtp://127.0.0.1:%d?from=%s&tls=none", m.srv.PortNumber(), from)
}

// All returns every message received so far.
func (m *Mailbox) All() []Message {
	var out []Message
	for _, msg := range m.srv.Messages() {
		head, body, _ := strings.Cut(msg.MsgRequest(), "\r\n\r\n")
		if strings.Contains(strings.ToLower(head), "quoted-printable") {
			if b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body))); err == nil {
				body = string(b)
			}
		}
		var to string
		if rc := msg.RcpttoRequestResponse(); len(rc) > 0 {
			to = strings.ToLower(rc[0][0])
		}
		subject := ""
		if _, rest, ok := strings.Cut(head, "\r\nSubject: "); ok {
			subject, _, _ = strings.Cut(strings.ReplaceAll(rest, "\r\n ", " "), "\r\n")
		}
		out = append(out, Message{To: to, Subject: subject, Head: head, Body: strings.ReplaceAll(body, "\r\n", "\n")})
	}
	return out
}

// To returns the messages to addr whose subject contains subject.
func (m *Mailbox) To(addr, subject string) []Message {
	var out []Message
	for _, msg := range m.All() {
		if strings.Contains(msg.To, "<"+strings.ToLower(addr)+">") && strings.Contains(msg.Subject, subject) {
			out = append(out, msg)
		}
	}
	return out
}

// Wait waits until addr has n messages with subject and returns them.
func (m *Mailbox) Wait(t testing.TB, addr, subject string, n int) []Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := m.To(addr, subject)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails %q to %s, want %d; all: %+v", len(got), subject, addr, n, m.All())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
