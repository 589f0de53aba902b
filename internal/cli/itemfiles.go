package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
)

// uploadFile uploads a local file to a vault and returns the attachment.
func (a *app) uploadFile(cmd *cobra.Command, s *client.Session, vaultID, path string) (client.Attachment, error) {
	f, err := os.Open(path)
	if err != nil {
		return client.Attachment{}, withCode(ExitUsage, fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err)))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return client.Attachment{}, err
	}
	if !st.Mode().IsRegular() {
		return client.Attachment{}, usageError("%s is not a regular file", path)
	}
	return s.UploadFile(cmd.Context(), vaultID, filepath.Base(path), f, st.Size())
}

func (a *app) itemExtraCommands() []*cobra.Command {
	var to, revision uint64
	var fieldName, attachment, out, file string
	var overwrite bool
	rollback := a.simple("rollback ITEM --to REVISION", "Make a new revision with the content of an older one", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if to == 0 {
			return usageError("--to REVISION is required")
		}
		it, err := a.findItem(cmd, s, args[0], false)
		if err != nil {
			return err
		}
		up, err := s.Rollback(cmd.Context(), it, to)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Rolled %q back to revision %d: now revision %d\n", inert(up.Content.Name), to, up.Revision)
		return nil
	})
	rollback.Flags().Uint64Var(&to, "to", 0, "the revision whose content to restore")

	restoreField := a.simple("restore-field ITEM --field NAME --revision REVISION", "Make a new revision with one field's value from an older revision", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if fieldName == "" || revision == 0 {
			return usageError("--field NAME and --revision REVISION are required")
		}
		it, err := a.findItem(cmd, s, args[0], false)
		if err != nil {
			return err
		}
		up, err := s.RestoreField(cmd.Context(), it, fieldName, revision)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Restored %s of %q from revision %d: now revision %d\n", inert(fieldName), inert(up.Content.Name), revision, up.Revision)
		return nil
	})
	restoreField.Flags().StringVar(&fieldName, "field", "", "the field to restore")
	restoreField.Flags().Uint64Var(&revision, "revision", 0, "the revision to take it from")

	purge := a.simple("purge ITEM", "Delete an item in the trash for good, with its history and files", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		it, err := a.findItem(cmd, s, args[0], true)
		if errors.Is(err, client.ErrNotFound) {
			if _, live := a.findItem(cmd, s, args[0], false); live == nil {
				return withCode(ExitNotFound, fmt.Errorf("item %q is not in the trash; coffer item rm it first", inert(args[0])))
			}
		}
		if err != nil {
			return err
		}
		if err := s.PurgeItem(cmd.Context(), it); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Purged %q for good\n", inert(it.Content.Name))
		return nil
	})

	totp := a.simple("totp ITEM", "Print the item's current TOTP code", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		it, err := a.findItem(cmd, s, args[0], false)
		if err != nil {
			return err
		}
		secret, ok := it.Content.FieldValue("totp")
		if !ok {
			return withCode(ExitNotFound, fmt.Errorf("item %q has no TOTP secret", inert(it.Content.Name)))
		}
		code, left, err := client.TOTPCode(secret, time.Now())
		if err != nil {
			return err
		}
		if a.jsonOut {
			return a.printJSON(map[string]any{"code": code, "valid_for_seconds": int(left.Seconds())})
		}
		fmt.Fprintln(a.stdout, code)
		return nil
	})

	attach := a.simple("attach ITEM --file PATH", "Attach an encrypted file to an item", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if file == "" {
			return usageError("--file PATH is required")
		}
		it, err := a.findItem(cmd, s, args[0], false)
		if err != nil {
			return err
		}
		att, err := a.uploadFile(cmd, s, it.VaultID, file)
		if err != nil {
			return err
		}
		c := it.Content
		c.Files = append(append([]client.Attachment(nil), c.Files...), att)
		up, err := s.UpdateItem(cmd.Context(), it, c)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Attached %s (%d bytes) to %q: revision %d\n", inert(att.Name), att.Size, inert(up.Content.Name), up.Revision)
		return nil
	})
	attach.Flags().StringVar(&file, "file", "", "file to attach")

	download := a.simple("download ITEM --out PATH", "Download and verify an attachment", 1, func(cmd *cobra.Command, s *client.Session, args []string) error {
		if out == "" {
			return usageError("--out PATH is required (- for standard output)")
		}
		it, err := a.findItem(cmd, s, args[0], false)
		if err != nil {
			return err
		}
		att, err := it.FindAttachment(attachment)
		if err != nil {
			return err
		}
		if out == "-" {
			return s.DownloadFile(cmd.Context(), att, a.stdout)
		}
		if _, err := os.Lstat(out); err == nil && !overwrite {
			return usageError("%s exists; nothing was downloaded (add --force to replace it)", out)
		}
		// Write next to the target and rename only after the hash checked
		// out: a truncated or altered file never appears under its name.
		tmp, err := os.CreateTemp(filepath.Dir(out), ".coffer-download-*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		if err := s.DownloadFile(cmd.Context(), att, tmp); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		if overwrite {
			err = os.Rename(tmp.Name(), out)
		} else if err = os.Link(tmp.Name(), out); errors.Is(err, fs.ErrExist) {
			// Appeared while downloading: still not replaced.
			return usageError("%s exists; nothing was written (add --force to replace it)", out)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "Saved %s (%s bytes, verified)\n", out, strconv.FormatInt(att.Size, 10))
		return nil
	})
	download.Flags().StringVar(&out, "out", "", "where to write the file (- for standard output)")
	download.Flags().StringVar(&attachment, "attachment", "", "which attachment (its name), if the item has several")
	download.Flags().BoolVar(&overwrite, "force", false, "replace PATH if it exists")

	return []*cobra.Command{rollback, restoreField, purge, totp, attach, download}
}
