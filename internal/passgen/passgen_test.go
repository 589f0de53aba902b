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
