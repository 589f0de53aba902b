package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
)

// A bridge call that panics answers an error of kind "internal" naming
// the call; the console's line says where, and neither carries what the
// panic held (which may be anything a person typed).
func TestGuardTurnsAPanicIntoAnInternalError(t *testing.T) {
	const secret = "correct horse battery staple"
	cases := map[string]func() (any, error){
		"a nil map":         func() (any, error) { var m map[string]int; m[secret] = 1; return nil, nil },
		"an index":          func() (any, error) { s := []string{secret}; i := len(secret); return s[i], nil },
		"a nil pointer":     func() (any, error) { var it *client.Item; return it.Content.Name, nil },
		"a value":           func() (any, error) { panic(secret) },
		"an error":          func() (any, error) { panic(fmt.Errorf("bad input %q", secret)) },
		"a custom stringer": func() (any, error) { panic(stringer(secret)) },
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			var lines []string
			out, err := guard("login", func(l string) { lines = append(lines, l) }, fn)
			if out != nil {
				t.Errorf("out = %v", out)
			}
			var ie *InternalError
			if !errors.As(err, &ie) || ie.Call != "login" {
				t.Fatalf("err = %v, want an *InternalError of login", err)
			}
			if kind := errorKind(err); kind != "internal" {
				t.Errorf("kind = %q", kind)
			}
			if msg := err.Error(); !strings.Contains(msg, "internal error in login") || strings.Contains(msg, secret) {
				t.Errorf("message %q", msg)
			}
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "coffer: internal error in login: ") || strings.Contains(lines[0], secret) {
				t.Fatalf("console: %q", lines)
			}
			// Where it happened: this test's function, by name and line.
			if !strings.Contains(lines[0], "TestGuardTurnsAPanicIntoAnInternalError") || !strings.Contains(lines[0], "errors_test.go:") {
				t.Errorf("console line names no place:\n%s", lines[0])
			}
		})
	}
	// The runtime's own errors say what they were; they hold no input.
	var lines []string
	guard("list", func(l string) { lines = append(lines, l) }, cases["a nil map"])
	if !strings.Contains(lines[0], "assignment to entry in nil map") {
		t.Errorf("console: %q", lines[0])
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

// A call that does not panic is answered as it is.
func TestGuardPassesAnswersThrough(t *testing.T) {
	report := func(l string) { t.Errorf("reported %q", l) }
	if out, err := guard("status", report, func() (int, error) { return 7, nil }); out != 7 || err != nil {
		t.Errorf("got %v, %v", out, err)
	}
	want := client.ErrWrongPassword
	if _, err := guard("unlock", report, func() (any, error) { return nil, want }); !errors.Is(err, want) || errorKind(err) != "wrong-password" {
		t.Errorf("got %v", err)
	}
}

// A goroutine of the bridge that panics reports it and tells the page;
// the runtime goes on.
func TestGuardGoReportsAndTells(t *testing.T) {
	var lines []string
	var told error
	done := make(chan struct{})
	go func() {
		defer close(done)
		guardGo("watch", func(l string) { lines = append(lines, l) }, func(err error) { told = err }, func() {
			var ch chan int
			close(ch) // close of nil channel
		})
	}()
	<-done
	var ie *InternalError
	if !errors.As(told, &ie) || ie.Call != "watch" {
		t.Fatalf("told %v", told)
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "close of nil channel") {
		t.Errorf("console: %q", lines)
	}
	// Without anyone to tell, it only reports.
	guardGo("checks", func(l string) { lines = append(lines, l) }, nil, func() { panic("x") })
	if len(lines) != 2 || !strings.Contains(lines[1], "a panic (string)") {
		t.Errorf("console: %q", lines)
	}
}
