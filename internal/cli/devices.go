package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
)

// devicesCommand lists the account's signed-in devices (its live server
// sessions, each named by its client) and signs them out (issue 27).
func (a *app) devicesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devices",
		Short: "List the devices signed in to your account: name, last use, address",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			list, err := s.Sessions(cmd.Context())
			if err != nil {
				return err
			}
			devices := view.Devices(list, time.Now())
			if a.jsonOut {
				return a.printJSON(devices)
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "ID\tDEVICE\tLAST USE\tADDRESS\tSIGNED IN")
			for _, d := range devices {
				name := inert(d.Name)
				if d.Current {
					name += " (this device)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, name, d.LastUsedAt.Local().Format("2006-01-02 15:04"),
					inert(d.ClientAddr), d.CreatedAt.Local().Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		},
	}
	cmd.AddCommand(a.devicesRevokeCommand())
	return cmd
}

func (a *app) devicesRevokeCommand() *cobra.Command {
	var others bool
	cmd := &cobra.Command{
		Use:   "revoke (ID | --others)",
		Short: "Sign a device out now: its next request is refused, its live stream ends",
		Long: `Sign a device out now: its next request is refused and its live stream
ends at once. ID is from coffer devices; --others signs out every device
but this one. A signed-out device logs in again with the master password.
This device signs out with coffer logout.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if others == (len(args) == 1) {
				return withCode(ExitUsage, errors.New("give a device ID (from coffer devices) or --others, not both"))
			}
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			if others {
				n, err := s.RevokeOtherSessions(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Signed out %d other device(s).\n", n)
				return nil
			}
			if cur := currentSession(cmd, s); cur != "" && cur == args[0] {
				return withCode(ExitUsage, errors.New("that is this device; sign it out with coffer logout"))
			}
			if err := s.RevokeSession(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Signed out device %s.\n", inert(args[0]))
			return nil
		},
	}
	cmd.Flags().BoolVar(&others, "others", false, "sign out every device but this one")
	return cmd
}

// currentSession is this device's session id, "" if the list cannot be read
// (the revoke then answers for itself).
func currentSession(cmd *cobra.Command, s *client.Session) string {
	list, err := s.Sessions(cmd.Context())
	if err != nil {
		return ""
	}
	for _, x := range list {
		if x.Current {
			return x.ID
		}
	}
	return ""
}
