package server_test

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/server"
)

func mustTrusted(t testing.TB, list ...string) []netip.Prefix {
	t.Helper()
	ps, err := server.ParseTrustedProxies(list)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestClientAddrRule: the client's address from the TCP peer, the
// forwarded headers and the trusted proxies — the right-most hop outside
// the trusted networks, and the peer whenever anything is in doubt.
func TestClientAddrRule(t *testing.T) {
	local := []string{"127.0.0.1/32"}
	chain := []string{"127.0.0.1/32", "10.0.0.0/8"}
	for _, c := range []struct {
		name    string
		peer    string
		trusted []string
		xff     []string // header lines
		fwd     []string
		want    string
	}{
		// Without the setting, or from a peer outside it, headers are ignored.
		{"no setting", "127.0.0.1:4000", nil, []string{"198.51.100.7"}, []string{"for=198.51.100.7"}, "127.0.0.1"},
		{"untrusted peer", "192.0.2.1:4000", local, []string{"198.51.100.7"}, nil, "192.0.2.1"},
		{"peer next to the trusted one", "127.0.0.2:4000", local, []string{"198.51.100.7"}, nil, "127.0.0.2"},
		{"trusted peer, no header", "127.0.0.1:4000", local, nil, nil, "127.0.0.1"},

		// X-Forwarded-For.
		{"one hop", "127.0.0.1:4000", local, []string{"198.51.100.7"}, nil, "198.51.100.7"},
		{"client's own header is left of its hop", "127.0.0.1:4000", local, []string{"203.0.113.9, 198.51.100.7"}, nil, "198.51.100.7"},
		{"client claims a trusted address", "127.0.0.1:4000", local, []string{"127.0.0.1, 198.51.100.7"}, nil, "198.51.100.7"},
		{"proxies chain", "127.0.0.1:4000", chain, []string{"203.0.113.9, 198.51.100.7, 10.1.2.3"}, nil, "198.51.100.7"},
		{"chain, client forges an inner proxy", "127.0.0.1:4000", chain, []string{"10.9.9.9, 198.51.100.7, 10.1.2.3"}, nil, "198.51.100.7"},
		{"all hops trusted: the left-most", "127.0.0.1:4000", chain, []string{"10.0.0.5, 10.1.2.3"}, nil, "10.0.0.5"},
		{"several header lines are one list", "127.0.0.1:4000", local, []string{"203.0.113.9", "198.51.100.7"}, nil, "198.51.100.7"},
		{"hop with a port", "127.0.0.1:4000", local, []string{"198.51.100.7:5555"}, nil, "198.51.100.7"},
		{"spaces", "127.0.0.1:4000", local, []string{"  203.0.113.9 ,198.51.100.7  "}, nil, "198.51.100.7"},
		{"IPv6", "127.0.0.1:4000", local, []string{"2001:db8::7"}, nil, "2001:db8::7"},
		{"IPv6 in brackets", "127.0.0.1:4000", local, []string{"[2001:db8::7]"}, nil, "2001:db8::7"},
		{"IPv6 in brackets with a port", "127.0.0.1:4000", local, []string{"[2001:db8::7]:443"}, nil, "2001:db8::7"},
		{"IPv6 with a zone", "127.0.0.1:4000", local, []string{"fe80::1%eth0"}, nil, "fe80::1"},
		{"IPv4-mapped", "127.0.0.1:4000", local, []string{"::ffff:198.51.100.7"}, nil, "198.51.100.7"},
		{"IPv6 peer", "[::1]:4000", []string{"::1"}, []string{"198.51.100.7"}, nil, "198.51.100.7"},
		{"IPv4-mapped peer and setting", "[::ffff:127.0.0.1]:4000", []string{"::ffff:127.0.0.1"}, []string{"198.51.100.7"}, nil, "198.51.100.7"},
		{"garbage in the trusted part", "127.0.0.1:4000", local, []string{"198.51.100.7, garbage"}, nil, "127.0.0.1"},
		{"garbage left of the client", "127.0.0.1:4000", local, []string{"garbage, 198.51.100.7"}, nil, "198.51.100.7"},
		{"unknown", "127.0.0.1:4000", local, []string{"unknown"}, nil, "127.0.0.1"},
		{"empty header", "127.0.0.1:4000", local, []string{""}, nil, "127.0.0.1"},
		{"empty entries", "127.0.0.1:4000", local, []string{", ,"}, nil, "127.0.0.1"},
		{"bracketed IPv4", "127.0.0.1:4000", local, []string{"[198.51.100.7]"}, nil, "127.0.0.1"},
		{"bad port", "127.0.0.1:4000", local, []string{"198.51.100.7:99999"}, nil, "127.0.0.1"},
		{"IPv6 half-bracketed", "127.0.0.1:4000", local, []string{"[2001:db8::7"}, nil, "127.0.0.1"},
		{"a name, not an address", "127.0.0.1:4000", local, []string{"client.example"}, nil, "127.0.0.1"},

		// Forwarded (RFC 7239).
		{"Forwarded", "127.0.0.1:4000", local, nil, []string{"for=198.51.100.7"}, "198.51.100.7"},
		{"Forwarded, quoted IPv6 with port", "127.0.0.1:4000", local, nil, []string{`for="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17"},
		{"Forwarded, other parameters, any case", "127.0.0.1:4000", local, nil, []string{`proto=https;For="198.51.100.7:80";by=127.0.0.1`}, "198.51.100.7"},
		{"Forwarded, client's own element", "127.0.0.1:4000", local, nil, []string{"for=203.0.113.9, for=198.51.100.7"}, "198.51.100.7"},
		{"Forwarded, several lines", "127.0.0.1:4000", local, nil, []string{"for=203.0.113.9", "for=198.51.100.7"}, "198.51.100.7"},
		{"Forwarded, chain", "127.0.0.1:4000", chain, nil, []string{"for=198.51.100.7;proto=https, for=10.1.2.3"}, "198.51.100.7"},
		{"Forwarded, quoted comma left of the client", "127.0.0.1:4000", local, nil, []string{`for="a,b;for=1.2.3.4", for=198.51.100.7`}, "198.51.100.7"},
		{"Forwarded, escapes", "127.0.0.1:4000", local, nil, []string{`for="198.51.100\.7"`}, "198.51.100.7"},
		{"Forwarded, obfuscated", "127.0.0.1:4000", local, nil, []string{"for=_hidden"}, "127.0.0.1"},
		{"Forwarded, obfuscated left of the client", "127.0.0.1:4000", local, nil, []string{"for=_hidden, for=198.51.100.7"}, "198.51.100.7"},
		{"Forwarded, unknown", "127.0.0.1:4000", local, nil, []string{"for=unknown"}, "127.0.0.1"},
		{"Forwarded, element without for", "127.0.0.1:4000", local, nil, []string{"for=198.51.100.7, proto=https"}, "127.0.0.1"},
		{"Forwarded, two for in one element", "127.0.0.1:4000", local, nil, []string{"for=203.0.113.9;for=198.51.100.7"}, "127.0.0.1"},
		{"Forwarded, unterminated quote", "127.0.0.1:4000", local, nil, []string{`for="198.51.100.7`}, "127.0.0.1"},
		{"Forwarded, quoted IPv6 without brackets", "127.0.0.1:4000", local, nil, []string{`for="2001:db8::7"`}, "2001:db8::7"},
		{"Forwarded, garbage", "127.0.0.1:4000", local, nil, []string{`;;,=,"\`}, "127.0.0.1"},

		// Both headers: they must agree.
		{"both agree", "127.0.0.1:4000", local, []string{"198.51.100.7"}, []string{"for=198.51.100.7"}, "198.51.100.7"},
		{"client adds Forwarded through an X-Forwarded-For proxy", "127.0.0.1:4000", local, []string{"198.51.100.7"}, []string{"for=203.0.113.9"}, "127.0.0.1"},
		{"client adds X-Forwarded-For through a Forwarded proxy", "127.0.0.1:4000", local, []string{"203.0.113.9"}, []string{"for=198.51.100.7"}, "127.0.0.1"},

		// A peer that is no address and port (tests only) stays as it is.
		{"peer not an address", "pipe", local, []string{"198.51.100.7"}, nil, "pipe"},
		{"peer a name", "example:80", local, []string{"198.51.100.7"}, nil, "example"},
		{"peer with a zone", "[fe80::1%eth0]:80", []string{"fe80::/10"}, []string{"198.51.100.7"}, nil, "198.51.100.7"},
	} {
		h := http.Header{}
		for _, v := range c.xff {
			h.Add("X-Forwarded-For", v)
		}
		for _, v := range c.fwd {
			h.Add("Forwarded", v)
		}
		if got := server.ClientAddrOf(c.peer, h, mustTrusted(t, c.trusted...)); got != c.want {
			t.Errorf("%s: peer %s, X-Forwarded-For %q, Forwarded %q, trusted %v: got %s, want %s", c.name, c.peer, c.xff, c.fwd, c.trusted, got, c.want)
		}
	}
}

// TestParseTrustedProxies: CIDRs or single addresses, normalised; a /0,
// which would let every client name its own address, and anything not a
// network are refused.
func TestParseTrustedProxies(t *testing.T) {
	got, err := server.ParseTrustedProxies([]string{"10.1.2.3/8", "127.0.0.1", " ::1 ", "::ffff:192.0.2.0/120", "2001:db8::/32", ""})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, p := range got {
		s = append(s, p.String())
	}
	if want := "10.0.0.0/8 127.0.0.1/32 ::1/128 192.0.2.0/24 2001:db8::/32"; strings.Join(s, " ") != want {
		t.Fatalf("got %v, want %s", s, want)
	}
	for _, bad := range []string{"0.0.0.0/0", "::/0", "10.0.0.0/33", "proxy.example", "fe80::1%eth0", "10.0.0.0/8,"} {
		if _, err := server.ParseTrustedProxies([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzClientAddrCannotBeChosen: whatever a client sends in either header,
// through a trusted proxy that appends the client's real address to
// X-Forwarded-For, the answer is that address or, in doubt, the proxy —
// never one the client chose; and from an untrusted peer it is the peer.
func FuzzClientAddrCannotBeChosen(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""}, {"203.0.113.9", ""}, {"127.0.0.1", "for=203.0.113.9"}, {"unknown, _hidden", `for="[::1]:80"`},
		{"[2001:db8::1]:5, ,", `for="a,b";for=c, for=198.51.100.7`}, {"\x00\xff", `"\`},
	} {
		f.Add(seed[0], seed[1])
	}
	trusted, _ := server.ParseTrustedProxies([]string{"127.0.0.1/32", "10.0.0.0/8"})
	const real = "198.51.100.7"
	f.Fuzz(func(t *testing.T, xff, fwd string) {
		h := http.Header{}
		if fwd != "" {
			h.Set("Forwarded", fwd)
		}
		if xff != "" {
			h.Set("X-Forwarded-For", xff)
		}
		if got := server.ClientAddrOf("192.0.2.1:1", h, trusted); got != "192.0.2.1" {
			t.Fatalf("untrusted peer: got %s", got)
		}
		if xff != "" {
			xff += ", "
		}
		h.Set("X-Forwarded-For", xff+real)
		if got := server.ClientAddrOf("127.0.0.1:1", h, trusted); got != real && got != "127.0.0.1" {
			t.Fatalf("X-Forwarded-For %q, Forwarded %q: got %s", xff+real, fwd, got)
		}
	})
}
