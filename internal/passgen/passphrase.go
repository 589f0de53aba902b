package passgen

import (
	_ "embed"
	"fmt"
	"math"
	"strings"
)

// words is Coffer's own list of common, easy-to-type English words (2–10
// lower-case letters, no duplicates), one per line.
//
//go:embed words.txt
var wordsFile string

var wordList = strings.Fields(wordsFile)

// WordCount is the size of the word list; each word adds log2(WordCount)
// bits of entropy.
func WordCount() int { return len(wordList) }

// Passphrase returns n words drawn uniformly with crypto/rand, joined by sep.
func Passphrase(n int, sep string) (string, error) {
	if n < MinWords || n > MaxWords {
		return "", fmt.Errorf("a passphrase has %d to %d words", MinWords, MaxWords)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = wordList[randInt(len(wordList))]
	}
	return strings.Join(out, sep), nil
}

// PassphraseBits is the entropy of an n-word passphrase.
func PassphraseBits(n int) float64 { return float64(n) * math.Log2(float64(len(wordList))) }
