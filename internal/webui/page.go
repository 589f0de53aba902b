package webui

import (
	"regexp"
	"strings"
)

// A Ref is a file a page loads by a tag: a script, a stylesheet (or
// module preload), or another link (the icon).
type Ref struct {
	URL       string // as written: "/assets/index-….js"
	Integrity string // the integrity attribute; "" when there is none
	Code      bool   // a script or stylesheet: it must carry its integrity
}

var (
	tagRE    = regexp.MustCompile(`(?is)<(script|link)\b([^>]*)>`)
	attrRE   = regexp.MustCompile(`(?is)([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
	inlineRE = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script\s*>`)
)

func attrs(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
		out[strings.ToLower(m[1])] = m[2] + m[3] + m[4]
	}
	return out
}

// References lists the files page loads by its tags, in order. It reads
// this build's own index.html (Vite's output) and, to describe how another
// page differs, a server's: it is no HTML parser, and whether a page is
// this build's is decided by its bytes, never by what this finds.
func References(page []byte) []Ref {
	var out []Ref
	for _, m := range tagRE.FindAllStringSubmatch(string(page), -1) {
		a := attrs(m[2])
		var r Ref
		switch strings.ToLower(m[1]) {
		case "script":
			r = Ref{URL: a["src"], Code: true}
		default:
			rel := strings.ToLower(a["rel"])
			r = Ref{URL: a["href"], Code: rel == "stylesheet" || rel == "modulepreload"}
		}
		if r.URL == "" {
			continue // an inline script: the CSP names it
		}
		r.Integrity = a["integrity"]
		out = append(out, r)
	}
	return out
}

// inlineScripts returns the text of each script of page without a src:
// the CSP allows exactly these, by their hashes.
func inlineScripts(page []byte) [][]byte {
	var out [][]byte
	for _, m := range inlineRE.FindAllSubmatch(page, -1) {
		if _, ok := attrs(string(m[1]))["src"]; !ok {
			out = append(out, m[2])
		}
	}
	return out
}
