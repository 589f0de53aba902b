// Package mailtest runs a real SMTP server on a random loopback port for
// tests (github.com/mocktools/go-smtp-mock) and reads back what it got,
// decoded.
package mailtest

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
)

// Mailbox is a running SMTP server and the mail it received.
type Mailbox struct{ srv *smtpmock.Server }

// Message is one received mail: the first recipient (lower case, as
// "<addr>"), the subject, the header block, the decoded plain-text body
// with \n line ends and, for a multipart/alternative mail, its decoded
// HTML part (Type is the top-level media type: text/plain or
// multipart/alternative).
type Message struct{ To, Subject, Head, Type, Body, HTML string }

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
		raw := msg.MsgRequest()
		head, _, _ := strings.Cut(raw, "\r\n\r\n")
		typ, body, html := decode(raw)
		var to string
		if rc := msg.RcpttoRequestResponse(); len(rc) > 0 {
			to = strings.ToLower(rc[0][0])
		}
		subject := ""
		if _, rest, ok := strings.Cut(head, "\r\nSubject: "); ok {
			subject, _, _ = strings.Cut(strings.ReplaceAll(rest, "\r\n ", " "), "\r\n")
		}
		out = append(out, Message{To: to, Subject: subject, Head: head, Type: typ,
			Body: strings.ReplaceAll(body, "\r\n", "\n"), HTML: strings.ReplaceAll(html, "\r\n", "\n")})
	}
	return out
}

// decode reads a message as a mail program would: its media type, the
// text/plain body (or part) and the text/html part of a
// multipart/alternative, each with its transfer encoding undone. What it
// cannot parse comes back raw as the body.
func decode(raw string) (typ, text, html string) {
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		_, body, _ := strings.Cut(raw, "\r\n\r\n")
		return "", body, ""
	}
	typ, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		typ = "text/plain"
	}
	if !strings.HasPrefix(typ, "multipart/") {
		return typ, readPart(m.Body, m.Header.Get("Content-Transfer-Encoding")), ""
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err != nil {
			return typ, text, html
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch s := readPart(p, p.Header.Get("Content-Transfer-Encoding")); pt {
		case "text/plain":
			text = s
		case "text/html":
			html = s
		}
	}
}

func readPart(r io.Reader, encoding string) string {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, _ := io.ReadAll(r)
	return string(b)
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
