package cli

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
)

// clipboard is a system clipboard reached through the platform's own
// tool: the value goes to the tool's stdin, never into an argument
// (which other users could read in the process list).
type clipboard struct {
	name        string
	copy, paste []string
}

// errNoClipboard: nothing here to copy to.
var errNoClipboard = errors.New("no clipboard here: this needs a desktop session (DISPLAY or WAYLAND_DISPLAY) with wl-copy, xclip or xsel, or macOS (pbcopy); print the value instead: coffer item get ITEM --field FIELD")

// findClipboard picks the clipboard of this session.
func findClipboard() (*clipboard, error) {
	has := func(tool string) bool { _, err := exec.LookPath(tool); return err == nil }
	switch {
	case runtime.GOOS == "darwin" && has("pbcopy"):
		return &clipboard{"pbcopy", []string{"pbcopy"}, []string{"pbpaste"}}, nil
	case os.Getenv("WAYLAND_DISPLAY") != "" && has("wl-copy") && has("wl-paste"):
		return &clipboard{"wl-copy", []string{"wl-copy"}, []string{"wl-paste", "--no-newline"}}, nil
	case os.Getenv("DISPLAY") != "" && has("xclip"):
		return &clipboard{"xclip", []string{"xclip", "-selection", "clipboard", "-in"}, []string{"xclip", "-selection", "clipboard", "-out"}}, nil
	case os.Getenv("DISPLAY") != "" && has("xsel"):
		return &clipboard{"xsel", []string{"xsel", "--clipboard", "--input"}, []string{"xsel", "--clipboard", "--output"}}, nil
	}
	return nil, errNoClipboard
}

func (c *clipboard) set(value string) error {
	cmd := exec.Command(c.copy[0], c.copy[1:]...)
	cmd.Stdin = strings.NewReader(value)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s could not set the clipboard: %v %s", c.name, err, oneLine(errb.String()))
	}
	return nil
}

func (c *clipboard) get() ([]byte, error) {
	return exec.Command(c.paste[0], c.paste[1:]...).Output()
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (a *app) itemCopyCommand() *cobra.Command {
	var field string
	var after time.Duration
	cmd := &cobra.Command{
		Use:   "copy ITEM [--field F]",
		Short: "Put a field's value (the password by default) on the clipboard, cleared after 30 s",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if after < time.Second || after > 10*time.Minute {
				return usageError("--clear-after must be between 1s and 10m")
			}
			cb, err := findClipboard()
			if err != nil {
				return err
			}
			_, it, err := a.syncedItem(cmd, args[0], false)
			if err != nil {
				return err
			}
			f := field
			if f == "" {
				f = defaultCopyField(it.Type)
			}
			v, ok := it.Content.FieldValue(f)
			if !ok {
				return withCode(ExitNotFound, fmt.Errorf("item %q has no field %q", inert(it.Content.Name), inert(f)))
			}
			if err := cb.set(v); err != nil {
				return err
			}
			// A detached helper clears the clipboard later — only if it
			// still holds this value (the user may have copied something
			// else since). It learns the value's hash, never the value.
			if err := startClipboardClear(after, digest([]byte(v))); err != nil {
				_ = cb.set("")
				return fmt.Errorf("could not arrange clearing the clipboard, so it was cleared now: %w", err)
			}
			fmt.Fprintf(a.stderr, "Copied %s of %q; the clipboard is cleared in %s.\n", inert(f), inert(it.Content.Name), after)
			return nil
		},
	}
	cmd.Flags().StringVar(&field, "field", "", "which field (default: password; a card's number; a note's notes; an identity's email; an SSH key's public_key)")
	cmd.Flags().DurationVar(&after, "clear-after", 30*time.Second, "clear the clipboard after this long")
	return cmd
}

// defaultCopyField is the field a type's item copies when none is named
// (client.ItemType.Copy).
func defaultCopyField(typ string) string {
	if t, ok := client.LookupItemType(typ); ok && t.Copy != "" {
		return t.Copy
	}
	return "password"
}

// startClipboardClear starts `coffer clipboard-clear` in its own session,
// so it outlives this command and the terminal.
func startClipboardClear(after time.Duration, hash string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// What the helper needs goes through a pipe written here, before this
	// command returns. Not through an io.Reader as Stdin: exec copies
	// that in a goroutine of this process, which can still be waiting for
	// its turn when the command exits — the helper then read nothing,
	// gave up, and the clipboard was never cleared (issue 23: the
	// end-to-end test caught it on a loaded machine).
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "clipboard-clear")
	cmd.Stdin = r
	detach(cmd)
	err = cmd.Start()
	r.Close() // the helper has its own copy
	if err != nil {
		w.Close()
		return err
	}
	// A few dozen bytes: the pipe takes them without a reader.
	_, err = io.WriteString(w, after.String()+"\n"+hash+"\n")
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Process.Release()
		return err
	}
	return cmd.Process.Release()
}

// clipboardClearCommand is the helper: it waits, then empties the
// clipboard if it still holds the value whose hash it was given.
func (a *app) clipboardClearCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "clipboard-clear",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := bufio.NewReader(a.stdin)
			delay, _ := r.ReadString('\n')
			hash, _ := r.ReadString('\n')
			d, err := time.ParseDuration(strings.TrimSpace(delay))
			if err != nil {
				return usageError("clipboard-clear is started by coffer item copy")
			}
			cb, err := findClipboard()
			if err != nil {
				return err
			}
			time.Sleep(d)
			cur, err := cb.get()
			if err != nil || digest(cur) != strings.TrimSpace(hash) {
				return nil // something else is on the clipboard now: leave it
			}
			return cb.set("")
		},
	}
}
