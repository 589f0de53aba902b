package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
)

func (a *app) watchCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "watch [--json]",
		Short: "Print every change you can see as it happens (reconnects on its own)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.synced(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			connected := false
			opt := client.WatchOptions{OnConnect: func(cursor int64) {
				if !connected && !a.jsonOut {
					fmt.Fprintln(a.stderr, "Watching for changes (Ctrl-C to stop)…")
				}
				connected = true
			}}
			err = s.Watch(ctx, opt, func(ch client.Change) {
				if a.jsonOut {
					data, _ := json.Marshal(ch)
					fmt.Fprintln(a.stdout, string(data))
					return
				}
				fmt.Fprintln(a.stdout, inert(ch.Text))
			})
			if err != nil && ctx.Err() == nil {
				return err
			}
			if ctx.Err() != nil && cmd.Context().Err() == nil && err == nil {
				return nil // interrupted: a normal way to stop watching
			}
			return err
		},
	}
}
