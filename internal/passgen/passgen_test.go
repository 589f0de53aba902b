package passgen

import (
	"strings"
	"testing"
)

func TestPasswordHasEveryClass(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		p, err := Password(Options{Length: 12})
		if err != nil || len(p) != 12 {
			t.Fatalf("Password = %q, %v", p, err)
		}
		for _, class := range []string{Lower, Upper, Digits, Symbols} {
			if !strings.ContainsAny(p, class) {
				t.Fatalf("%q lacks a character of %q", p, class)
			}
		}
		seen[p] = true
	}
	if len(seen) != 200 {
		t.Fatal("repeated passwords")
	}
}

func TestPasswordOptions(t *testing.T) {
	p, _ := Password(Options{Length: 64, NoUpper: true, NoDigits: true, NoSymbols: true})
	if strings.Trim(p, Lower) != "" {
		t.Fatalf("%q has characters outside lower case", p)
	}
	if _, err := Password(Options{Length: 4}); err == nil {
		t.Fatal("length 4 accepted")
	}
}

func TestPassphrase(t *testing.T) {
	if WordCount() < 1800 {
		t.Fatalf("word list has %d words", WordCount())
	}
	seen := map[string]bool{}
	for _, w := range wordList {
		if seen[w] || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Fatalf("bad or duplicate word %q", w)
		}
		seen[w] = true
	}
	p, err := Passphrase(6, "-")
	if err != nil || strings.Count(p, "-") != 5 {
		t.Fatalf("Passphrase = %q, %v", p, err)
	}
	for _, w := range strings.Split(p, "-") {
		if !seen[w] {
			t.Fatalf("%q is not from the list", w)
		}
	}
	if PassphraseBits(6) < 64 {
		t.Fatalf("6 words give only %.1f bits", PassphraseBits(6))
	}
	if _, err := Passphrase(2, " "); err == nil {
		t.Fatal("2 words accepted")
	}
}
