//go:build js && wasm

// Command coffer-web is the client core for the browser: the same Go code
// as the CLI's (package client), compiled to WebAssembly. It exposes a
// narrow bridge, globalThis.cofferCore, documented in docs/web.md; what
// each function does is internal/bridge's (plain Go, tested natively).
// This file only glues it to JavaScript: arguments, Promises,
// localStorage, IndexedDB (idb.go), bytes and callbacks. Keys and the
// unlocked session live only in this module's memory; the page gets item
// content to show, never a key.
package main

import (
	"encoding/json"
	"errors"
	"syscall/js"

	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
)

func main() {
	// The session is named after the browser ("Firefox on Windows") for
	// the account's device list; the user agent is only read here.
	opts := bridge.Options
	opts.Description = view.BrowserDevice(js.Global().Get("navigator").Get("userAgent").String())
	c := bridge.New(js.Global().Get("location").Get("origin").String(), jsHost{}, opts)
	api := map[string]any{}
	for _, fn := range c.Funcs() {
		if fn.Glue {
			continue
		}
		name := fn.Name
		api[name] = promised(name, func(args []js.Value) (any, error) { return c.Call(name, jsArgs(args)) })
	}
	// A callback never waits (bridge.go): each of these starts a goroutine.
	api["watch"] = js.FuncOf(func(_ js.Value, args []js.Value) any { return watch(c, args) })
	api["attach"] = js.FuncOf(func(_ js.Value, args []js.Value) any { return attach(c, args) })
	api["download"] = js.FuncOf(func(_ js.Value, args []js.Value) any { return download(c, args) })
	api["exportDocument"] = js.FuncOf(func(_ js.Value, args []js.Value) any { return exportDocument(c, args) })
	api["importDocument"] = js.FuncOf(func(_ js.Value, args []js.Value) any { return importDocument(c, args) })
	js.Global().Set("cofferCore", js.ValueOf(api))
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("coffer-core-ready"))
	select {}
}

// jsArgs are the page's arguments: strings, and numbers for revisions.
type jsArgs []js.Value

func (a jsArgs) Str(i int) string {
	if i < len(a) && a[i].Type() == js.TypeString {
		return a[i].String()
	}
	return ""
}

func (a jsArgs) Num(i int) uint64 {
	if i < len(a) && a[i].Type() == js.TypeNumber && a[i].Int() > 0 {
		return uint64(a[i].Int())
	}
	return 0
}

// jsHost is the browser as the bridge needs it.
type jsHost struct{}

func (jsHost) Get(key string) (string, bool) {
	var v js.Value
	if err := jsTry(func() { v = js.Global().Get("localStorage").Call("getItem", key) }); err != nil || v.Type() != js.TypeString {
		return "", false
	}
	return v.String(), true
}

// Set and Remove: a browser that refuses (full storage, storage turned
// off) costs only what was to be remembered, said on the console.
func (jsHost) Set(key, value string) {
	if err := jsTry(func() { js.Global().Get("localStorage").Call("setItem", key, value) }); err != nil {
		warn("coffer: this browser did not store a setting: " + err.Error())
	}
}

func (jsHost) Remove(key string) {
	if err := jsTry(func() { js.Global().Get("localStorage").Call("removeItem", key) }); err != nil {
		warn("coffer: this browser did not remove a setting: " + err.Error())
	}
}

func (jsHost) Warn(msg string) { warn(msg) }

func (jsHost) OpenCache(userID string) (bridge.Cache, error) {
	store, err := openCache(userID)
	if err != nil {
		return nil, err
	}
	return store, nil
}

func (jsHost) OpenMarks(userID string) (bridge.Marks, error) {
	store, err := openMarks(userID)
	if err != nil {
		return nil, err
	}
	return store, nil
}

// watch(callback) starts the live stream (bridge.Core.Watch) on a
// goroutine — the callback that asked must not wait — and each event goes
// to callback as a JSON string; a callback that throws is reported, and
// the stream goes on.
func watch(c *bridge.Core, args []js.Value) any {
	if len(args) == 0 || args[0].Type() != js.TypeFunction {
		return js.Undefined()
	}
	cb := args[0]
	tell := func(event []byte) {
		if err := invoke(cb, string(event)); err != nil {
			warn("coffer: the page's live-update callback failed: " + err.Error())
		}
	}
	go guardGo("watch", report, func(err error) {
		b, _ := json.Marshal(map[string]string{"kind": "error", "text": err.Error(), "error": errorKind(err)})
		tell(b)
	}, func() { c.Watch(tell) })
	return js.Undefined()
}

// attach(id, itemName, fileName, bytes, progress, vault) resolves to
// {"id"} (bridge.Core.Attach); bytes is a Uint8Array, progress(sent,
// total) a function or nothing.
func attach(c *bridge.Core, args []js.Value) any {
	if len(args) < 4 || !args[3].InstanceOf(js.Global().Get("Uint8Array")) {
		return rejected(errors.New("attach needs the file's bytes (a Uint8Array)"))
	}
	a := jsArgs(args)
	data := bytesFromJS(args[3])
	progress := progressOf(args, 4)
	return settle("attach", func() (any, error) {
		return c.Attach(a.Str(0), a.Str(1), a.Str(2), data, func(sent, total int64) { progress(float64(sent), float64(total)) }, a.Str(5))
	})
}

// download(id, fileID) resolves to the file's bytes, a Uint8Array, once
// every chunk and the file's signed hash checked out.
func download(c *bridge.Core, args []js.Value) any {
	a := jsArgs(args)
	return settle("download", func() (any, error) {
		data, err := c.Download(a.Str(0), a.Str(1))
		if err != nil {
			return nil, err
		}
		return bytesToJS(data), nil
	})
}

// exportDocument(vaultsJSON, format, "history"|"", progress) resolves to
// the Coffer JSON document of the export (bridge.Core.ExportDocument), a
// Uint8Array; progress(done, total) follows the items.
func exportDocument(c *bridge.Core, args []js.Value) any {
	a := jsArgs(args)
	var vaults []string
	if err := json.Unmarshal([]byte(a.Str(0)), &vaults); err != nil {
		return rejected(errors.New("exportDocument needs a JSON list of vault ids"))
	}
	progress := progressOf(args, 3)
	return settle("exportDocument", func() (any, error) {
		doc, err := c.ExportDocument(vaults, a.Str(1), a.Str(2) == "history", func(done, total int) { progress(float64(done), float64(total)) })
		if err != nil {
			return nil, err
		}
		return bytesToJS(doc), nil
	})
}

// importDocument(vault, bytes, "dry"|"", progress) resolves to the import's
// report (bridge.Core.ImportDocument); bytes is a Coffer JSON document, a
// Uint8Array; progress(done) follows the entries.
func importDocument(c *bridge.Core, args []js.Value) any {
	if len(args) < 2 || !args[1].InstanceOf(js.Global().Get("Uint8Array")) {
		return rejected(errors.New("importDocument needs the document's bytes (a Uint8Array)"))
	}
	a := jsArgs(args)
	doc := bytesFromJS(args[1])
	progress := progressOf(args, 3)
	return settle("importDocument", func() (any, error) {
		return c.ImportDocument(a.Str(0), doc, a.Str(2) == "dry", func(done int) { progress(float64(done), 0) })
	})
}

// settle is a Promise of fn's answer, run on a goroutine of its own (a
// callback never waits), guarded: a js.Value as it is, anything else as
// a JSON string.
func settle(call string, fn func() (any, error)) js.Value {
	return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, pr []js.Value) any {
		resolve, reject := pr[0], pr[1]
		go func() {
			out, err := guard(call, report, fn)
			if err != nil {
				reject.Invoke(jsError(err))
				return
			}
			if v, ok := out.(js.Value); ok {
				resolve.Invoke(v)
				return
			}
			b, err := encode(out)
			if err != nil {
				reject.Invoke(jsError(&InternalError{Call: call}))
				return
			}
			resolve.Invoke(string(b))
		}()
		return nil
	}))
}

// rejected is a Promise rejected with err.
func rejected(err error) js.Value {
	return js.Global().Get("Promise").Call("reject", jsError(err))
}

// progressOf is argument i as a progress callback (a no-op when it is
// not a function); one that throws is reported, and the work goes on.
func progressOf(args []js.Value, i int) func(a, b float64) {
	if i >= len(args) || args[i].Type() != js.TypeFunction {
		return func(float64, float64) {}
	}
	fn := args[i]
	return func(a, b float64) {
		if err := invoke(fn, a, b); err != nil {
			warn("coffer: the page's progress callback failed: " + err.Error())
		}
	}
}

func bytesFromJS(v js.Value) []byte {
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

func bytesToJS(b []byte) js.Value {
	out := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(out, b)
	return out
}

// encode is an answer as JSON; one the bridge wrote itself (rows, find:
// big, written without reflection) goes as it is — json.Marshal would
// scan it again.
func encode(out any) ([]byte, error) {
	if raw, ok := out.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(out)
}
