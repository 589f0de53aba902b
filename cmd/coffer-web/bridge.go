//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"
)

// How the bridge meets JavaScript without ever stopping the runtime
// (issue 24, defect 1). Two rules:
//
//   - A JavaScript callback into Go (every js.FuncOf here) never waits:
//     no lock, no channel, no network, no IndexedDB. It starts a
//     goroutine and returns. Go on WebAssembly runs a callback while
//     JavaScript's event loop waits for it, so a callback that waits for
//     a lock held by a goroutine that waits for a network read or an
//     IndexedDB request waits forever — "fatal error: all goroutines are
//     asleep - deadlock!", exit code 2, and every tab function gone.
//     (The page's watch() once took c.mu in its callback while status()
//     held it waiting for the session, which a sync or a cache write held
//     across a fetch or an IndexedDB request.)
//   - Nothing panics out of the bridge: every call and every goroutine it
//     starts recovers (guard, guardGo), and a JavaScript exception from a
//     call into the page or the browser is an error (invoke, jsTry).

func init() {
	// A JavaScript exception says what failed in the browser's words: no
	// secret goes into a call whose exception could echo it.
	panicText = append(panicText, func(r any) (string, bool) {
		if je, ok := r.(js.Error); ok {
			return "JavaScript exception: " + je.Error(), true
		}
		return "", false
	})
}

// report writes a line to the browser's console as an error.
func report(line string) { js.Global().Get("console").Call("error", line) }

// warn writes a line to the browser's console as a warning.
func warn(line string) { js.Global().Get("console").Call("warn", line) }

// callback is a JavaScript callback that runs fn, which must not wait
// (see above), and recovers what it panics.
func callback(call string, fn func(args []js.Value)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		defer func() {
			if r := recover(); r != nil {
				report(panicReport(call, r))
			}
		}()
		fn(args)
		return nil
	})
}

// promised wraps fn as a bridge function returning a Promise (settle).
func promised(call string, fn func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		return settle(call, func() (any, error) { return fn(args) })
	})
}

// jsError is err for the page: an Error with the kind the page reads.
func jsError(err error) js.Value {
	e := js.Global().Get("Error").New(err.Error())
	e.Set("kind", errorKind(err))
	return e
}

// invoke calls a function of the page (a live-update or progress
// callback); an exception it throws is returned, not panicked.
func invoke(fn js.Value, args ...any) error {
	return jsTry(func() { fn.Invoke(args...) })
}

// jsTry runs fn, which calls into JavaScript, and returns an exception
// that call threw (a full storage, an IndexedDB connection the browser
// closed) as an error instead of a panic.
func jsTry(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			je, ok := r.(js.Error)
			if !ok {
				panic(r) // not JavaScript's: the guard above reports it
			}
			err = errors.New(je.Error())
		}
	}()
	fn()
	return nil
}
