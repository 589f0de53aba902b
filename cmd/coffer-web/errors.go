package main

// What the bridge answers when something fails, and how it survives its
// own bugs. Plain Go (no syscall/js), so that it is tested natively
// (errors_test.go).

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/coffer-pm/coffer/client"
)

// InternalError is a bridge call that panicked: a bug in Coffer (or in
// the page's use of the bridge), answered as an error of kind "internal"
// instead of stopping the client core — a stopped core takes every tab
// function with it and looks, to a person, like an empty vault (issue
// 24, defect 1). Its message names the call, never what was passed to
// it.
type InternalError struct{ Call string }

func (e *InternalError) Error() string {
	return fmt.Sprintf("Coffer hit an internal error in %s (a bug, reported on the browser's console). Reload the page if something looks wrong.", e.Call)
}

// guard runs fn, the body of the bridge call named call, and turns a
// panic into an *InternalError; report gets a line for the console that
// says where (no argument, no value: nothing a person typed).
func guard[T any](call string, report func(string), fn func() (T, error)) (out T, err error) {
	defer func() {
		if r := recover(); r != nil {
			report(panicReport(call, r))
			var zero T
			out, err = zero, &InternalError{Call: call}
		}
	}()
	return fn()
}

// guardGo runs fn, the body of a goroutine the bridge started (the live
// stream, the signature checks, a file's upload), and reports a panic
// instead of letting it stop the runtime: report gets the console line,
// failed the error to tell the page.
func guardGo(call string, report func(string), failed func(error), fn func()) {
	defer func() {
		if r := recover(); r != nil {
			report(panicReport(call, r))
			if failed != nil {
				failed(&InternalError{Call: call})
			}
		}
	}()
	fn()
}

// panicText says what a panic was, when that cannot carry a secret: the
// runtime's own errors (an index out of range, a nil map) and the kinds
// that register here (a JavaScript exception); else only its type. A
// panic's value may hold anything, a password included.
var panicText = []func(r any) (string, bool){
	func(r any) (string, bool) {
		if re, ok := r.(runtime.Error); ok {
			return re.Error(), true
		}
		return "", false
	},
}

// panicReport is the console's line for a recovered panic in call: what
// it was (panicText) and the functions it went through, with files and
// lines but no argument.
func panicReport(call string, r any) string {
	what := fmt.Sprintf("a panic (%T)", r)
	for _, f := range panicText {
		if s, ok := f(r); ok {
			what = s
			break
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "coffer: internal error in %s: %s", call, what)
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		fr, more := frames.Next()
		if fr.Function != "" && !strings.HasPrefix(fr.Function, "runtime.") {
			fmt.Fprintf(&b, "\n    %s (%s:%d)", fr.Function, fr.File, fr.Line)
		}
		if !more {
			break
		}
	}
	return b.String()
}

// errorKind names an error for the page: a bridge call that panicked is
// "internal"; anything else is the client core's one classification
// (client.KindOf). It decides the words a person sees, never the error's
// own text alone.
func errorKind(err error) string {
	var ie *InternalError
	if errors.As(err, &ie) {
		return "internal"
	}
	return client.KindOf(err)
}
