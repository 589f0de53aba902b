package main_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEWalkThrough (issue 15, defect 3) runs README.md's walk-through
// — from "Five minutes with the CLI" to "Live updates" — command for
// command, against a real server, so that it stays true to the letter.
//
// The rules, which keep the README readable and the test honest:
//   - every indented line that is a command is run with bash in a working
//     directory where ./coffer is the binary under test; lines starting
//     with # are sample output; building and serving are the test's own;
//   - "# as NAME[, NAME…]" runs the line as each named person (you,
//     laura, intern, coordinator: one profile each), and NAME stays the
//     actor for the rest of the block; a block starts as you;
//   - eval $(…) takes the session key the command prints;
//   - a command that asks for a master password gets --password-stdin and
//     the person's password (a change or recovery: both lines); --password -
//     gets a line on stdin; org recover gets the code the last recovery
//     request printed, recovery complete the approval code;
//   - the server URL is the test server's; a code shown as XXXX-XXXX-… is
//     the one the last invitation printed;
//   - files the commands read (./x, @x) are created first; ./deploy.sh and
//     ./migrate.sh check that their secrets arrived.
func TestREADMEWalkThrough(t *testing.T) {
	srv := startServer(t)
	work := t.TempDir()
	if err := os.Symlink(cofferBin, filepath.Join(work, "coffer")); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"router-notes.txt":   "admin UI on 192.168.1.1\nfirmware 2.4\n",
		"passport.pdf":       "%PDF-1.4 not really a passport\n",
		"recovery-codes.txt": "1111-2222\n3333-4444\n",
		"deploy.sh":          "#!/bin/sh\ntest -n \"$AWS_ACCESS_KEY_ID\" && test -n \"$AWS_SECRET_ACCESS_KEY\"\n",
		"migrate.sh":         "#!/bin/sh\ncase \"$DB_PASSWORD\" in ''|coffer://*) exit 9;; esac\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(body), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	type person struct{ config, session, password, pending string }
	people := map[string]*person{}
	for _, n := range []string{"you", "laura", "intern", "coordinator"} {
		people[n] = &person{config: t.TempDir(), password: "the master password of " + n}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(readme), "\n")
	start, end := -1, -1
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "## Five minutes with the CLI"):
			start = i
		case strings.HasPrefix(l, "### Live updates"):
			end = i
		}
	}
	if start < 0 || end < start {
		t.Fatal("README.md has no walk-through between \"## Five minutes with the CLI\" and \"### Live updates\"")
	}
	asRe := regexp.MustCompile(`#\s*as ((?:you|laura|intern|coordinator)(?:, (?:you|laura|intern|coordinator))*)`)
	evalRe := regexp.MustCompile(`^eval \$\((.*)\)$`)
	placeholder := regexp.MustCompile(`[A-Z0-9]{4}-[A-Z0-9]{4}-…`)
	codes := map[string]*regexp.Regexp{
		"invite":   regexp.MustCompile(`Confirmation code: ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){5})`),
		"recovery": regexp.MustCompile(`Recovery code: ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){5})`),
		"approval": regexp.MustCompile(`Approval code: ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){5})`),
	}
	last := map[string]string{}
	actor, ran := "you", 0
	for i := start; i < end; i++ {
		if !strings.HasPrefix(lines[i], "    ") {
			if strings.TrimSpace(lines[i]) != "" {
				actor = "you" // prose ends a block
			}
			continue
		}
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "go build") || strings.HasPrefix(line, "./coffer serve") {
			continue
		}
		command, comment := line, ""
		if j := strings.Index(line, "  #"); j >= 0 {
			command, comment = strings.TrimSpace(line[:j]), line[j:]
		}
		actors := []string{actor}
		if m := asRe.FindStringSubmatch(comment); m != nil {
			actors = strings.Split(m[1], ", ")
			actor = actors[0]
		}
		command = strings.ReplaceAll(command, "http://127.0.0.1:8080", srv.url)
		command = placeholder.ReplaceAllStringFunc(command, func(string) string { return last["invite"] })
		for _, who := range actors {
			p := people[who]
			cmdline, eval := command, false
			if m := evalRe.FindStringSubmatch(cmdline); m != nil {
				cmdline, eval = m[1], true
			}
			stdin, after := "", func() {}
			switch {
			case hasCommand(cmdline, "signup", "login", "unlock", "account kdf"):
				cmdline += " --password-stdin"
				stdin = p.password + "\n"
			case hasCommand(cmdline, "account password"):
				next := p.password + " (changed)"
				cmdline += " --password-stdin"
				stdin = p.password + "\n" + next + "\n"
				after = func() { p.password = next }
			case hasCommand(cmdline, "account recovery request"):
				p.pending = "the new master password of " + who
				cmdline += " --password-stdin"
				stdin = p.pending + "\n" + p.pending + "\n"
			case hasCommand(cmdline, "account recovery complete"):
				cmdline += " --password-stdin"
				stdin = p.pending + "\n" + last["approval"] + "\n"
				after = func() { p.password = p.pending }
			case hasCommand(cmdline, "org recover"):
				stdin = last["recovery"] + "\n"
			case strings.Contains(cmdline, "--password -"):
				stdin = "typed at the prompt\n"
			}
			c := exec.Command("bash", "-c", cmdline)
			c.Dir = work
			c.Env = append(os.Environ(), "COFFER_CONFIG_DIR="+p.config, "COFFER_SESSION="+p.session)
			c.Stdin = strings.NewReader(stdin)
			var out, errb bytes.Buffer
			c.Stdout, c.Stderr = &out, &errb
			if err := c.Run(); err != nil {
				t.Fatalf("README.md:%d, as %s: %s\n%v\nstdout: %s\nstderr: %s", i+1, who, command, err, out.String(), errb.String())
			}
			after()
			ran++
			for name, re := range codes {
				if m := re.FindStringSubmatch(out.String()); m != nil {
					last[name] = m[1]
				}
			}
			if eval {
				m := exportRe.FindStringSubmatch(out.String())
				if m == nil {
					t.Fatalf("README.md:%d: eval of %q printed no session key: %q", i+1, command, out.String())
				}
				p.session = m[1]
			}
		}
	}
	if ran < 60 {
		t.Fatalf("only %d commands ran from the README walk-through; the extraction rules no longer match it", ran)
	}
	t.Logf("ran %d commands of the README walk-through", ran)
}

// hasCommand reports whether a shell line runs ./coffer with one of the
// sub-commands (words after ./coffer).
func hasCommand(line string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(line, "./coffer "+sub+" ") || strings.HasSuffix(line, "./coffer "+sub) {
			return true
		}
	}
	return false
}
