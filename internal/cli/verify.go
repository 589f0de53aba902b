package cli

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
)

// pendingSignupFile remembers a sign-up waiting for its e-mail code (no
// key material: the password is asked again at verification).
const pendingSignupFile = "pending-signup.json"

type pendingSignup struct {
	Server string `json:"server"`
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

// signupPending handles a sign-up the server answered with a mailed code.
func (a *app) signupPending(vn *client.VerificationNeededError) error {
	if err := a.saveJSON(pendingSignupFile, pendingSignup{Server: vn.Server, UserID: vn.UserID, Email: vn.Email}); err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]string{"verification": "mailed", "email": vn.Email, "user_id": vn.UserID})
	}
	fmt.Fprintf(a.stderr, "The server mailed a verification code to %s. Your account is made once you enter it:\n  coffer account verify CODE\n"+
		"If %s already has an account, no code comes (its owner gets a notice instead): log in with coffer login.\n", vn.Email, vn.Email)
	return nil
}

func (a *app) accountCommand() *cobra.Command {
	cmd := group("account", "Your account: master password, Argon2id parameters, recovery and its notices, e-mail verification")
	cmd.AddCommand(a.accountVerifyCommand(), a.accountPasswordCommand(), a.accountKDFCommand(), a.accountRecoveryCommand(), a.accountNoticesCommand(), a.account2FACommand(), a.accountDeleteCommand())
	return cmd
}

func (a *app) accountVerifyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify [CODE]",
		Short: "Enter the code mailed to your address (finishes a sign-up); without CODE, mail a new code",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var pending pendingSignup
			err := a.loadJSON(pendingSignupFile, &pending)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			hasPending := err == nil
			if len(args) == 0 {
				if hasPending {
					return usageError("enter the code mailed to %s: coffer account verify CODE (to get a new code, run coffer signup again)", pending.Email)
				}
				s, err := a.unlocked()
				if err != nil {
					return err
				}
				if err := s.RequestVerification(cmd.Context()); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "A verification code was mailed to %s. Enter it with: coffer account verify CODE\n", s.Profile.Email)
				return nil
			}
			if !hasPending {
				p, err := a.loadProfile()
				if err != nil {
					return err
				}
				if err := client.VerifySignup(cmd.Context(), p.Server, p.UserID, args[0], a.clientOptions()); err != nil {
					return codeError(err)
				}
				fmt.Fprintf(a.stderr, "Address %s verified.\n", p.Email)
				return nil
			}
			if err := client.VerifySignup(cmd.Context(), pending.Server, pending.UserID, args[0], a.clientOptions()); err != nil {
				return codeError(err)
			}
			if err := a.removeFile(pendingSignupFile); err != nil {
				return err
			}
			pw, err := a.readPassword("Master password", false)
			if err != nil {
				return err
			}
			s, err := client.Login(cmd.Context(), pending.Server, pending.Email, pw, a.clientOptions())
			if err != nil {
				return err
			}
			key, err := a.saveSession(s)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Account %s created. Your key fingerprint: %s\n", s.Profile.Email, s.Profile.Fingerprint())
			return a.printSessionKey(key, false, nil)
		},
	}
}

// codeError gives a refused code the exit status of a wrong password.
func codeError(err error) error {
	var ae *client.APIError
	if errors.As(err, &ae) && (ae.Status == 403 || ae.Status == 429) {
		return withCode(ExitAuth, err)
	}
	return err
}
