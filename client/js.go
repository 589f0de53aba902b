//go:build js

package client

import (
	"errors"
	"sync"
	"syscall/js"
)

// What the browser build's calls into JavaScript share. A callback from
// JavaScript into Go never waits and never panics: Go on WebAssembly runs
// it while JavaScript's event loop waits for it, so a callback that waited
// for anything the event loop delivers (a fetch, a WebSocket message)
// would wait forever, and a panic there stops the runtime.

// ignore is a JavaScript function that does nothing (a rejection nobody
// needs to hear about).
var ignore = js.FuncOf(func(js.Value, []js.Value) any { return nil })

// awaitJS waits for promise p to settle: its value, or its rejection as
// an error. The callbacks only hand the outcome over, once.
func awaitJS(p js.Value) (js.Value, error) {
	type outcome struct {
		v   js.Value
		err error
	}
	ch := make(chan outcome, 1)
	var once sync.Once
	var ok, fail js.Func
	settle := func(o outcome) {
		once.Do(func() {
			ok.Release()
			fail.Release()
			ch <- o
		})
	}
	ok = js.FuncOf(func(_ js.Value, args []js.Value) any {
		settle(outcome{v: arg(args)})
		return nil
	})
	fail = js.FuncOf(func(_ js.Value, args []js.Value) any {
		settle(outcome{err: reason(arg(args))})
		return nil
	})
	if err := jsCall(func() { p.Call("then", ok, fail) }); err != nil {
		settle(outcome{err: err})
	}
	o := <-ch
	return o.v, o.err
}

func arg(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

// reason is a promise's rejection as an error: "TypeError: Failed to
// fetch", "AbortError: …"; it cannot panic whatever was thrown.
func reason(v js.Value) error {
	msg := ""
	switch v.Type() {
	case js.TypeString:
		msg = v.String()
	case js.TypeObject:
		if m := v.Get("message"); m.Type() == js.TypeString {
			msg = m.String()
		}
		if n := v.Get("name"); n.Type() == js.TypeString && n.String() != "" {
			msg = n.String() + ": " + msg
		}
	}
	if msg == "" {
		msg = "the browser gave no reason"
	}
	return errors.New(msg)
}

// jsCall runs fn, which calls into JavaScript, and returns an exception it
// threw as an error.
func jsCall(fn func()) (err error) {
	defer recoverJS(&err)
	fn()
	return nil
}

// recoverJS turns a JavaScript exception (a js.Error panic) into *err;
// any other panic goes on.
func recoverJS(err *error) {
	if r := recover(); r != nil {
		je, ok := r.(js.Error)
		if !ok {
			panic(r)
		}
		*err = errors.New(je.Error())
	}
}
