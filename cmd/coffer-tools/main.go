//go:build js && wasm

// Command coffer-tools is the web app's second WebAssembly module: the
// file formats of other tools and Coffer's password-protected export
// (client/exchange/formats, with gokeepasslib), which the client core
// (cmd/coffer-web) does not carry, so that the first load stays small.
// The page loads it when Tools → Import or Tools → Export opens, and it
// exposes globalThis.cofferTools (docs/web.md):
//
//	detect(bytes)                         → JSON formats.Detected
//	toCoffer(bytes, format, mapping, pw)  → Uint8Array, a Coffer JSON document
//	fromCoffer(doc, format, pw)           → Uint8Array, the file
//
// It holds no key and no session: it turns a file into Coffer JSON for
// the core's import, and the core's Coffer JSON into a file.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/coffer-pm/coffer/client/exchange/formats"
)

func main() {
	api := map[string]any{
		"detect": fn(func(a []js.Value) (any, error) {
			b, err := json.Marshal(formats.DetectFile(bytesArg(a, 0)))
			return string(b), err
		}),
		"toCoffer": fn(func(a []js.Value) (any, error) {
			var mapping map[string]string
			if m := strArg(a, 2); m != "" {
				if err := json.Unmarshal([]byte(m), &mapping); err != nil {
					return nil, errors.New("the column mapping is not a JSON object")
				}
			}
			doc, err := formats.ToCoffer(bytesArg(a, 0), strArg(a, 1), mapping, []byte(strArg(a, 3)))
			return toJS(doc), err
		}),
		"fromCoffer": fn(func(a []js.Value) (any, error) {
			var out bytes.Buffer
			_, err := formats.Convert(bytes.NewReader(bytesArg(a, 0)), strArg(a, 1), &out, []byte(strArg(a, 2)))
			return toJS(out.Bytes()), err
		}),
	}
	js.Global().Set("cofferTools", js.ValueOf(api))
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("coffer-tools-ready"))
	select {}
}

// fn is a function of cofferTools: a Promise of do's answer, which runs on
// a goroutine of its own (a JavaScript callback must not wait) and never
// panics out: a panic is an error.
func fn(do func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, pr []js.Value) any {
			resolve, reject := pr[0], pr[1]
			go func() {
				out, err := guarded(func() (any, error) { return do(args) })
				if err != nil {
					e := js.Global().Get("Error").New(err.Error())
					e.Set("kind", kind(err))
					reject.Invoke(e)
					return
				}
				resolve.Invoke(out)
			}()
			return nil
		}))
	})
}

func guarded(do func() (any, error)) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			js.Global().Get("console").Call("error", fmt.Sprint("coffer-tools: ", r))
			out, err = nil, errors.New("the file could not be read (an internal error of Coffer's tools; the console has its details)")
		}
	}()
	return do()
}

// kind tells the page what to do about err: "file-password" asks for the
// file's password again.
func kind(err error) string {
	if errors.Is(err, formats.ErrWrongPassword) || errors.Is(err, formats.ErrKDBXPassword) {
		return "file-password"
	}
	return "error"
}

func strArg(a []js.Value, i int) string {
	if i < len(a) && a[i].Type() == js.TypeString {
		return a[i].String()
	}
	return ""
}

func bytesArg(a []js.Value, i int) []byte {
	if i >= len(a) || !a[i].InstanceOf(js.Global().Get("Uint8Array")) {
		return nil
	}
	b := make([]byte, a[i].Get("length").Int())
	js.CopyBytesToGo(b, a[i])
	return b
}

func toJS(b []byte) js.Value {
	out := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(out, b)
	return out
}
