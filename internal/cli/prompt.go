package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// readPassword returns the master password from the first line of stdin
// (--password-stdin) or from a no-echo prompt on the terminal. With confirm,
// a terminal user types it twice.
func (a *app) readPassword(prompt string, confirm bool) ([]byte, error) {
	if a.passwordStdin {
		line, err := a.readStdinLine()
		if err != nil {
			return nil, err
		}
		if line == "" {
			return nil, usageError("--password-stdin: the first line of stdin is empty")
		}
		return []byte(line), nil
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, usageError("no terminal to ask for the master password; use --password-stdin")
	}
	fmt.Fprint(a.stderr, prompt+": ")
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return nil, err
	}
	if len(pw) == 0 {
		return nil, errors.New("the master password must not be empty")
	}
	if confirm {
		fmt.Fprint(a.stderr, "Repeat "+strings.ToLower(prompt[:1])+prompt[1:]+": ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return nil, err
		}
		if string(again) != string(pw) {
			return nil, errors.New("the two passwords differ")
		}
	}
	return pw, nil
}

// promptTwice asks for a secret on the terminal without echo, twice.
func (a *app) promptTwice(prompt string) (string, error) {
	f := a.stdin.(*os.File)
	fmt.Fprint(a.stderr, prompt+": ")
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(a.stderr, "Repeat "+strings.ToLower(prompt[:1])+prompt[1:]+": ")
	again, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", err
	}
	if string(first) != string(again) {
		return "", errors.New("the two entries differ; nothing was saved")
	}
	if len(first) == 0 {
		return "", usageError("the password is empty")
	}
	return string(first), nil
}

func (a *app) readStdinLine() (string, error) {
	if a.stdinLine != nil {
		return *a.stdinLine, nil
	}
	line, err := a.nextStdinLine()
	if err != nil {
		return "", err
	}
	a.stdinLine = &line
	return line, nil
}

// nextStdinLine reads the next line of stdin (a command that takes more
// than one secret with --password-stdin reads one per line).
func (a *app) nextStdinLine() (string, error) {
	if a.stdinBuf == nil {
		a.stdinBuf = bufio.NewReader(a.stdin)
	}
	line, err := a.stdinBuf.ReadString('\n')
	if err != nil && line == "" {
		return "", usageError("--password-stdin: nothing (more) to read on stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readPasswords reads n master passwords: lines 1…n of stdin with
// --password-stdin, else one no-echo prompt each (a prompt with confirm
// is asked twice).
func (a *app) readPasswords(prompts []string, confirm []bool) ([][]byte, error) {
	out := make([][]byte, len(prompts))
	for i, p := range prompts {
		if a.passwordStdin {
			line, err := a.nextStdinLine()
			if err != nil {
				return nil, err
			}
			if line == "" {
				return nil, usageError("--password-stdin: line %d of stdin (%s) is empty", i+1, strings.ToLower(p))
			}
			out[i] = []byte(line)
			continue
		}
		pw, err := a.readPassword(p, confirm[i])
		if err != nil {
			return nil, err
		}
		out[i] = pw
	}
	return out, nil
}
