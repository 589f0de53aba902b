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
	"fmt"
	"syscall/js"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/bridge"
)

func main() {
	c := bridge.New(js.Global().Get("location").Get("origin").String(), jsHost{}, bridge.Options)
	api := map[string]any{}
	for _, fn := range c.Funcs() {
		if fn.Glue {
			continue
		}
		name := fn.Name
		api[name] = promised(func(args []js.Value) (any, error) { return c.Call(name, jsArgs(args)) })
	}
	api["watch"] = js.FuncOf(func(_ js.Value, args []js.Value) any { return watch(c, args) })
	api["attach"] = js.FuncOf(func(_ js.Value, args []js.Value) any { return attach(c, args) })
	api["download"] = js.FuncOf(func(_ js.Value, args []js.Value) any { return download(c, args) })
	js.Global().Set("cofferCore", js.ValueOf(api))
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("coffer-core-ready"))
	select {}
}

// promised wraps fn as a JS function returning a Promise; fn runs on its
// own goroutine (a network call inside a JS callback would deadlock).
// Results cross as JSON strings; errors as {message, kind}.
func promised(fn func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		var executor js.Func
		executor = js.FuncOf(func(_ js.Value, pr []js.Value) any {
			executor.Release() // called once, by the Promise constructor
			resolve, reject := pr[0], pr[1]
			go func() {
				out, err := fn(args)
				if err != nil {
					reject.Invoke(jsError(err))
					return
				}
				resolve.Invoke(string(encode(out)))
			}()
			return nil
		})
		return js.Global().Get("Promise").New(executor)
	})
}

// encode is an answer as JSON; one the bridge wrote itself (rows, find:
// big, written without reflection) goes as it is — json.Marshal would
// scan it again.
func encode(out any) []byte {
	if raw, ok := out.(json.RawMessage); ok {
		return raw
	}
	b, _ := json.Marshal(out)
	return b
}

// jsError is err for the page: an Error with the kind the page reads.
func jsError(err error) js.Value {
	e := js.Global().Get("Error").New(err.Error())
	e.Set("kind", errorKind(err))
	return e
}

// errorKind names an error for the page (client.KindOf, the client
// core's one classification): it decides the words a person sees, never
// the error's own text alone.
func errorKind(err error) string { return client.KindOf(err) }

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
	v := js.Global().Get("localStorage").Call("getItem", key)
	if v.IsNull() {
		return "", false
	}
	return v.String(), true
}

// Set stores a value in localStorage; a browser that refuses it (its
// quota, a private window) throws, which is said in the console, not a
// stop of the core.
func (h jsHost) Set(key, value string) {
	defer func() {
		if e := recover(); e != nil {
			h.Warn(fmt.Sprintf("coffer: %s was not saved: %v", key, e))
		}
	}()
	js.Global().Get("localStorage").Call("setItem", key, value)
}

func (jsHost) Remove(key string) { js.Global().Get("localStorage").Call("removeItem", key) }
func (jsHost) Warn(msg string)   { js.Global().Get("console").Call("warn", msg) }

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

// watch(callback) starts the live stream (bridge.Core.Watch): each event
// goes to callback as a JSON string.
func watch(c *bridge.Core, args []js.Value) any {
	if len(args) == 0 || args[0].Type() != js.TypeFunction {
		return js.Undefined()
	}
	cb := args[0]
	c.Watch(func(event []byte) { cb.Invoke(string(event)) })
	return js.Undefined()
}

// attach(id, itemName, fileName, bytes, progress) resolves to {"id"}
// (bridge.Core.Attach); bytes is a Uint8Array, progress(sent, total) a
// function or nothing.
func attach(c *bridge.Core, args []js.Value) any {
	return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, pr []js.Value) any {
		resolve, reject := pr[0], pr[1]
		if len(args) < 4 || args[3].Type() != js.TypeObject {
			reject.Invoke(jsError(errors.New("attach needs the file's bytes")))
			return nil
		}
		a := jsArgs(args)
		data := make([]byte, args[3].Get("length").Int())
		js.CopyBytesToGo(data, args[3])
		var progress func(sent, total int64)
		if len(args) > 4 && args[4].Type() == js.TypeFunction {
			fn := args[4]
			progress = func(sent, total int64) { fn.Invoke(float64(sent), float64(total)) }
		}
		go func() {
			out, err := c.Attach(a.Str(0), a.Str(1), a.Str(2), data, progress, a.Str(5))
			if err != nil {
				reject.Invoke(jsError(err))
				return
			}
			b, _ := json.Marshal(out)
			resolve.Invoke(string(b))
		}()
		return nil
	}))
}

// download(id, fileID) resolves to the file's bytes, a Uint8Array, once
// every chunk and the file's signed hash checked out.
func download(c *bridge.Core, args []js.Value) any {
	return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, pr []js.Value) any {
		resolve, reject := pr[0], pr[1]
		a := jsArgs(args)
		go func() {
			data, err := c.Download(a.Str(0), a.Str(1))
			if err != nil {
				reject.Invoke(jsError(err))
				return
			}
			out := js.Global().Get("Uint8Array").New(len(data))
			js.CopyBytesToJS(out, data)
			resolve.Invoke(out)
		}()
		return nil
	}))
}
