package view

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coffer-pm/coffer/client"
)

func TestBrowserDevice(t *testing.T) {
	for _, c := range []struct{ ua, want string }{
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Chrome on Linux"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0", "Opera on Windows"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "Chrome on iOS"},
		{"Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15", "Firefox on iPadOS"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36", "Chrome on Android"},
		{"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android"},
		{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on ChromeOS"},
		{"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ladybird/1.0", "a web browser on Linux"},
		{"curl/8.5.0", "a web browser"},
		{"", "a web browser"},
		{"\x1b[31mEvil\x1b[0m", "a web browser"},
	} {
		if got := BrowserDevice(c.ua); got != c.want {
			t.Errorf("BrowserDevice(%q) = %q, want %q", c.ua, got, c.want)
		}
	}
}

func TestCLIDevice(t *testing.T) {
	for _, c := range []struct{ host, goos, want string }{
		{"laptop", "linux", "coffer CLI on laptop (Linux)"},
		{"mac-mini.local", "darwin", "coffer CLI on mac-mini.local (macOS)"},
		{"", "windows", "coffer CLI on an unnamed host (Windows)"},
		{"bad\x1b]0;title\x07host\u202e", "plan9", "coffer CLI on bad]0;titlehost (plan9)"},
	} {
		if got := CLIDevice(c.host, c.goos); got != c.want {
			t.Errorf("CLIDevice(%q, %q) = %q, want %q", c.host, c.goos, got, c.want)
		}
	}
	long := CLIDevice(strings.Repeat("h", 300), "linux")
	if utf8.RuneCountInString(long) != MaxDeviceName || !strings.HasSuffix(long, "…") {
		t.Errorf("long host name not bounded: %q", long)
	}
}

func TestCleanDeviceName(t *testing.T) {
	for in, want := range map[string]string{
		"  a \t\n b  ":     "a b",
		"x\x00y\x7fz":      "xyz",
		"\u200bzero\u200d": "zero",
		"caf\xffé":         "café",
	} {
		if got := CleanDeviceName(in); got != want {
			t.Errorf("CleanDeviceName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDevicesListsLiveOnesThisFirst(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	list := []client.SessionInfo{
		{ID: "old", Description: "Firefox on Linux", LastUsedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)},
		{ID: "gone", Description: "x", Revoked: true, ExpiresAt: now.Add(time.Hour)},
		{ID: "expired", Description: "y", ExpiresAt: now},
		{ID: "new", Description: "", LastUsedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour), ClientAddr: "192.0.2.1"},
		{ID: "me", Current: true, Description: "Chrome on macOS", LastUsedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(time.Hour)},
	}
	got := Devices(list, now)
	var ids []string
	for _, d := range got {
		ids = append(ids, d.ID)
	}
	if strings.Join(ids, ",") != "me,new,old" || got[1].Name != "an unnamed device" || !got[0].Current || got[1].ClientAddr != "192.0.2.1" {
		t.Fatalf("Devices = %+v", got)
	}
	if d := Devices(nil, now); d == nil || len(d) != 0 {
		t.Fatalf("no sessions: %#v (want an empty list, not null)", d)
	}
}
