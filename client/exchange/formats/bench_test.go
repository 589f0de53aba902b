package formats_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
	"github.com/coffer-pm/coffer/client/exchange/formats"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// The import and export of 10,000 items (docs/performance.md, "Export and
// import"): time per run and the heap's peak while it runs.
//
//	go test -run '^$' -bench 'Import10000|Export10000' -benchtime 1x ./client/exchange/formats

var ctx = context.Background()

func bitwardenFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"encrypted": false, "folders": [{"id": "f", "name": "Work/Servers"}], "items": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type": 1, "name": "Site %05d", "notes": "some notes about this login", "favorite": false, "folderId": "f",
 "fields": [{"name": "PIN", "value": "%04d", "type": 1}],
 "login": {"uris": [{"uri": "https://site-%d.example/login"}], "username": "user%d@example.com", "password": "Xq7!vR2#pL9@wT4z-%d", "totp": null}}`, i, i%10000, i, i, i)
	}
	b.WriteString("]}")
	return b.Bytes()
}

func kdbxFile(b *testing.B, n int) []byte {
	var buf bytes.Buffer
	w, err := formats.NewKDBXWriter(&buf, []exchange.Vault{{ID: "v", Name: "Work", Kind: "personal"}}, []byte("pw"))
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		w.Write(exchange.Item{Vault: "v", Type: "login", Content: client.Content{Name: fmt.Sprintf("Site %05d", i), Notes: "some notes",
			Login: &client.LoginFields{Username: fmt.Sprintf("user%d", i), Password: "Xq7!vR2#pL9@wT4z", URLs: []string{fmt.Sprintf("https://site-%d.example", i)}}}})
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// peakHeap samples the heap in use until stop is closed and returns the
// highest value seen, in MB.
func peakHeap(stop <-chan struct{}) <-chan float64 {
	out := make(chan float64, 1)
	go func() {
		var peak uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				out <- float64(peak) / (1 << 20)
				return
			case <-t.C:
			}
		}
	}()
	return out
}

func freshSession(b *testing.B, env *testserver.Env, i int) (*client.Session, *client.Vault) {
	s, err := client.Signup(ctx, env.URL, fmt.Sprintf("bench%d@example.com", i), "Bench", []byte("bench password"), client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	v, _ := s.PersonalVault()
	return s, v
}

func BenchmarkImport10000(b *testing.B) {
	files := map[string][]byte{exchange.FormatBitwardenJSON: bitwardenFile(10000), exchange.FormatKDBX: kdbxFile(b, 10000)}
	for _, format := range []string{exchange.FormatBitwardenJSON, exchange.FormatKDBX} {
		b.Run(format, func(b *testing.B) {
			env := testserver.Start(b, nil, nil)
			var peak float64
			for i := range b.N {
				b.StopTimer()
				s, v := freshSession(b, env, i)
				runtime.GC()
				stop := make(chan struct{})
				peakC := peakHeap(stop)
				b.StartTimer()
				src, _, err := formats.Open(bytes.NewReader(files[format]), format, nil, func() ([]byte, error) { return []byte("pw"), nil })
				if err != nil {
					b.Fatal(err)
				}
				res, err := exchange.Import(ctx, s, v, src, exchange.ImportOptions{})
				if err != nil || res.Items != 10000 {
					b.Fatalf("%+v %v", res, err)
				}
				b.StopTimer()
				close(stop)
				peak = max(peak, <-peakC)
			}
			b.ReportMetric(peak, "peak-heap-MB")
		})
	}
}

func BenchmarkExport10000(b *testing.B) {
	env := testserver.Start(b, nil, nil)
	s, v := freshSession(b, env, 0)
	src, _, err := formats.Open(bytes.NewReader(bitwardenFile(10000)), exchange.FormatBitwardenJSON, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := exchange.Import(ctx, s, v, src, exchange.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{exchange.FormatJSON, exchange.FormatKDBX} {
		b.Run(format, func(b *testing.B) {
			var peak float64
			for range b.N {
				runtime.GC()
				stop := make(chan struct{})
				peakC := peakHeap(stop)
				vaults := []*client.Vault{v}
				ew, err := formats.NewItemWriter(format, io.Discard, exchange.ExportHeader(s, vaults), []byte("pw"))
				if err != nil {
					b.Fatal(err)
				}
				sum, err := exchange.Export(ctx, s, vaults, exchange.ExportOptions{}, ew, exchange.CarriesFiles(format))
				if err != nil || sum.Items != 10000 {
					b.Fatalf("%+v %v", sum, err)
				}
				close(stop)
				peak = max(peak, <-peakC)
			}
			b.ReportMetric(peak, "peak-heap-MB")
		})
	}
}
