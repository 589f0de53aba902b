package client

import (
	"slices"
	"testing"
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
