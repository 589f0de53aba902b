// Package mail sends Coffer's e-mail (invitations, verification codes,
// recovery notices) over SMTP with
// github.com/wneessen/go-mail. A server without SMTP configuration has no
// Sender, and callers say that no mail was sent.
package mail

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail: a plain-text body, and optionally an HTML
// alternative of the same content (multipart/alternative: a mail program
// shows the HTML, or the text if it shows no HTML). Text must say
// everything on its own.
type Message struct {
	To, Subject string
	Text        string
	HTML        string // optional
}

// Sender sends one message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP is a Sender configured from a URL.
type SMTP struct {
	host string
	from string
	opts []gomail.Option
}

// ParseURL configures SMTP from a URL:
//
//	smtp://[user:password@]host[:port]?from=coffer@example.com[&tls=starttls|opportunistic|none]
//	smtps://[user:password@]host[:port]?from=…     (implicit TLS)
//
// The default for smtp:// is STARTTLS required; tls=none is for local test
// servers only.
func ParseURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: cannot parse it")
	}
	m := &SMTP{host: u.Hostname(), from: u.Query().Get("from")}
	if m.host == "" || m.from == "" {
		return nil, fmt.Errorf("SMTP URL needs a host and ?from=ADDRESS (smtp://host:port?from=coffer@example.com)")
	}
	// Greet with the sender's domain: strict servers refuse a bare name.
	helo := "localhost.localdomain"
	if at := strings.LastIndex(m.from, "@"); at >= 0 && at+1 < len(m.from) {
		helo = m.from[at+1:]
	}
	m.opts = append(m.opts, gomail.WithTimeout(30*time.Second), gomail.WithHELO(helo))
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("SMTP URL: bad port %q", p)
		}
		m.opts = append(m.opts, gomail.WithPort(n))
	}
	switch u.Scheme {
	case "smtps":
		m.opts = append(m.opts, gomail.WithSSL())
	case "smtp":
		switch u.Query().Get("tls") {
		case "", "starttls":
			m.opts = append(m.opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		case "opportunistic":
			m.opts = append(m.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		case "none":
			m.opts = append(m.opts, gomail.WithTLSPolicy(gomail.NoTLS))
		default:
			return nil, fmt.Errorf("SMTP URL: tls must be starttls, opportunistic or none")
		}
	default:
		return nil, fmt.Errorf("SMTP URL must start with smtp:// or smtps://")
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		m.opts = append(m.opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	return m, nil
}

// Send delivers one message: text/plain, or multipart/alternative with
// the text first and the HTML second (the last part is the preferred one,
// RFC 2046 §5.1.4).
func (m *SMTP) Send(ctx context.Context, mm Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return err
	}
	if err := msg.To(mm.To); err != nil {
		return err
	}
	msg.Subject(mm.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, mm.Text)
	if mm.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, mm.HTML)
	}
	c, err := gomail.NewClient(m.host, m.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}
