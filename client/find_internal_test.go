package client

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestFinderIsMatchQuery: Finder.Find yields exactly the positions whose
// summary MatchQuery passes — for ASCII and other text, upper and lower
// case, queries across fields, with a 0 byte, empty fields, none.
func TestFinderIsMatchQuery(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "B", "c", "-", "1", "9", ".", "@", "/", "ß", "Ä", "ä", "İ", "ı", "K", "\u212a", "🔑", "\x00", " ", "\xff"}
	word := func(n int) string {
		var b strings.Builder
		for range r.IntN(n) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	var list []Summary
	for i := range 3000 {
		s := Summary{ID: fmt.Sprint(i), Name: word(8), Username: word(6), Favorite: i%7 == 0}
		for range r.IntN(3) {
			s.URLs = append(s.URLs, word(10))
		}
		for range r.IntN(2) {
			s.Tags = append(s.Tags, word(4))
		}
		list = append(list, s)
	}
	list = append(list, Summary{Name: "site-9", Username: "user-9@example.com", URLs: []string{"https://site9.example.com/login"}, Tags: []string{"bench"}}, Summary{})
	f := NewFinder(list)
	queries := []string{"", "a", "A", "b-", "ss", "ä", "Ä", "k", "\u212a", "i", "İ", "🔑", "\x00", "a\x00", "\xff", "site-9", "9@ex", "9\x00https", "bench", "no such text at all"}
	for range 300 {
		queries = append(queries, word(4))
	}
	for _, q := range queries {
		match := MatchQuery(q)
		var want []int
		for i := range list {
			if match(&list[i]) {
				want = append(want, i)
			}
		}
		if got := slices.Collect(f.Find(q)); !slices.Equal(got, want) {
			t.Fatalf("Find(%q) = %v,\nMatchQuery: %v", q, got, want)
		}
	}
	if f.Len() != len(list) || slices.Collect(NewFinder(nil).Find("a")) != nil {
		t.Fatal("an empty finder found something")
	}
}

// BenchmarkFinder: a keystroke's search over 100,000 summaries, by Finder
// and by MatchQuery one by one.
func BenchmarkFinder(b *testing.B) {
	var list []Summary
	for i := range 100000 {
		list = append(list, Summary{Name: fmt.Sprint("site-", i), Username: fmt.Sprintf("user-%d@example.com", i),
			URLs: []string{fmt.Sprintf("https://site%d.example.com/login", i)}, Tags: []string{"bench"}})
	}
	f := NewFinder(list)
	for _, q := range []string{"s", "site-9", "zzz"} {
		b.Run("finder/"+q, func(b *testing.B) {
			for b.Loop() {
				for range f.Find(q) {
				}
			}
		})
		b.Run("match/"+q, func(b *testing.B) {
			m := MatchQuery(q)
			for b.Loop() {
				for i := range list {
					m(&list[i])
				}
			}
		})
	}
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			NewFinder(list)
		}
	})
}
