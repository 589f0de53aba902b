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
	if err := m.Send(context.Background(), Message{To: "intern@example.com", Subject: "Join", Text: "Open the link"}); err != nil {
		t.Fatal(err)
	}
	msg := box.Wait(t, "intern@example.com", "Join", 1)[0]
	if !strings.Contains(msg.Body, "Open the link") || msg.Type != "text/plain" || msg.HTML != "" {
		t.Fatalf("message: %+v", msg)
	}
}

// TestSendWithHTMLAlternative (issue 24): a message with HTML goes out as
// multipart/alternative — the plain text first, the HTML last (the part a
// mail program prefers) — each part decodable on its own, long lines and
// non-ASCII included.
func TestSendWithHTMLAlternative(t *testing.T) {
	box := mailtest.Start(t)
	m, err := ParseURL(box.URL("coffer@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	link := "https://vault.example.com/join?invitation=51f0&org=7a1d&email=intern%40example.com" + strings.Repeat("&x=y", 30)
	text := "Join: " + link + "\nGrüße"
	html := `<p>Grüße</p><a href="` + link + `">Join</a>`
	if err := m.Send(context.Background(), Message{To: "intern@example.com", Subject: "Join", Text: text, HTML: html}); err != nil {
		t.Fatal(err)
	}
	msg := box.Wait(t, "intern@example.com", "Join", 1)[0]
	if msg.Type != "multipart/alternative" {
		t.Fatalf("type %q, want multipart/alternative:\n%s", msg.Type, msg.Head)
	}
	if strings.TrimSpace(msg.Body) != text || strings.TrimSpace(msg.HTML) != html {
		t.Fatalf("parts:\ntext %q\nhtml %q", msg.Body, msg.HTML)
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
