package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/crypto"
)

func (a *app) accountPasswordCommand() *cobra.Command {
	var revoke bool
	cmd := &cobra.Command{
		Use:   "password",
		Short: "Change the master password (with --password-stdin: line 1 the current one, line 2 the new one)",
		Long: `Change the master password. Your items, keys and sharing stay as they are:
the account key is wrapped again under the new password, with a fresh salt.
Other devices must unlock with the new password from now on; with
--revoke-sessions every other session of your account is ended as well, so
they must log in again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			pws, err := a.readPasswords([]string{"Current master password", "New master password"}, []bool{false, true})
			if err != nil {
				return err
			}
			n, err := s.ChangePassword(cmd.Context(), pws[0], pws[1], client.PasswordOptions{RevokeOtherSessions: revoke})
			if err != nil {
				return err
			}
			if err := a.saveJSON(profileFile, s.Profile); err != nil {
				return fmt.Errorf("the master password was changed, but this device's profile could not be saved (%w); unlock with the new password", err)
			}
			fmt.Fprintln(a.stderr, "Master password changed. Every device unlocks with the new one from now on.")
			if revoke {
				fmt.Fprintf(a.stderr, "%d other session(s) of your account were ended.\n", n)
			} else {
				fmt.Fprintln(a.stderr, "Other sessions of your account stay signed in (coffer account password --revoke-sessions ends them); if the old password leaked, end them.")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&revoke, "revoke-sessions", false, "also end every other session of your account (other devices must log in again)")
	return cmd
}

func (a *app) accountKDFCommand() *cobra.Command {
	var opt crypto.KDFParams
	var threads uint
	cmd := &cobra.Command{
		Use:   "kdf --time T --memory KiB --threads P",
		Short: "Raise the Argon2id parameters of your master password (asks for it once)",
		Long: fmt.Sprintf(`Raise the cost of guessing your master password: the account key is
wrapped again under the same password derived with the new Argon2id
parameters (and a fresh salt). Each unlock then takes longer on every
device. Parameters can only be raised; the range is t %d–%d, m %d–%d KiB,
p %d–%d.`, crypto.MinTime, crypto.MaxTime, crypto.MinMemory, crypto.MaxMemory, crypto.MinThreads, crypto.MaxThreads),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opt.Time == 0 && opt.Memory == 0 && threads == 0 {
				return usageError("give at least one of --time, --memory, --threads")
			}
			if threads > crypto.MaxThreads {
				return usageError("--threads must be at most %d", crypto.MaxThreads)
			}
			opt.Threads = uint8(threads)
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			cur := s.Profile.KDF
			if opt.Time != 0 && opt.Time < cur.Time || opt.Memory != 0 && opt.Memory < cur.Memory || opt.Threads != 0 && opt.Threads < cur.Threads {
				return usageError("the parameters can only be raised (now t=%d m=%d KiB p=%d)", cur.Time, cur.Memory, cur.Threads)
			}
			pw, err := a.readPassword("Master password", false)
			if err != nil {
				return err
			}
			if _, err := s.ChangePassword(cmd.Context(), pw, pw, client.PasswordOptions{KDF: opt}); err != nil {
				return err
			}
			if err := a.saveJSON(profileFile, s.Profile); err != nil {
				return fmt.Errorf("the parameters were changed, but this device's profile could not be saved (%w); unlock again", err)
			}
			k := s.Profile.KDF
			fmt.Fprintf(a.stderr, "Argon2id parameters are now t=%d m=%d KiB p=%d on every device.\n", k.Time, k.Memory, k.Threads)
			return nil
		},
	}
	cmd.Flags().Uint32Var(&opt.Time, "time", 0, "Argon2id passes (t)")
	cmd.Flags().Uint32Var(&opt.Memory, "memory", 0, "Argon2id memory in KiB (m)")
	cmd.Flags().UintVar(&threads, "threads", 0, "Argon2id parallelism (p)")
	return cmd
}
