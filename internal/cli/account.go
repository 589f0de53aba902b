package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/api"
)

// requestTimeout bounds every request to the server, so a hung server
// gives an error instead of a hung command.
const requestTimeout = 60 * time.Second

func (a *app) clientOptions() client.Options {
	host, _ := os.Hostname()
	return client.Options{Description: view.CLIDevice(host, runtime.GOOS), DeviceID: a.deviceID(), HTTPClient: &http.Client{Timeout: requestTimeout}, SecondFactor: a.readSecondFactor}
}

// deviceID is this configuration directory's device id (deviceFile),
// made at its first log-in and kept across log-ins and log-outs: the
// server mails the account when a log-in comes from a device it has not
// used before (docs/security.md 27.8). "" if it cannot be kept.
func (a *app) deviceID() string {
	dir, err := a.dir()
	if err != nil {
		return ""
	}
	path := filepath.Join(dir, deviceFile)
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	id := client.NewDeviceID()
	if writeFileAtomic(path, []byte(id+"\n")) != nil {
		return ""
	}
	return id
}

// readSecondFactor is asked only when the server wants a two-factor code:
// --code, else the next line of stdin with --password-stdin, else a
// prompt on the terminal (no echo: a recovery code is a secret). A
// security key works only in the browser: an account whose only second
// factor is one is told so.
func (a *app) readSecondFactor(ctx context.Context, ch api.SecondFactorChallenge) (client.SecondFactorAnswer, error) {
	need := &client.SecondFactorRequiredError{Challenge: ch}
	if need.OnlySecurityKey() {
		return client.SecondFactorAnswer{}, errors.New("this account's second factor is a security key, and security keys work only in the web app (a browser); the CLI needs a TOTP code or a recovery code, and this account has neither: log in in the web app, or add an authenticator app there (Account → Security)")
	}
	code, err := a.readLoginCode(need)
	return client.SecondFactorAnswer{Code: code}, err
}

func (a *app) readLoginCode(need *client.SecondFactorRequiredError) (string, error) {
	if a.secondFactor != "" {
		return a.secondFactor, nil
	}
	// Said where a code is missing: the key cannot help here.
	keyNote := ""
	if need.Has(api.MethodWebAuthn) {
		keyNote = " (security keys work only in the web app; here a TOTP code or a recovery code)"
	}
	if a.passwordStdin {
		line, err := a.nextStdinLine()
		if err != nil || line == "" {
			return "", usageError("this account has two-factor log-in%s: give --code, or the code on the line of stdin after the master password", keyNote)
		}
		return line, nil
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError("this account has two-factor log-in%s and there is no terminal to ask for the code; use --code", keyNote)
	}
	switch {
	case need.Has(api.MethodTOTP):
		fmt.Fprint(a.stderr, "Two-factor code (or a recovery code): ")
	default:
		fmt.Fprint(a.stderr, "This account's security key works only in the web app; a recovery code: ")
	}
	code, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.stderr)
	return string(code), err
}

// printSessionKey prints the unlock result: an export line for eval, or the
// key alone with --raw, or JSON — with the account's unacknowledged
// notices when the command asked for them (notices not nil; they are on
// stderr as warnings too).
func (a *app) printSessionKey(key string, raw bool, notices []client.Notice) error {
	switch {
	case a.jsonOut:
		out := map[string]any{"session": key}
		if notices != nil {
			out["notices"] = notices
		}
		return a.printJSON(out)
	case raw:
		fmt.Fprintln(a.stdout, key)
	default:
		fmt.Fprintf(a.stdout, "export COFFER_SESSION=%s\n", key)
	}
	return nil
}

func (a *app) signupCommand() *cobra.Command {
	var email, name string
	cmd := &cobra.Command{
		Use:   "signup --server URL --email E --name NAME",
		Short: "Create an account (and its My Vault) and unlock it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			server := a.serverURL("")
			if server == "" {
				return usageError("--server URL is required")
			}
			// A profile directory holds one account: a sign-up does not
			// replace another account's profile unasked (issue 15).
			if p, err := a.loadProfile(); err == nil && !strings.EqualFold(p.Email, email) {
				return usageError("this profile directory holds the account %s; run coffer logout first, or sign up with another --config DIR", inert(p.Email))
			}
			pw, err := a.readPassword("New master password", true)
			if err != nil {
				return err
			}
			s, err := client.Signup(cmd.Context(), server, email, name, pw, a.clientOptions())
			var vn *client.VerificationNeededError
			if errors.As(err, &vn) {
				return a.signupPending(vn)
			}
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
	cmd.Flags().StringVar(&email, "email", "", "e-mail address")
	cmd.Flags().StringVar(&name, "name", "", "your name")
	cmd.MarkFlagRequired("email")
	cmd.MarkFlagRequired("name")
	return cmd
}

func (a *app) loginCommand() *cobra.Command {
	var email, name string
	var raw, sso bool
	cmd := &cobra.Command{
		Use:   "login --server URL (--email E | --sso)",
		Short: "Log in on this device and unlock",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var s *client.Session
			if sso {
				if email != "" {
					return usageError("--sso takes the address from your company's sign-in: leave out --email")
				}
				fallback := ""
				if p, err := a.loadProfile(); err == nil {
					fallback = p.Server
				}
				server := a.serverURL(fallback)
				if server == "" {
					return usageError("--server URL is required")
				}
				var err error
				if s, err = a.loginSSO(cmd.Context(), server, name); err != nil {
					return err
				}
			} else {
				server, email, err := a.serverAndEmail(email)
				if err != nil {
					return err
				}
				pw, err := a.readPassword("Master password", false)
				if err != nil {
					return err
				}
				if s, err = client.Login(cmd.Context(), server, email, pw, a.clientOptions()); err != nil {
					return err
				}
			}
			key, err := a.saveSession(s)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Logged in as %s.\n", s.Profile.Email)
			return a.printSessionKey(key, raw, a.showNotices(cmd.Context(), s, false))
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "e-mail address")
	cmd.Flags().BoolVar(&raw, "raw", false, "print the session key alone")
	cmd.Flags().StringVar(&a.secondFactor, "code", "", "two-factor code or recovery code, if the account asks one (else prompted, or the next line of --password-stdin)")
	cmd.Flags().BoolVar(&sso, "sso", false, "log in with your company's single sign-on: prints an address to open in a browser and waits on a loopback port for its return; the master password is still asked (a first sign-in creates the account and asks you to choose one)")
	cmd.Flags().StringVar(&name, "name", "", "with --sso, your name for a new account (default: the name your company's sign-in gives)")
	return cmd
}

// serverAndEmail are --server (or COFFER_SERVER) and --email, each falling
// back to this device's profile.
func (a *app) serverAndEmail(email string) (string, string, error) {
	fallback := ""
	if p, err := a.loadProfile(); err == nil {
		fallback = p.Server
		if email == "" {
			email = p.Email
		}
	}
	server := a.serverURL(fallback)
	if server == "" {
		return "", "", usageError("--server URL is required")
	}
	if email == "" {
		return "", "", usageError("--email is required")
	}
	return server, email, nil
}

func (a *app) unlockCommand() *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "unlock",
		Short: "Unlock with the master password; prints export COFFER_SESSION=…",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.loadProfile()
			if err != nil {
				return err
			}
			if override := a.serverURL(""); override != "" {
				p.Server = override // as for every command; saved with the session
			}
			pw, err := a.readPassword("Master password", false)
			if err != nil {
				return err
			}
			// The server says whether the password (or its parameters)
			// changed on another device: then only the new one unlocks.
			s, changed, offline := p.UnlockCurrent(cmd.Context(), pw, a.clientOptions())
			if s == nil {
				return offline // exit 3 for a wrong password
			}
			if changed {
				fmt.Fprintln(a.stderr, "The master password (or its parameters) was changed on another device; this device now uses the new one.")
			}
			a.attach(s)
			// If the server session has expired, log in again with the
			// password we already have.
			online, synced := true, true
			if err := s.Sync(cmd.Context()); errors.Is(err, client.ErrUnauthorized) {
				if s, err = p.Relogin(cmd.Context(), pw, a.clientOptions()); err != nil {
					return err
				}
				a.session = nil // the new session syncs on its next command
				synced = false
			} else if client.IsQuarantine(err) {
				a.noteQuarantined(s)
			} else if err != nil {
				fmt.Fprintf(a.stderr, "warning: unlocked offline; the server could not be reached (%s)\n", oneLine(err.Error()))
				online = false
			}
			key, err := a.saveSession(s)
			if err != nil {
				return err
			}
			var notices []client.Notice
			if online {
				notices = a.showNotices(cmd.Context(), s, synced)
			}
			return a.printSessionKey(key, raw, notices)
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "print the session key alone")
	cmd.Flags().StringVar(&a.secondFactor, "code", "", "two-factor code or recovery code, if the server session expired and the log-in asks one")
	return cmd
}

func (a *app) lockCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "lock",
		Short: "Lock: forget the local session; COFFER_SESSION opens nothing afterwards",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.removeFile(sessionFile); err != nil {
				return err
			}
			fmt.Fprintln(a.stderr, "Locked.")
			return nil
		},
	}
}

func (a *app) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Log out: revoke the server session and remove this device's profile",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := a.loadProfile(); err != nil {
				return err
			}
			s, err := a.unlocked()
			if err == nil {
				ctx, cancel := context.WithTimeout(cmd.Context(), timeoutShort)
				defer cancel()
				err = s.Logout(ctx)
			}
			if err != nil && exitCode(err) != ExitAuth {
				// Keep the profile: forgetting it now would leave a live
				// server session that this device can no longer revoke.
				return fmt.Errorf("could not revoke the server session, so nothing was removed; try again when the server is reachable: %w", err)
			}
			if err := a.removeFile(sessionFile); err != nil {
				return err
			}
			if err := a.removeFile(profileFile); err != nil {
				return err
			}
			a.session = nil
			if err := a.removeFile(marksFile); err != nil {
				return err
			}
			if store, err := a.cacheStore(); err == nil {
				if err := store.Clear(); err != nil {
					return err
				}
			}
			if err == nil {
				fmt.Fprintln(a.stderr, "Logged out; the server session is revoked.")
			} else {
				fmt.Fprintln(a.stderr, "Logged out on this device. The vault was locked, so the server session could not be revoked; it expires on its own.")
			}
			return nil
		},
	}
}

func (a *app) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show whether this device is logged in and unlocked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := map[string]string{"status": "unauthenticated"}
			if p, err := a.loadProfile(); err == nil {
				out = map[string]string{"status": "locked", "server": p.Server, "email": p.Email, "user_id": p.UserID}
				if _, err := a.unlocked(); err == nil {
					out["status"] = "unlocked"
				}
			} else if !errors.Is(err, errNotLoggedIn) {
				return err
			}
			if a.jsonOut {
				return a.printJSON(out)
			}
			if out["status"] == "unauthenticated" {
				fmt.Fprintln(a.stdout, "Not logged in.")
				return nil
			}
			fmt.Fprintf(a.stdout, "%s as %s on %s\n", strings.ToUpper(out["status"][:1])+out["status"][1:], out["email"], out["server"])
			return nil
		},
	}
}

func (a *app) fingerprintCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "fingerprint [EMAIL]",
		Short: "Show your key fingerprint to compare out of band",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.loadProfile()
			if err != nil {
				return err
			}
			email, fp := p.Email, p.Fingerprint()
			if len(args) == 1 && !strings.EqualFold(args[0], p.Email) {
				// Another member: their keys as checked against the
				// owner-signed roster of an organisation you share.
				s, err := a.synced(cmd)
				if err != nil {
					return err
				}
				m, err := s.MemberByEmail(args[0])
				if err != nil {
					return err
				}
				email, fp = m.Email, m.Fingerprint()
			}
			if a.jsonOut {
				return a.printJSON(map[string]string{"email": email, "fingerprint": fp})
			}
			fmt.Fprintf(a.stdout, "%s  %s\n", fp, inert(email))
			return nil
		},
	}
}

// showNotices fetches what the account must be told at this log-in or
// unlock (docs/protocol.md §17.3: that it was recovered through an
// organisation), prints each as a warning and returns them (an empty,
// non-nil list when there are none). A session that has not synced yet
// syncs first when there is one, so that it names the organisation.
// Nothing here stops the unlock: a server that cannot answer (an older
// one, say) has told nothing.
func (a *app) showNotices(ctx context.Context, s *client.Session, synced bool) []client.Notice {
	list, err := s.UnseenNotices(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "coffer: warning: could not ask the server for your account's notices (%s)\n", oneLine(err.Error()))
		return []client.Notice{}
	}
	if len(list) > 0 && !synced {
		if a.session == nil {
			a.attach(s) // its marks are saved when the command ends
		}
		if err := s.Sync(ctx); err == nil || client.IsQuarantine(err) {
			if again, err := s.UnseenNotices(ctx); err == nil {
				list = again
			}
		}
	}
	for _, n := range list {
		fmt.Fprintf(a.stderr, "coffer: warning: %s %s Once read: coffer account notices ack %s\n", oneLine(inert(n.Text)), oneLine(inert(n.Advice)), n.ID)
	}
	if list == nil {
		list = []client.Notice{}
	}
	return list
}
