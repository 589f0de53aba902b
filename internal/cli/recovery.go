package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coffer-pm/coffer/client"
)

// pendingRecoveryFile holds a recovery request between asking and
// finishing; its secrets are sealed under the new master password.
const pendingRecoveryFile = "recovery-request.json"

func (a *app) accountRecoveryCommand() *cobra.Command {
	cmd := group("recovery", "Account recovery by your organisation: status, enrol, leave; request and complete a recovery")
	cmd.AddCommand(
		a.simple("status", "Show where account recovery is on, where you enrolled, and every recovery request for your account", 0,
			func(cmd *cobra.Command, s *client.Session, _ []string) error {
				orgs, reqs, err := s.AccountRecovery(cmd.Context())
				if err != nil {
					return err
				}
				// The recovery history: every completed recovery, read or not.
				history, err := s.Notices(cmd.Context())
				if err != nil {
					return err
				}
				var recovered []client.Notice
				for _, n := range history {
					if n.Kind == client.NoticeRecovered {
						recovered = append(recovered, n)
					}
				}
				if a.jsonOut {
					type org struct {
						Org        string    `json:"org"`
						OrgID      string    `json:"org_id"`
						Owner      string    `json:"owner"`
						Enrolled   bool      `json:"enrolled"`
						EnrolledAt time.Time `json:"enrolled_at,omitzero"`
					}
					out := struct {
						Orgs       []org                        `json:"orgs"`
						Requests   []client.RecoveryRequestInfo `json:"requests"`
						Recoveries []client.Notice              `json:"recoveries"`
					}{Orgs: []org{}, Requests: reqs, Recoveries: append([]client.Notice{}, recovered...)}
					for _, o := range orgs {
						out.Orgs = append(out.Orgs, org{o.Org.Name, o.Org.ID, o.OwnerEmail, o.Enrolled, o.EnrolledAt})
					}
					return a.printJSON(out)
				}
				if len(orgs) == 0 {
					fmt.Fprintln(a.stdout, "None of your organisations offers account recovery.")
				} else {
					tw := newTable(a.stdout)
					fmt.Fprintln(tw, "ORGANISATION\tOWNER\tENROLLED")
					for _, o := range orgs {
						state := "no (coffer account recovery enrol " + inert(o.Org.Name) + ")"
						if o.Enrolled {
							state = "yes, since " + o.EnrolledAt.Local().Format("2006-01-02 15:04")
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\n", inert(o.Org.Name), inert(o.OwnerEmail), state)
					}
					if err := tw.Flush(); err != nil {
						return err
					}
				}
				for _, q := range reqs {
					state := "pending, expires " + q.ExpiresAt.Local().Format("2006-01-02 15:04")
					if q.Granted {
						state = "APPROVED by " + inert(s.MemberEmail(q.GrantedBy)) + " at " + q.GrantedAt.Local().Format("2006-01-02 15:04")
					}
					fmt.Fprintf(a.stdout, "Recovery request %s made %s: %s\n", q.ID, q.CreatedAt.Local().Format("2006-01-02 15:04"), state)
				}
				if len(reqs) > 0 {
					fmt.Fprintln(a.stdout, "If you did not ask for these, void them with coffer account recovery cancel and tell your organisation's owner: an approved one lets its holder set your master password.")
				}
				for _, n := range recovered {
					org := "an organisation you left (id " + n.OrgID + ")"
					if n.Org != "" {
						org = fmt.Sprintf("%q", inert(n.Org))
					}
					fmt.Fprintf(a.stdout, "Recovered %s through %s, approved by %s at %s, from %s\n", n.At.Local().Format("2006-01-02 15:04"), org,
						inert(n.Approver), n.ApprovedAt.Local().Format("2006-01-02 15:04"), inert(n.From))
				}
				return nil
			}),
		a.simple("enrol ORG", "Let ORG's owner reset your master password if you forget it (opt-in; leave any time)", 1,
			func(cmd *cobra.Command, s *client.Session, args []string) error {
				if err := s.EnrolRecovery(cmd.Context(), args[0]); err != nil {
					return err
				}
				o, _ := s.FindOrg(args[0])
				fmt.Fprintf(a.stdout, "Enrolled in the account recovery of %q.\n", inert(o.Name))
				fmt.Fprintf(a.stderr, "The owner of %q (%s) can now approve a new master password for your account after you ask, and so could open everything you can.\nYou see every request with coffer account recovery status; coffer account recovery leave %s withdraws this.\n",
					inert(o.Name), inert(s.MemberEmail(o.OwnerID)), inert(o.Name))
				return nil
			}),
		a.simple("leave ORG", "Withdraw your enrolment in ORG's account recovery", 1,
			func(cmd *cobra.Command, s *client.Session, args []string) error {
				if err := s.LeaveRecovery(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, "Left the account recovery of "+inert(args[0])+".")
				return nil
			}),
		a.simple("cancel", "Void every recovery request for your account, approved or not (one you did not make, say)", 0,
			func(cmd *cobra.Command, s *client.Session, _ []string) error {
				n, err := s.CancelRecoveryRequests(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Cancelled %d recovery request(s).\n", n)
				return nil
			}),
		a.recoveryRequestCommand(),
		a.recoveryCompleteCommand(),
	)
	return cmd
}

func (a *app) recoveryRequestCommand() *cobra.Command {
	var email string
	cmd := &cobra.Command{
		Use:   "request --server URL --email E",
		Short: "Forgot your master password? Ask your organisation's owner to recover your account (choose the new password now)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			server, email, err := a.serverAndEmail(email)
			if err != nil {
				return err
			}
			pw, err := a.readPassword("New master password", true)
			if err != nil {
				return err
			}
			p, err := client.RequestRecovery(cmd.Context(), server, email, pw, a.clientOptions())
			if err != nil {
				return err
			}
			if err := a.saveJSON(pendingRecoveryFile, p); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Recovery code: %s\n", p.Code())
			fmt.Fprintf(a.stderr, "Read this code to your organisation's owner in person or by phone (not by e-mail); they approve with\n  coffer org recover ORG %s\nThen finish here with: coffer account recovery complete (before %s). Your new master password never leaves this device.\n",
				p.Email, p.ExpiresAt.Local().Format("2006-01-02 15:04"))
			return nil
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "your account's e-mail address")
	return cmd
}

func (a *app) recoveryCompleteCommand() *cobra.Command {
	var raw bool
	var code string
	cmd := &cobra.Command{
		Use:   "complete [--code APPROVAL-CODE]",
		Short: "Finish an approved recovery with the new master password you chose and the approval code the owner read you; prints export COFFER_SESSION=…",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var p client.PendingRecovery
			if err := a.loadJSON(pendingRecoveryFile, &p); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return usageError("no recovery request on this device; start with coffer account recovery request")
				}
				return err
			}
			pw, err := a.readPassword("New master password", false)
			if err != nil {
				return err
			}
			askCode := func() (string, error) {
				if code != "" {
					return code, nil
				}
				return a.readCode("Approval code the owner read to you")
			}
			s, err := p.Finish(cmd.Context(), pw, askCode, a.clientOptions())
			if errors.Is(err, client.ErrRecoveryPending) {
				return fmt.Errorf("%w: ask the owner to run coffer org recover ORG %s and read them the code %s", err, p.Email, p.Code())
			}
			if errors.Is(err, client.ErrWrongCode) {
				return withCode(ExitUsage, err)
			}
			if err != nil {
				return err
			}
			if err := a.removeFile(pendingRecoveryFile); err != nil {
				return err
			}
			key, err := a.saveSession(s)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Account %s recovered: unlock with the new master password from now on. Every other session was ended.\n", s.Profile.Email)
			return a.printSessionKey(key, raw, a.showNotices(cmd.Context(), s, false))
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "print the session key alone")
	cmd.Flags().StringVar(&code, "code", "", "the approval code the owner read to you (asked for when left out)")
	return cmd
}

func (a *app) orgRecoveryCommand() *cobra.Command {
	return a.simple("recovery ORG [status|enable|disable]", "Owner: account recovery for members (enable, disable, who enrolled)", -1,
		func(cmd *cobra.Command, s *client.Session, args []string) error {
			action := "status"
			if len(args) > 2 {
				return usageError("too many arguments; see coffer org recovery --help")
			}
			if len(args) == 2 {
				action = args[1]
			}
			o, err := s.FindOrg(args[0])
			if err != nil {
				return err
			}
			switch action {
			case "enable":
				if err := s.EnableRecovery(cmd.Context(), o.ID); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Account recovery is on in %q. Members enrol themselves with: coffer account recovery enrol %s\n", inert(o.Name), inert(o.Name))
				return nil
			case "disable":
				if err := s.DisableRecovery(cmd.Context(), o.ID); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Account recovery is off in %q; every enrolment was deleted.\n", inert(o.Name))
				return nil
			case "status":
			default:
				return usageError("unknown action %q: want status, enable or disable", action)
			}
			st, err := s.RecoveryStatus(cmd.Context(), o.ID)
			if err != nil {
				return err
			}
			if a.jsonOut {
				type member struct {
					Email       string    `json:"email"`
					Fingerprint string    `json:"fingerprint"`
					Since       time.Time `json:"since"`
					Verified    bool      `json:"verified"`
				}
				out := struct {
					Enabled  bool     `json:"enabled"`
					Version  uint64   `json:"version"`
					Enrolled []member `json:"enrolled"`
				}{st.Enabled, st.Version, []member{}}
				for _, e := range st.Enrolled {
					out.Enrolled = append(out.Enrolled, member{e.Email, e.Fingerprint(), e.Since, e.Verified})
				}
				return a.printJSON(out)
			}
			if !st.Enabled {
				fmt.Fprintf(a.stdout, "Account recovery is off in %q.\n", inert(o.Name))
				return nil
			}
			fmt.Fprintf(a.stdout, "Account recovery is on in %q (key version %d); %d member(s) enrolled.\n", inert(o.Name), st.Version, len(st.Enrolled))
			tw := newTable(a.stdout)
			if len(st.Enrolled) > 0 {
				fmt.Fprintln(tw, "EMAIL\tSINCE\tFINGERPRINT")
			}
			for _, e := range st.Enrolled {
				since := e.Since.Local().Format("2006-01-02 15:04")
				if !e.Verified {
					since += " (NOT VERIFIED: not signed by this member's keys)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", inert(e.Email), since, e.Fingerprint())
			}
			return tw.Flush()
		})
}

func (a *app) orgRecoverCommand() *cobra.Command {
	var code string
	var discard bool
	cmd := a.simple("recover ORG EMAIL", "Owner: approve an enrolled member's account recovery with the code they read to you (--discard: drop their open requests)", 2,
		func(cmd *cobra.Command, s *client.Session, args []string) error {
			if discard {
				if code != "" {
					return usageError("--discard approves nothing; leave out --code")
				}
				n, err := s.DiscardRecoveryRequests(cmd.Context(), args[0], args[1])
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Discarded %d open recovery request(s) of %s.\n", n, inert(args[1]))
				fmt.Fprintln(a.stderr, "Ask them to request recovery again (coffer account recovery request) and read you the new code.")
				return nil
			}
			if code == "" {
				c, err := a.readCode("Recovery code read to you by " + args[1])
				if err != nil {
					return err
				}
				code = c
			}
			approval, err := s.ApproveRecovery(cmd.Context(), args[0], args[1], code)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Approval code: %s\n", approval)
			fmt.Fprintf(a.stderr, "Approved the recovery of %s. Read the approval code back to them: they enter it with coffer account recovery complete,\nwhich proves to their new device that the account is really theirs. They set the password there; you never see it.\n", inert(args[1]))
			return nil
		})
	cmd.Flags().StringVar(&code, "code", "", "the recovery code the member read to you (asked for when left out)")
	cmd.Flags().BoolVar(&discard, "discard", false, fmt.Sprintf("discard every open recovery request of the member instead (requests they did not make can take all %d places)", client.MaxOpenRecoveryRequests))
	return cmd
}

// readCode reads a code from the terminal, or the first line of stdin.
func (a *app) readCode(prompt string) (string, error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, prompt+": ")
	}
	line, err := a.nextStdinLine()
	if err != nil || line == "" {
		return "", usageError("give the code with --code or on stdin")
	}
	return line, nil
}
