// Package cli implements the coffer command line (docs: docs/cli.md,
// README.md). Commands parse flags, call the client core or start the
// server, and print results; errors are one line on stderr with an exit
// code that says what kind of failure it was.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/version"
)

// Exit codes, documented in README.md.
const (
	ExitOK       = 0
	ExitError    = 1 // anything else
	ExitUsage    = 2 // bad flags or arguments
	ExitAuth     = 3 // not logged in, locked, wrong password, session expired
	ExitConflict = 4 // someone else changed the item
	ExitTampered = 5 // the server sent data that failed authentication
	ExitNotFound = 6 // no such item or vault
	ExitDenied   = 7 // the server refused: your permission does not allow it
	ExitRestored = 8 // the server was restored from a backup: accept it with coffer sync --accept-restore
)

// exitError carries an exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func withCode(code int, err error) error { return &exitError{code, err} }

func usageError(format string, a ...any) error {
	return withCode(ExitUsage, fmt.Errorf(format, a...))
}

// app holds global flags and I/O for one invocation.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	configDir     string
	server        string
	sessionKey    string
	passwordStdin bool
	// secondFactor is --code of login and unlock: the two-factor code
	// for a log-in that asks one.
	secondFactor string
	jsonOut      bool
	stdinLine    *string       // first line of stdin, read once
	stdinBuf     *bufio.Reader // stdin, for commands that read more than one line
	itemVault    string        // item --vault: the vault ITEM arguments are looked up in
	session      *client.Session
	// quarantined is a session whose sync quarantined something; Main
	// names what when the command ends.
	quarantined *client.Session
	// progressShown: a progress line is on the terminal (stderr).
	progressShown bool
}

// Main runs the CLI with args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if (len(args) == 0 || args[0] != "serve") && os.Getenv("GOMEMLIMIT") == "" {
		// A client command that syncs a vault of 100,000 items holds
		// about 250 MB live; the collector's default lets the heap double
		// that. A soft limit keeps it near 320 MiB for some more
		// collection work (the runtime caps that work, so a bigger vault
		// still completes, above the limit).
		debug.SetMemoryLimit(320 << 20)
	}
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(context.Background())
	a.saveMarks()
	notices := a.quarantineNotices()
	var child *childExit
	if err != nil && !errors.As(err, &child) && len(notices) > 0 {
		// One line, as for every error: what failed, then what is
		// quarantined and why.
		err = fmt.Errorf("%w; %s", err, strings.Join(notices, "; "))
		notices = nil
	}
	for _, n := range notices {
		fmt.Fprintln(stderr, "coffer: warning: "+oneLine(n))
	}
	if err == nil {
		return ExitOK
	}
	if errors.As(err, &child) {
		return child.code // the command's own status; it spoke for itself
	}
	code := exitCode(err)
	if errors.Is(err, client.ErrUnauthorized) && !errors.Is(err, client.ErrWrongPassword) {
		// The server session ended (expired, revoked, password changed
		// elsewhere): unlock signs in again with the master password.
		err = fmt.Errorf("%w — run: eval $(coffer unlock); it signs in again with your master password", err)
	}
	if errors.Is(err, client.ErrServerRestored) {
		err = fmt.Errorf("%w — run: coffer sync --accept-restore", err)
	}
	fmt.Fprintln(stderr, "coffer: "+oneLine(err.Error()))
	return code
}

// exitCodes maps the client core's error kinds (client.KindOf, the one
// classification the web app uses too) to the exit codes of README.md.
var exitCodes = map[client.ErrorKind]int{
	"conflict": ExitConflict,
	"tampered": ExitTampered, "key-mismatch": ExitTampered, "server-restored": ExitRestored,
	"wrong-password": ExitAuth, "second-factor-required": ExitAuth, "wrong-second-factor": ExitAuth, "unauthorized": ExitAuth, "locked": ExitAuth,
	"not-found": ExitNotFound,
	"forbidden": ExitDenied, "unverified": ExitDenied, "account-disabled": ExitAuth, "transfer-ownership": ExitDenied, "invitation-locked": ExitDenied, "already-invited": ExitUsage,
	"signup-refused": ExitDenied, "two-factor-required": ExitDenied,
	"sso-required": ExitDenied, "sso-ticket": ExitAuth,
	"ambiguous": ExitUsage, "weak-password": ExitUsage, "exists": ExitUsage, "not-empty": ExitUsage,
	"wrong-code": ExitUsage, "bad-totp": ExitUsage, "bad-email": ExitUsage, "permission-scope": ExitUsage,
	"offline": ExitError,
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if code, ok := exitCodes[client.KindOf(err)]; ok {
		return code
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne):
		return ExitError
	case strings.HasPrefix(err.Error(), "unknown command"), strings.HasPrefix(err.Error(), "unknown flag"),
		strings.HasPrefix(err.Error(), "unknown shorthand flag"), strings.Contains(err.Error(), "flag needs an argument"),
		strings.HasPrefix(err.Error(), "invalid argument"), strings.HasPrefix(err.Error(), "accepts "),
		strings.HasPrefix(err.Error(), "requires "), strings.HasPrefix(err.Error(), "required flag"),
		strings.Contains(err.Error(), "if any flags in the group"):
		return ExitUsage
	}
	return ExitError
}

// oneLine keeps errors to one line on stderr.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// group is a command that only holds subcommands: alone it prints its
// help; with an unknown subcommand it fails with a usage error (cobra
// would print the help and succeed).
func group(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				hint := ""
				if cmd.SuggestionsMinimumDistance <= 0 {
					cmd.SuggestionsMinimumDistance = 2
				}
				if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
					hint = "; did you mean " + strings.Join(s, " or ") + "?"
				}
				return usageError("unknown command %q for %q%s; see %s --help", args[0], cmd.CommandPath(), hint, cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "coffer",
		Short:         "Coffer: end-to-end encrypted passwords and secrets for people and teams",
		SilenceUsage:  true,
		SilenceErrors: true,
		// coffer --version, as well as coffer version (issue 15).
		Version: version.Version,
	}
	root.SetVersionTemplate("coffer {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&a.configDir, "config", "", "client profile directory (env COFFER_CONFIG_DIR)")
	pf.StringVar(&a.server, "server", "", "server URL (env COFFER_SERVER)")
	pf.StringVar(&a.sessionKey, "session", "", "unlocked session key (env COFFER_SESSION)")
	pf.BoolVar(&a.passwordStdin, "password-stdin", false, "read the master password from the first line of stdin")
	pf.BoolVar(&a.jsonOut, "json", false, "print JSON")
	root.AddCommand(
		a.serveCommand(),
		a.versionCommand(),
		a.signupCommand(),
		a.accountCommand(),
		a.devicesCommand(),
		a.loginCommand(),
		a.unlockCommand(),
		a.lockCommand(),
		a.logoutCommand(),
		a.statusCommand(),
		a.syncCommand(),
		a.fingerprintCommand(),
		a.itemCommand(),
		a.generateCommand(),
		a.adminCommand(),
		a.orgCommand(),
		a.groupCommand(),
		a.vaultCommand(),
		a.shareCommand(),
		a.exportCommand(),
		a.importCommand(),
		a.runCommand(),
		a.watchCommand(),
		a.clipboardClearCommand(),
		a.webCommand(),
	)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return withCode(ExitUsage, err) })
	return root
}
