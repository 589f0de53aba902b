package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
)

// accountNoticesCommand lists the account's notices (docs/protocol.md
// §17.3) — its recovery history — and acknowledges them: an acknowledged
// notice is no longer shown at unlock, and stays in the list.
func (a *app) accountNoticesCommand() *cobra.Command {
	cmd := a.simple("notices [ack [ID]]", "What happened to your account that you must know (a recovery through an organisation); ack: you read them, stop showing them at unlock", 0,
		func(cmd *cobra.Command, s *client.Session, args []string) error {
			if len(args) == 0 {
				all, err := s.Notices(cmd.Context())
				if err != nil {
					return err
				}
				if a.jsonOut {
					return a.printJSON(all)
				}
				if len(all) == 0 {
					fmt.Fprintln(a.stdout, "No notices: your account was never recovered through an organisation.")
					return nil
				}
				for _, n := range all {
					state := "NEW (coffer account notices ack " + n.ID + ")"
					if n.Seen {
						state = "acknowledged " + n.SeenAt.Local().Format("2006-01-02 15:04")
					}
					fmt.Fprintf(a.stdout, "%s  %s\n  %s\n  %s\n", n.ID, state, inert(n.Text), inert(n.Advice))
				}
				return nil
			}
			if args[0] != "ack" || len(args) > 2 {
				return usageError("unknown action %q: coffer account notices [ack [ID]]", args[0])
			}
			var ids []string
			if len(args) == 2 {
				ids = []string{args[1]}
			} else {
				unseen, err := s.UnseenNotices(cmd.Context())
				if err != nil {
					return err
				}
				for _, n := range unseen {
					ids = append(ids, n.ID)
				}
			}
			for _, id := range ids {
				if err := s.AcknowledgeNotice(cmd.Context(), id); err != nil {
					return err
				}
			}
			if a.jsonOut {
				return a.printJSON(map[string]int{"acknowledged": len(ids)})
			}
			fmt.Fprintf(a.stdout, "Acknowledged %d notice(s); coffer account notices still lists them.\n", len(ids))
			return nil
		})
	cmd.Args = cobra.MaximumNArgs(2)
	return cmd
}
