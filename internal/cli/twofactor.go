package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// account 2fa: two-factor log-in (docs/protocol.md §8.1). Server
// authentication only: the vault's keys and the master password are
// untouched.
func (a *app) account2FACommand() *cobra.Command {
	cmd := group("2fa", "Two-factor log-in with an authenticator app (TOTP) and recovery codes")
	cmd.AddCommand(a.twoFAStatusCommand(), a.twoFAEnableCommand(), a.twoFAConfirmCommand(), a.twoFADisableCommand(), a.twoFARecoveryCodesCommand())
	return cmd
}

func (a *app) twoFAStatusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Say whether two-factor log-in is on, how many recovery codes are left, and list security keys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			st, err := s.TwoFactorStatus(cmd.Context())
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(st)
			}
			switch {
			case st.Enabled:
				fmt.Fprintf(a.stdout, "Two-factor log-in is on; %d recovery codes left.\n", st.RecoveryCodesLeft)
			case st.Pending:
				fmt.Fprintln(a.stdout, "Two-factor log-in with an authenticator app is off; an enrolment waits for its first code (coffer account 2fa confirm CODE).")
			case len(st.SecurityKeys) > 0:
				fmt.Fprintln(a.stdout, "Two-factor log-in with an authenticator app is off.")
			default:
				fmt.Fprintln(a.stdout, "Two-factor log-in is off.")
			}
			if len(st.SecurityKeys) > 0 {
				if !st.Enabled {
					fmt.Fprintf(a.stdout, "Two-factor log-in is on with security keys; %d recovery codes left.\n", st.RecoveryCodesLeft)
				}
				fmt.Fprintln(a.stdout, "Security keys (added and removed in the web app: Account → Security; they work only in a browser):")
				for _, k := range st.SecurityKeys {
					used := "never used"
					if !k.LastUsedAt.IsZero() {
						used = "last used " + k.LastUsedAt.Local().Format("2006-01-02 15:04")
					}
					fmt.Fprintf(a.stdout, "  %s  added %s, %s\n", inert(k.Name), k.CreatedAt.Local().Format("2006-01-02"), used)
				}
			}
			return nil
		},
	}
}

func (a *app) twoFAEnableCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "enable",
		Short: "Start two-factor log-in: asks for the master password, prints the secret for an authenticator app",
		Long: `Start two-factor log-in. The master password is asked for (or read with
--password-stdin) and proved to the server afresh. The server makes a TOTP
secret; add it to an authenticator app (the otpauth URI, the QR code on a
terminal, or the secret typed in), then turn two-factor log-in on with
coffer account 2fa confirm CODE. Until then nothing changes at log-in.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			pw, err := a.readPassword("Master password (to enable two-factor log-in)", false)
			if err != nil {
				return err
			}
			st, err := s.StartTwoFactor(cmd.Context(), pw)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(map[string]string{"secret": st.Secret, "uri": st.URI})
			}
			if a.stderrIsTerminal() && len(st.QR) > 0 {
				fmt.Fprint(a.stderr, terminalQR(st.QR))
			}
			fmt.Fprintf(a.stdout, "secret: %s\nuri: %s\n", st.Secret, st.URI)
			fmt.Fprintln(a.stderr, "Add this to your authenticator app, then run: coffer account 2fa confirm CODE")
			return nil
		},
	}
}

func (a *app) twoFAConfirmCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "confirm CODE",
		Short: "Turn two-factor log-in on with the app's current code; prints 10 recovery codes, once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			codes, err := s.ConfirmTwoFactor(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(map[string]any{"recovery_codes": codes})
			}
			fmt.Fprintln(a.stderr, "Two-factor log-in is on. Keep these recovery codes somewhere safe: each logs in once without the app, and they are not shown again.")
			fmt.Fprintln(a.stdout, strings.Join(codes, "\n"))
			return nil
		},
	}
}

func (a *app) twoFADisableCommand() *cobra.Command {
	var code string
	cmd := &cobra.Command{
		Use:   "disable --code CODE",
		Short: "Turn two-factor log-in off: the master password and a current code (or a recovery code)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			pw, err := a.readPassword("Master password (to disable two-factor log-in)", false)
			if err != nil {
				return err
			}
			if err := s.DisableTwoFactor(cmd.Context(), pw, code); err != nil {
				return err
			}
			fmt.Fprintln(a.stderr, "Two-factor log-in is off; the recovery codes are void.")
			return nil
		},
	}
	cmd.Flags().StringVar(&code, "code", "", "the authenticator app's current code, or a recovery code")
	cmd.MarkFlagRequired("code")
	return cmd
}

func (a *app) twoFARecoveryCodesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "recovery-codes",
		Short: "Replace the recovery codes with 10 new ones (the master password asked afresh); the old ones stop working; printed once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			pw, err := a.readPassword("Master password (for new recovery codes)", false)
			if err != nil {
				return err
			}
			codes, err := s.NewRecoveryCodes(cmd.Context(), pw)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(map[string]any{"recovery_codes": codes})
			}
			fmt.Fprintln(a.stderr, "New recovery codes; the old ones no longer work. Keep these somewhere safe: each logs in once, and they are not shown again.")
			fmt.Fprintln(a.stdout, strings.Join(codes, "\n"))
			return nil
		},
	}
}

// terminalQR draws QR modules with half blocks, two rows per line, with
// the quiet zone scanners need.
func terminalQR(rows []string) string {
	const quiet = 2
	w := len(rows[0]) + 2*quiet
	dark := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		return y >= 0 && y < len(rows) && x >= 0 && x < len(rows[y]) && rows[y][x] == '1'
	}
	var b strings.Builder
	for y := 0; y < len(rows)+2*quiet; y += 2 {
		for x := range w {
			// Light modules are drawn (full block), dark ones left blank:
			// most terminals are light text on a dark background.
			switch top, bottom := !dark(x, y), !dark(x, y+1); {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// stderrIsTerminal: a QR code is drawn only for a person.
func (a *app) stderrIsTerminal() bool {
	f, ok := a.stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
