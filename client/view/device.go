package view

import (
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coffer-pm/coffer/client"
)

// MaxDeviceName bounds a device name (the server drops a longer one: it
// is shown in lists, not trusted).
const MaxDeviceName = 80

// BrowserDevice names the web app's session from the browser's user
// agent: "Chrome on Linux", "Firefox on Windows", "Safari on macOS".
// Decided here, not in the page, so that every client names a browser the
// same way. The name is only a label the account's owner reads in the
// device list: a user agent is whatever the browser says, never proof of
// anything, and the user agent itself is not sent.
func BrowserDevice(userAgent string) string {
	ua := userAgent
	browser := ""
	for _, b := range browsers {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	// Safari says "Safari/" and "Version/"; every Chromium says "Safari/" too
	// (matched above, first).
	if browser == "" && strings.Contains(ua, "Safari/") && strings.Contains(ua, "Version/") {
		browser = "Safari"
	}
	system := ""
	for _, o := range systems {
		if strings.Contains(ua, o.token) {
			system = o.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return "a web browser on " + system
	}
	return "a web browser"
}

// browsers, the more specific first: Edge and Opera also say "Chrome/",
// Chrome on iOS says neither "Chrome/" nor "Firefox/".
var browsers = []struct{ token, name string }{
	{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"},
	{"OPR/", "Opera"}, {"Opera", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"Vivaldi/", "Vivaldi"},
	{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
	{"CriOS/", "Chrome"},
	{"Chromium/", "Chromium"},
	{"Chrome/", "Chrome"},
}

// systems, the more specific first: Android says "Linux", iOS says
// "like Mac OS X", ChromeOS says "X11".
var systems = []struct{ token, name string }{
	{"Windows", "Windows"},
	{"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"iPod", "iOS"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Macintosh", "macOS"}, {"Mac OS X", "macOS"},
	{"FreeBSD", "FreeBSD"}, {"OpenBSD", "OpenBSD"},
	{"Linux", "Linux"},
}

// CLIDevice names a command-line session: "coffer CLI on HOST (OS)".
func CLIDevice(host, goos string) string {
	system := map[string]string{"darwin": "macOS", "linux": "Linux", "windows": "Windows", "freebsd": "FreeBSD", "openbsd": "OpenBSD"}[goos]
	if system == "" {
		system = goos
	}
	host = CleanDeviceName(host)
	if host == "" {
		host = "an unnamed host"
	}
	return CleanDeviceName("coffer CLI on " + host + " (" + CleanDeviceName(system) + ")")
}

// CleanDeviceName makes s fit to show as a device name: control and
// format characters (a terminal escape, a bidi override) dropped, space
// runs folded, at most MaxDeviceName characters (the end cut with "…").
func CleanDeviceName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if utf8.RuneCountInString(out) > MaxDeviceName {
		out = string([]rune(out)[:MaxDeviceName-1]) + "…"
	}
	return out
}

// Device is one signed-in device of the account (a live server session),
// as `coffer devices` and the web app's Account → Devices list it.
type Device struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Current    bool      `json:"current"` // this device
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"` // recorded at most once a minute
	ClientAddr string    `json:"client_addr"`  // of the last recorded use
	ExpiresAt  time.Time `json:"expires_at"`
}

// Devices are the account's live sessions (revoked and expired ones left
// out), this device first, then the most recently used. A session that
// named no device is "an unnamed device".
func Devices(list []client.SessionInfo, now time.Time) []Device {
	out := []Device{}
	for _, x := range list {
		if x.Revoked || !now.Before(x.ExpiresAt) {
			continue
		}
		name := CleanDeviceName(x.Description)
		if name == "" {
			name = "an unnamed device"
		}
		out = append(out, Device{ID: x.ID, Name: name, Current: x.Current, CreatedAt: x.CreatedAt,
			LastUsedAt: x.LastUsedAt, ClientAddr: CleanDeviceName(x.ClientAddr), ExpiresAt: x.ExpiresAt})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Current != out[j].Current {
			return out[i].Current
		}
		return out[i].LastUsedAt.After(out[j].LastUsedAt)
	})
	return out
}
