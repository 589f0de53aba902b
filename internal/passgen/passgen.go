// Package passgen generates random passwords from crypto/rand.
package passgen

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
)

// Character classes.
const (
	Lower   = "abcdefghijkmnopqrstuvwxyz" // no l
	Upper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"  // no I, O
	Digits  = "23456789"                  // no 0, 1
	Symbols = "!#$%&*+-=?@^_~"
)

// The generator's bounds: the client core's Rules (client.CurrentRules)
// carry them to the CLI's flags and the page's controls.
const (
	MinLength = 8
	MaxLength = 256
	MinWords  = 3
	MaxWords  = 20
)

// Options select the length and the character classes; each selected
// class appears at least once.
type Options struct {
	Length                       int
	NoUpper, NoDigits, NoSymbols bool
	AmbiguousToo                 bool // include l, I, O, 0, 1
}

// Password returns a random password.
func Password(o Options) (string, error) {
	if o.Length < MinLength || o.Length > MaxLength {
		return "", fmt.Errorf("password length must be between %d and %d", MinLength, MaxLength)
	}
	lower, upper, digits := Lower, Upper, Digits
	if o.AmbiguousToo {
		lower, upper, digits = lower+"l", upper+"IO", digits+"01"
	}
	classes := []string{lower}
	if !o.NoUpper {
		classes = append(classes, upper)
	}
	if !o.NoDigits {
		classes = append(classes, digits)
	}
	if !o.NoSymbols {
		classes = append(classes, Symbols)
	}
	all := strings.Join(classes, "")
	out := make([]byte, o.Length)
	// One from each class, the rest from all, then a Fisher-Yates shuffle.
	for i := range out {
		set := all
		if i < len(classes) {
			set = classes[i]
		}
		out[i] = set[randInt(len(set))]
	}
	for i := len(out) - 1; i > 0; i-- {
		j := randInt(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return int(v.Int64())
}
