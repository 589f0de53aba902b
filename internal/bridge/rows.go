package bridge

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/coffer-pm/coffer/client"
)

// Rows is what rows(vault) answers: the list the page holds of a vault
// (or of every vault) — every item as the list shows it, no secret, in
// the client core's natural order — column by column: at 100,000 items a
// list of objects (list) is twice the bytes, and the time to write and
// read them. Version names this list for find, which answers positions
// in it.
type Rows struct {
	Version uint64 `json:"version"`
	// Vaults and Types are the labels (My Vault, ORG/NAME) and item types
	// the rows name; Vault[i] and Type[i] index them.
	Vaults   []string `json:"vaults"`
	Types    []string `json:"types"`
	ID       []string `json:"id"`
	Name     []string `json:"name"`
	Username []string `json:"username"` // "" when none
	Vault    []int    `json:"vault"`
	Type     []int    `json:"type"`
	Favorite []int    `json:"favorite"` // the positions of the favourites
}

// Found is what find(query) answers: which rows of the list Version (the
// last rows answered) match query by the client core's search rule
// (client.MatchQuery, as list's), as ranges of positions [from, to),
// flattened; Count is how many.
type Found struct {
	Version uint64 `json:"version"`
	Ranges  []int  `json:"ranges"`
	Count   int    `json:"count"`
}

// rows answers the list of vault ("" for all) and keeps it for find. The
// answer is written here, not by encoding/json: at 100,000 items its
// reflection (and, for a json.Marshaler, its check of the result) costs
// more in WebAssembly than the list itself.
func (c *Core) rows(vault string) (json.RawMessage, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	list := s.Search(false, vault, "")
	labels := map[string]string{}
	for _, v := range s.Vaults() {
		labels[v.ID] = v.Label()
	}
	c.rowsMu.Lock()
	c.rowsVersion++
	version := c.rowsVersion
	c.rowsList, c.rowsIndexed = list, false
	c.rowsMu.Unlock()
	// find's index is made once the page has drawn the list, so that the
	// first keystroke does not wait for it (at 100,000 items about 40 ms
	// in WebAssembly).
	time.AfterFunc(indexAfter, func() {
		c.rowsMu.Lock()
		defer c.rowsMu.Unlock()
		if c.rowsVersion == version && c.rowsList != nil {
			c.indexLocked()
		}
	})
	return encodeRows(version, list, labels), nil
}

// indexAfter is how long after answering rows the core indexes the list
// for find.
const indexAfter = 250 * time.Millisecond

// indexLocked makes find's index of rowsList, unless it is made. The
// caller holds rowsMu.
func (c *Core) indexLocked() {
	switch {
	case c.rowsIndexed:
	case c.rowsFinder == nil:
		c.rowsFinder = client.NewFinder(c.rowsList)
	default:
		c.rowsFinder.Reset(c.rowsList) // its memory again
	}
	c.rowsIndexed = true
}

// find answers which rows of the last list rows answered match query
// (client.Finder: MatchQuery's rule over the list's text, lowered once,
// after rows answered or at the first find).
func (c *Core) find(query string) (json.RawMessage, error) {
	if _, err := c.Session(); err != nil {
		return nil, err
	}
	c.rowsMu.Lock()
	defer c.rowsMu.Unlock()
	c.indexLocked()
	b := make([]byte, 0, 64)
	b = append(b, `{"version":`...)
	b = strconv.AppendUint(b, c.rowsVersion, 10)
	b = append(b, `,"ranges":[`...)
	count, from, to, sep := 0, -1, -1, ""
	for i := range c.rowsFinder.Find(query) {
		count++
		if i == to {
			to++
			continue
		}
		if from >= 0 {
			b = appendRange(b, sep, from, to)
			sep = ","
		}
		from, to = i, i+1
	}
	if from >= 0 {
		b = appendRange(b, sep, from, to)
	}
	b = append(b, `],"count":`...)
	b = strconv.AppendInt(b, int64(count), 10)
	return append(b, '}'), nil
}

// forgetRows drops the list kept for find (at lock and logout).
func (c *Core) forgetRows() {
	c.rowsMu.Lock()
	c.rowsList, c.rowsFinder, c.rowsIndexed = nil, nil, false
	c.rowsMu.Unlock()
}

func appendRange(b []byte, sep string, from, to int) []byte {
	b = append(b, sep...)
	b = strconv.AppendInt(b, int64(from), 10)
	b = append(b, ',')
	return strconv.AppendInt(b, int64(to), 10)
}

// encodeRows writes Rows as encoding/json would.
func encodeRows(version uint64, list []client.Summary, labels map[string]string) json.RawMessage {
	vaults, types := map[string]int{}, map[string]int{}
	var vaultNames, typeNames []string
	vault, typ := make([]int, len(list)), make([]int, len(list))
	size := 256
	lastVault, lastType, v, t := "", "", -1, -1 // (most neighbours share them)
	for i := range list {
		it := &list[i]
		if v < 0 || it.VaultID != lastVault {
			k, ok := vaults[it.VaultID]
			if !ok {
				k = len(vaultNames)
				vaults[it.VaultID] = k
				vaultNames = append(vaultNames, labels[it.VaultID])
			}
			lastVault, v = it.VaultID, k
		}
		vault[i] = v
		if t < 0 || it.Type != lastType {
			k, ok := types[it.Type]
			if !ok {
				k = len(typeNames)
				types[it.Type] = k
				typeNames = append(typeNames, it.Type)
			}
			lastType, t = it.Type, k
		}
		typ[i] = t
		size += len(it.ID) + len(it.Name) + len(it.Username) + 24
	}
	b := make([]byte, 0, size)
	b = append(b, `{"version":`...)
	b = strconv.AppendUint(b, version, 10)
	b = append(b, `,"vaults":`...)
	b = appendStrings(b, len(vaultNames), func(i int) string { return vaultNames[i] })
	b = append(b, `,"types":`...)
	b = appendStrings(b, len(typeNames), func(i int) string { return typeNames[i] })
	b = append(b, `,"id":`...)
	b = appendStrings(b, len(list), func(i int) string { return list[i].ID })
	b = append(b, `,"name":`...)
	b = appendStrings(b, len(list), func(i int) string { return list[i].Name })
	b = append(b, `,"username":`...)
	b = appendStrings(b, len(list), func(i int) string { return list[i].Username })
	b = append(b, `,"vault":`...)
	b = appendInts(b, vault)
	b = append(b, `,"type":`...)
	b = appendInts(b, typ)
	var favorites []int
	for i := range list {
		if list[i].Favorite {
			favorites = append(favorites, i)
		}
	}
	b = append(b, `,"favorite":`...)
	b = appendInts(b, favorites)
	return append(b, '}')
}

func appendStrings(b []byte, n int, at func(int) string) []byte {
	b = append(b, '[')
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, at(i))
	}
	return append(b, ']')
}

func appendInts(b []byte, xs []int) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return append(b, ']')
}

// plain are the ASCII bytes a JSON string holds as they are.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString writes s as a JSON string, as encoding/json does (invalid
// UTF-8 as U+FFFD; <, > and & escaped; U+2028 and U+2029 too).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
