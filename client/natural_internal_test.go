package client

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Names sort as people read them (issue 24: site-113 came after
// site-1129).
func TestNaturalOrder(t *testing.T) {
	names := []string{"site-1129", "site-113", "site-2", "site-10", "site-1", "a01", "a1", "a", "b", "ärger", "z9", "z09x", "10 things", "9 lives", ""}
	slices.SortFunc(names, naturalCompare)
	want := []string{"", "9 lives", "10 things", "a", "a01", "a1", "b", "site-1", "site-2", "site-10", "site-113", "site-1129", "z9", "z09x", "ärger"}
	if !slices.Equal(names, want) {
		t.Fatalf("order:\n%q\nwant\n%q", names, want)
	}
	for _, n := range want {
		if naturalCompare(n, n) != 0 {
			t.Fatalf("%q is not equal to itself", n)
		}
	}
	// Antisymmetric on every pair.
	for _, a := range want {
		for _, b := range want {
			if naturalCompare(a, b) != -naturalCompare(b, a) {
				t.Fatalf("compare(%q, %q) is not antisymmetric", a, b)
			}
		}
	}
}

// naturalCompareBefore is naturalCompare as issue 24 first wrote it (a
// rune at a time, strings.TrimLeft): the faster one must order alike.
func naturalCompareBefore(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			x, y := strings.TrimLeft(a[si:i], "0"), strings.TrimLeft(b[sj:j], "0")
			if len(x) != len(y) {
				return cmpInt(len(x), len(y))
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
			continue
		}
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		if ra != rb {
			return cmpInt(int(ra), int(rb))
		}
		i, j = i+na, j+nb
	}
	if c := cmpInt(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// TestNaturalCompareAsBefore: random names of digits, ASCII, other
// scripts and invalid UTF-8 compare as they did.
func TestNaturalCompareAsBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	parts := []string{"0", "00", "1", "9", "10", "007", "a", "b", "-", " ", "ä", "ß", "é", "z", "~", "\x7f", "\xff", "\xc3", "日"}
	name := func() string {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		return b.String()
	}
	for range 200000 {
		a, b := name(), name()
		if got, want := naturalCompare(a, b), naturalCompareBefore(a, b); got != want {
			t.Fatalf("naturalCompare(%q, %q) = %d, was %d", a, b, got, want)
		}
	}
}

// TestNaturalKeyOrdersAsNaturalCompare: where two names have natural
// keys, the keys' byte order (then the names') is naturalCompare's —
// for random names of digit runs (leading zeros, long ones), ASCII and
// other scripts; a name of invalid UTF-8 or a run of 256 digits has none.
func TestNaturalKeyOrdersAsNaturalCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	parts := []string{"0", "00", "1", "9", "10", "007", "99999999999999999999", "a", "b", "-", " ", "/", ":", "ä", "ß", "é", "z", "~", "\x7f", "\x01", "日", "𝔘", "\u00a0"}
	name := func() string {
		var b strings.Builder
		for range r.IntN(7) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		return b.String()
	}
	order := func(a, b string) int {
		ka, _ := naturalKey(a)
		kb, _ := naturalKey(b)
		if c := strings.Compare(ka, kb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	}
	for range 300000 {
		a, b := name(), name()
		if got, want := order(a, b), naturalCompare(a, b); got != want {
			ka, _ := naturalKey(a)
			kb, _ := naturalKey(b)
			t.Fatalf("keys order %q and %q as %d, naturalCompare as %d (keys %q, %q)", a, b, got, want, ka, kb)
		}
	}
	for _, bad := range []string{"a\xffb", strings.Repeat("7", 256)} {
		if _, ok := naturalKey(bad); ok {
			t.Fatalf("naturalKey(%.20q) has a key", bad)
		}
	}
	if _, ok := naturalKey(strings.Repeat("7", 255)); !ok {
		t.Fatal("a run of 255 digits has no key")
	}
}

// TestByNameIsNaturalOrder: byName (natural keys where it can) sorts as
// naturalCompare then the id — names with keys, without (invalid UTF-8)
// and upper case mixed.
func TestByNameIsNaturalOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	parts := []string{"0", "01", "1", "2", "10", "Site-", "site-", "a", "B", "ä", "Ä", "\xff", "日", " "}
	var items []*Item
	for i := range 5000 {
		var b strings.Builder
		for range r.IntN(5) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		items = append(items, &Item{ID: fmt.Sprintf("id-%05d", r.IntN(100000)+i), Content: Content{Name: b.String()}})
	}
	want := slices.Clone(items)
	slices.SortFunc(want, func(a, b *Item) int {
		if c := naturalCompare(strings.ToLower(a.Content.Name), strings.ToLower(b.Content.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if got := byName(items); !slices.Equal(got, want) {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("at %d: %q (%s), want %q (%s)", i, got[i].Content.Name, got[i].ID, want[i].Content.Name, want[i].ID)
			}
		}
	}
}
