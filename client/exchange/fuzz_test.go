package exchange

import (
	"bytes"
	"testing"
)

// FuzzCofferReader: any bytes give items or an error, never a panic or
// unbounded memory (each item is read under MaxItemBytes).
func FuzzCofferReader(f *testing.F) {
	f.Add(writeDoc(f, sampleItems()))
	f.Add([]byte(`{"format":"coffer-export","version":1,"vaults":[],"items":[{"id":"a","type":"login","content":{"name":"x","login":{"urls":["u"]}}}]}`))
	f.Add([]byte(`{"items":[`))
	f.Add([]byte("\xff\xfe{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func(n int64) { MaxItemBytes = n }(MaxItemBytes)
		MaxItemBytes = 1 << 16
		rd, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			if _, err := rd.Next(); err != nil {
				return
			}
		}
	})
}
