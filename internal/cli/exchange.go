package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
	"github.com/coffer-pm/coffer/client/exchange/formats"
)

// exportFormats and importFormats are what --format takes.
var (
	exportFormats = exchange.ExportFormats
	importFormats = exchange.ImportFormats
)

// exportCommand is `coffer export` (docs/protocol.md §19): My Vault and
// every vault this account can read, or the vaults named, into one file —
// written 0600, never over an existing file without --force, and whole or
// not at all (a temporary file renamed into place).
func (a *app) exportCommand() *cobra.Command {
	var format, out string
	var vaults []string
	var force, history, filePasswordStdin bool
	cmd := a.simple("export", "Export My Vault and every vault you can read (or --vault …) to a file: json, encrypted-json, csv, kdbx", 0, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if !slices.Contains(exportFormats, format) {
			return usageError("--format must be one of %s", strings.Join(exportFormats, ", "))
		}
		if out == "" {
			return usageError("--out FILE is required")
		}
		if _, err := os.Lstat(out); err == nil && !force {
			return usageError("%s exists; use --force to replace it", out)
		}
		policy, err := s.ExportPolicy(cmd.Context())
		if err != nil {
			return err
		}
		chosen, left, err := exchange.ExportVaults(s, vaults, policy)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			names := make([]string, len(left))
			for i, v := range left {
				names[i] = v.Label()
			}
			fmt.Fprintf(a.stderr, "%s Left out: %s.\n", policy.Note(), strings.Join(names, ", "))
		}
		var password []byte
		if exchange.Encrypted(format) {
			if password, err = a.filePassword(filePasswordStdin, "Password for the export", true); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(a.stderr, "warning: this export is not encrypted: whoever can read "+out+" reads every password in it. Keep it safe and delete it when done (or use --format encrypted-json).")
		}
		// In each organisation's audit log before a byte is written.
		if err := exchange.RecordExport(cmd.Context(), s, chosen, format); err != nil {
			return err
		}
		var sum exchange.Summary
		err = writeFileAtomically(out, func(w io.Writer) error {
			ew, err := formats.NewItemWriter(format, w, exchange.ExportHeader(s, chosen), password)
			if err != nil {
				return err
			}
			opt := exchange.ExportOptions{History: history, Policy: policy, Progress: a.progress("Exported")}
			sum, err = exchange.Export(cmd.Context(), s, chosen, opt, ew, exchange.CarriesFiles(format))
			return err
		})
		a.progressDone()
		if err != nil {
			return err
		}
		if a.jsonOut {
			return a.printJSON(sum)
		}
		fmt.Fprintf(a.stdout, "Exported %d items (%d attachments) from %d vaults to %s.\n", sum.Items, sum.Files, sum.Vaults, out)
		return nil
	})
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "json (Coffer JSON, not encrypted), encrypted-json (under a password of its own), csv (KeePassXC's and browsers' columns, not encrypted, no attachments) or kdbx (a KeePass database under a password of its own)")
	f.StringVar(&out, "out", "", "the file to write (created 0600)")
	f.StringArrayVar(&vaults, "vault", nil, "export only this vault (repeatable; ORG/NAME, My Vault or an id)")
	f.BoolVar(&force, "force", false, "replace the file if it exists")
	f.BoolVar(&history, "history", false, "add every earlier version of each item")
	f.BoolVar(&filePasswordStdin, "file-password-stdin", false, "read the export's own password from a line of stdin (after the master password's, with --password-stdin)")
	return cmd
}

// importCommand is `coffer import FILE` into a vault (My Vault unless
// --vault), through the batch create; every skipped entry is said.
func (a *app) importCommand() *cobra.Command {
	var format, vaultRef, mapFlag string
	var dryRun, filePasswordStdin bool
	cmd := a.simple("import FILE", "Import a file into a vault (My Vault unless --vault): Coffer, KeePass (KDBX, XML), Bitwarden, KeePassXC, 1Password, browsers' CSVs; --dry-run shows what would be created", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if format != "" && !slices.Contains(importFormats, format) {
			return usageError("--format must be one of %s", strings.Join(importFormats, ", "))
		}
		v, err := s.FindVault(vaultRef)
		if err != nil {
			return err
		}
		mapping, err := formats.ParseMapping(mapFlag)
		if err != nil {
			return usageError("%v", err)
		}
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		src, _, err := formats.Open(f, format, mapping, func() ([]byte, error) {
			return a.filePassword(filePasswordStdin, "The file's password", false)
		})
		if err != nil {
			if errors.Is(err, formats.ErrUnknownFile) {
				return usageError("%s is not a file Coffer knows how to import (give --format: %s)", args[0], strings.Join(importFormats, ", "))
			}
			return err
		}
		res, err := exchange.Import(cmd.Context(), s, v, src, exchange.ImportOptions{DryRun: dryRun, Progress: a.progressCount("Imported")})
		a.progressDone()
		if err != nil {
			return err
		}
		if a.jsonOut {
			return a.printJSON(res)
		}
		a.printImport(res, v)
		return nil
	})
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "the file's format ("+strings.Join(importFormats, ", ")+"); without it the file's format is detected")
	f.StringVar(&mapFlag, "map", "", "a CSV file's columns, for --format csv: field=column,… (fields: name, url, username, password, notes, totp, folder, favorite, tags)")
	f.StringVar(&vaultRef, "vault", "My Vault", "the vault to import into (ORG/NAME, My Vault or an id)")
	f.BoolVar(&dryRun, "dry-run", false, "read and check everything, create nothing")
	f.BoolVar(&filePasswordStdin, "file-password-stdin", false, "read the file's own password from a line of stdin (after the master password's, with --password-stdin)")
	return cmd
}

func (a *app) printImport(res exchange.ImportResult, v *client.Vault) {
	verb := "Imported"
	if res.DryRun {
		verb = "Would import"
	}
	var kinds []string
	for _, t := range client.ItemTypeNames() {
		if n := res.ByType[t]; n > 0 {
			kinds = append(kinds, fmt.Sprintf("%d %s", n, t))
		}
	}
	detail := ""
	if len(kinds) > 0 {
		detail = " (" + strings.Join(kinds, ", ") + ")"
	}
	fmt.Fprintf(a.stdout, "%s %d items%s and %d attachments into %s.\n", verb, res.Items, detail, res.Files, v.Label())
	if res.Duplicates > 0 {
		fmt.Fprintf(a.stdout, "warning: %d of them look like items already in %s (same type, name, user name and first URL): imported again.\n", res.Duplicates, v.Label())
	}
	if len(res.Skipped) > 0 {
		fmt.Fprintf(a.stdout, "Skipped %d entries:\n", len(res.Skipped))
		for _, sk := range res.Skipped {
			fmt.Fprintf(a.stdout, "  %s: %s\n", inert(sk.Entry), inert(sk.Reason))
		}
	}
}

// filePassword reads a file's own password (an encrypted export's): the
// next line of stdin with --file-password-stdin, else a terminal prompt
// (asked twice for a new one).
func (a *app) filePassword(fromStdin bool, prompt string, confirm bool) ([]byte, error) {
	if fromStdin {
		if a.passwordStdin {
			// The master password's line comes first.
			if _, err := a.readStdinLine(); err != nil {
				return nil, err
			}
		}
		line, err := a.nextStdinLine()
		if err != nil {
			return nil, err
		}
		if line == "" {
			return nil, usageError("--file-password-stdin: the file's password is empty")
		}
		return []byte(line), nil
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, usageError("no terminal to ask for the file's password; use --file-password-stdin")
	}
	if confirm {
		pw, err := a.promptTwice(prompt)
		return []byte(pw), err
	}
	fmt.Fprint(a.stderr, prompt+": ")
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.stderr)
	if err == nil && len(pw) == 0 {
		err = errors.New("the file's password must not be empty")
	}
	return pw, err
}

// writeFileAtomically writes path through a 0600 temporary file beside
// it, renamed into place only when write succeeded: a failed export
// leaves nothing half-written.
func writeFileAtomically(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// progress reports done of total on a terminal (stderr), with the rate.
func (a *app) progress(verb string) func(done, total int) {
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	start := time.Now()
	return func(done, total int) {
		rate := float64(done) / max(time.Since(start).Seconds(), 0.001)
		fmt.Fprintf(a.stderr, "\r%s %d of %d items (%.0f/s)", verb, done, total, rate)
		a.progressShown = true
	}
}

// progressCount is progress without a known total.
func (a *app) progressCount(verb string) func(done int) {
	p := a.progress(verb)
	if p == nil {
		return nil
	}
	start := time.Now()
	return func(done int) {
		rate := float64(done) / max(time.Since(start).Seconds(), 0.001)
		fmt.Fprintf(a.stderr, "\r%s %d items (%.0f/s)", verb, done, rate)
		a.progressShown = true
	}
}

func (a *app) progressDone() {
	if a.progressShown {
		fmt.Fprintln(a.stderr)
		a.progressShown = false
	}
}
