package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) accountDeleteCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "delete",
		Short: "Delete your account for good: asks for the master password (not while you own an organisation)",
		Long: `Delete your account for good. The master password is asked for (or read
with --password-stdin) and proved to the server afresh. You leave every
organisation at once, and My Vault, its files and every session of the
account are deleted; what you wrote in organisation vaults stays there,
signed by you. Refused while you own an organisation: transfer ownership
(or delete the organisation) first. This device's profile is removed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			pw, err := a.readPassword("Master password (to delete the account)", false)
			if err != nil {
				return err
			}
			if err := s.DeleteAccount(cmd.Context(), pw); err != nil {
				return err
			}
			email := s.Profile.Email
			a.session = nil
			for _, f := range []string{sessionFile, profileFile, marksFile} {
				if err := a.removeFile(f); err != nil {
					return fmt.Errorf("the account was deleted, but this device's files could not all be removed: %w", err)
				}
			}
			if store, err := a.cacheStore(); err == nil {
				store.Clear()
			}
			fmt.Fprintf(a.stderr, "Deleted the account %s.\n", inert(email))
			return nil
		},
	}
}
