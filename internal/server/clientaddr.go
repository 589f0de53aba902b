package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The client's address: the one rule every per-client limit (the
// unauthenticated rate limit, the hash gate's places, the body budget,
// verification and recovery budgets) and every recorded source (audit
// log, sessions, recovery requests, logs) goes through (Server.clientAddr).
//
// Without trusted proxies it is the TCP peer, and forwarded headers are
// ignored: any client can write them. With trusted proxies (coffer serve
// --trusted-proxy) and a TCP peer inside one of them, the forwarded
// headers are read from the right: each hop a trusted proxy appended is
// skipped, and the first hop outside the trusted networks is the client.
// Everything left of it was written by that client (or by proxies it
// chose), so it is never read — a client that sends its own
// X-Forwarded-For only adds entries that are never reached.
//
// When in doubt the answer is the TCP peer (the proxy): a hop within the
// walked part that does not parse, is "unknown" or obfuscated
// ("_hidden"), a Forwarded element without for=, or X-Forwarded-For and
// Forwarded that disagree. A client can then make itself count as the
// proxy, never as anyone else; and because honest requests name their
// client, the proxy's own bucket is shared only by such doubtful ones.

// parseTrusted reads trusted proxy networks: CIDRs, or single addresses
// (a /32 or /128). IPv4-mapped IPv6 prefixes are taken as IPv4, the form
// addresses are compared in.
func parseTrusted(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			// A zone names a link, not a network.
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is neither a network (CIDR, such as 10.0.0.0/8) nor an address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// ParseTrustedProxies checks and normalises a list of trusted proxy
// networks (coffer serve --trusted-proxy). A /0 is refused: trusting
// every address would let every client choose its own.
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	ps, err := parseTrusted(list)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Bits() == 0 {
			return nil, fmt.Errorf("%s would trust every client to name its own address", p)
		}
	}
	return ps, nil
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddrOf is the rule: the client's address of a request from TCP
// peer remoteAddr with headers h, given the trusted proxy networks. It is
// an IP address without port or zone, IPv4-mapped addresses as IPv4; a
// peer that is no IP address and port (only in tests) is returned as it
// is, its host part if it has one.
func clientAddrOf(remoteAddr string, h http.Header, trusted []netip.Prefix) string {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
			return host
		}
		return remoteAddr
	}
	peer := ap.Addr().Unmap().WithZone("")
	if len(trusted) == 0 || !isTrusted(peer, trusted) {
		return peer.String()
	}
	xff, xffOK := walkHops(forwardedFor(h), trusted)
	fwd, fwdOK := walkHops(forwardedElements(h), trusted)
	switch {
	case !xffOK || !fwdOK:
		return peer.String()
	case xff.IsValid() && fwd.IsValid() && xff != fwd:
		return peer.String()
	case xff.IsValid():
		return xff.String()
	case fwd.IsValid():
		return fwd.String()
	}
	return peer.String()
}

// walkHops walks hops (left to right as written, each one raw entry)
// from the right: the first not in trusted is the client. If all are
// trusted, the left-most is: every one of them was reported by a trusted
// proxy. ok is false when a hop reached does not parse; an invalid
// address with ok means there were no hops.
func walkHops(hops []string, trusted []netip.Prefix) (client netip.Addr, ok bool) {
	for i := len(hops) - 1; i >= 0; i-- {
		a, parsed := parseHop(hops[i])
		if !parsed {
			return netip.Addr{}, false
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client, true
}

// parseHop reads one node: an IPv4 or IPv6 address, with or without a
// port, IPv6 with or without brackets. Anything else — "unknown", an
// obfuscated identifier ("_hidden"), garbage — does not parse.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	// "[2001:db8::1]" without a port.
	if inner, ok := strings.CutPrefix(s, "["); ok {
		if inner, ok := strings.CutSuffix(inner, "]"); ok {
			if a, err := netip.ParseAddr(inner); err == nil && a.Is6() {
				return a.Unmap().WithZone(""), true
			}
		}
	}
	return netip.Addr{}, false
}

// forwardedFor is the X-Forwarded-For list, all its header lines in order
// (several lines are one comma-separated list, RFC 9110 §5.3).
func forwardedFor(h http.Header) []string {
	var out []string
	for _, v := range h.Values("X-Forwarded-For") {
		out = append(out, strings.Split(v, ",")...)
	}
	return out
}

// forwardedElements is the for= node of each element of the Forwarded
// header (RFC 7239), in order; an element without exactly one for= gives
// "" (which does not parse as a hop). Quoted strings may hold commas and
// semicolons, and backslash escapes.
func forwardedElements(h http.Header) []string {
	var out []string
	for _, v := range h.Values("Forwarded") {
		for _, elem := range splitQuoted(v, ',') {
			node, n := "", 0
			for _, pair := range splitQuoted(elem, ';') {
				k, val, found := strings.Cut(pair, "=")
				if !found || !strings.EqualFold(strings.TrimSpace(k), "for") {
					continue
				}
				node, n = unquote(strings.TrimSpace(val)), n+1
			}
			if n != 1 {
				node = ""
			}
			out = append(out, node)
		}
	}
	return out
}

// splitQuoted splits s at sep outside double quotes.
func splitQuoted(s string, sep byte) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++ // the escaped byte, whatever it is
		case c == '"':
			quoted = !quoted
		case !quoted && c == sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unquote takes the quotes and escapes off a quoted-string; a token is
// returned as it is, and so is a string with one quote only (it then
// fails to parse as an address).
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// clientAddr is the client's address of r (clientAddrOf under the
// server's trusted proxies).
func (s *Server) clientAddr(r *http.Request) string {
	return clientAddrOf(r.RemoteAddr, r.Header, s.cfg.TrustedProxies)
}

// clientNetwork is the network r's client counts under in the per-client
// limits (networkKey of clientAddr).
func (s *Server) clientNetwork(r *http.Request) string { return networkKey(s.clientAddr(r)) }
