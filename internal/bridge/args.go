package bridge

import (
	"encoding/json"
	"errors"
	"strconv"
)

// Args are a call's arguments as the page passed them: strings, and
// numbers for revisions. A missing or other argument reads as "" or 0.
type Args interface {
	Str(i int) string
	Num(i int) uint64
}

// List is Args from Go values (the tests, and anything not JavaScript).
type List []any

func (l List) Str(i int) string {
	if i < len(l) {
		if s, ok := l[i].(string); ok {
			return s
		}
	}
	return ""
}

func (l List) Num(i int) uint64 {
	if i >= len(l) {
		return 0
	}
	switch n := l[i].(type) {
	case int:
		return uint64(max(n, 0))
	case uint64:
		return n
	case float64:
		return uint64(max(n, 0))
	case string:
		v, _ := strconv.ParseUint(n, 10, 64)
		return v
	}
	return 0
}

// strList reads a JSON array of strings from argument i.
func strList(a Args, i int) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(a.Str(i)), &out); err != nil {
		return nil, errors.New("expected a list of addresses")
	}
	return out, nil
}
