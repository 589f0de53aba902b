package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
)

// orgExposureCommand is `coffer org exposure`: the owner reads what a
// person could read each time they lost access (docs/protocol.md §18.6).
func (a *app) orgExposureCommand() *cobra.Command {
	return a.simple("exposure ORG EMAIL", "Show what a member or former member could read when they lost access: the passwords to change (owner)", 2, func(cmd *cobra.Command, s *client.Session, args []string) error {
		r, err := view.ExposureOf(cmd.Context(), s, args[0], args[1])
		if err != nil {
			return err
		}
		if a.jsonOut {
			return a.printJSON(r)
		}
		return a.printExposure(r)
	})
}

func (a *app) printExposure(r view.ExposureReport) error {
	if len(r.Records) == 0 {
		fmt.Fprintf(a.stdout, "%s has not lost access to anything in %s: no exposure records.\n", inert(r.Email), inert(r.Org))
		return nil
	}
	for i, e := range r.Records {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		fmt.Fprintf(a.stdout, "%s — %s: %d item(s) they could read in %d vault(s)\n", e.At.UTC().Format("2006-01-02 15:04:05Z"), e.HowText,
			len(e.Items)+e.Hidden, len(e.Vaults))
		if len(e.Items) > 0 {
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "VAULT\tNAME\tTYPE\tLAST CHANGED\tNOTE")
			for _, it := range e.Items {
				var notes []string
				if it.Trashed {
					notes = append(notes, "in the trash then")
				}
				if it.ChangedSince {
					notes = append(notes, "changed since")
				}
				if it.MovedTo != "" && it.MovedTo != it.Vault {
					notes = append(notes, "now in "+inert(it.MovedTo))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", inert(it.Vault), inert(it.Name), it.Type, it.Changed.UTC().Format("2006-01-02 15:04Z"), strings.Join(notes, ", "))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		if e.Hidden > 0 {
			fmt.Fprintf(a.stdout, "and %d item(s) %s\n", e.Hidden, r.HiddenNote)
		}
	}
	fmt.Fprintln(a.stdout, "\n"+view.ExposureNotice)
	return nil
}
