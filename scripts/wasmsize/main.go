// Command wasmsize says what a Go WebAssembly binary carries, package by
// package: the bytes of each package's function bodies (the code
// section), from the binary's name section, so the binary must be built
// without -s -w. It prints the code and data sections and the largest
// packages (docs/performance.md, "First load"):
//
//	GOOS=js GOARCH=wasm go build -trimpath -o /tmp/core.wasm ./cmd/coffer-web
//	go run ./scripts/wasmsize [-n 40] [-f] /tmp/core.wasm
//
// -f lists the largest functions instead.
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
)

func main() {
	n := flag.Int("n", 40, "how many packages (or functions) to list")
	funcs := flag.Bool("f", false, "list functions, not packages")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: wasmsize [-n N] [-f] FILE.wasm")
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	m, err := parse(data)
	if err != nil {
		log.Fatal(err)
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	fmt.Printf("file %d bytes (gzip -9 in Go: %d); code section %d, data section %d, names %d\n",
		len(data), z.Len(), m.sections[10], m.sections[11], m.sections[0])
	sizes := map[string]int{}
	for name, size := range m.funcs {
		key := name
		if !*funcs {
			key = pkg(name)
		}
		sizes[key] += size
	}
	keys := make([]string, 0, len(sizes))
	for k := range sizes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return sizes[keys[i]] > sizes[keys[j]] || sizes[keys[i]] == sizes[keys[j]] && keys[i] < keys[j]
	})
	for i, k := range keys {
		if i == *n {
			break
		}
		fmt.Printf("%9d  %s\n", sizes[k], k)
	}
}

// pkg is the package of a function's name in the name section, where Go
// writes "net/http.(*Transport).roundTrip" as "net_http.__Transport_.roundTrip"
// and "github.com/a/b.F" as "github.com_a_b.F".
func pkg(name string) string {
	if i := strings.Index(name, "."); i > 0 {
		if strings.HasPrefix(name, "github.com_") || strings.HasPrefix(name, "golang.org_") || strings.HasPrefix(name, "modernc.org_") {
			if j := strings.Index(name[i+1:], "."); j > 0 {
				return name[:i+1+j]
			}
		}
		return name[:i]
	}
	return name
}

type module struct {
	sections map[byte]int // id → bytes (custom sections add up under 0)
	funcs    map[string]int
}

func parse(b []byte) (*module, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly binary")
	}
	m := &module{sections: map[byte]int{}, funcs: map[string]int{}}
	var imports int
	var code []byte
	names := map[int]string{}
	for r := (reader{b: b, i: 8}); r.i < len(b); {
		id := r.byte()
		size := r.uint()
		body := r.b[r.i : r.i+size]
		r.i += size
		m.sections[id] += size
		s := reader{b: body}
		switch id {
		case 2: // imports: function indexes start after the imported ones
			for count := s.uint(); count > 0; count-- {
				s.name()
				s.name()
				switch kind := s.byte(); kind {
				case 0:
					s.uint()
					imports++
				case 1:
					s.byte()
					s.limits()
				case 2:
					s.limits()
				case 3:
					s.byte()
					s.byte()
				}
			}
		case 10:
			code = body
		case 0:
			if s.name() != "name" {
				continue
			}
			for s.i < len(s.b) {
				sub := s.byte()
				n := s.uint()
				if sub == 1 { // function names
					f := reader{b: s.b[s.i : s.i+n]}
					for count := f.uint(); count > 0; count-- {
						idx := f.uint()
						names[idx] = f.name()
					}
				}
				s.i += n
			}
		}
	}
	if len(names) == 0 {
		return nil, errors.New("no function names: build without -ldflags=-s -w")
	}
	s := reader{b: code}
	for i, count := 0, s.uint(); i < count; i++ {
		size := s.uint()
		s.i += size
		name, ok := names[imports+i]
		if !ok {
			name = fmt.Sprintf("function %d", imports+i)
		}
		m.funcs[name] += size
	}
	return m, nil
}

type reader struct {
	b []byte
	i int
}

func (r *reader) byte() byte { r.i++; return r.b[r.i-1] }

func (r *reader) uint() int {
	var v, shift int
	for {
		c := r.byte()
		v |= int(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
		shift += 7
	}
}

func (r *reader) name() string {
	n := r.uint()
	r.i += n
	return string(r.b[r.i-n : r.i])
}

func (r *reader) limits() {
	if r.byte()&1 != 0 {
		r.uint()
	}
	r.uint()
}
