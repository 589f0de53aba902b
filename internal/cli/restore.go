package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/client"
)

// syncCommand syncs this device; --accept-restore accepts a restore of
// the server from a backup (docs/protocol.md §9.1).
func (a *app) syncCommand() *cobra.Command {
	var accept bool
	cmd := &cobra.Command{
		Use:   "sync [--accept-restore]",
		Short: "Sync this device with the server; --accept-restore accepts a restore of the server from a backup and gives back what it lost",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.unlocked()
			if err != nil {
				return err
			}
			a.attach(s)
			if !accept {
				if err := a.sync(cmd, s); err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, "Synced.")
				return nil
			}
			r, err := s.AcceptRestore(cmd.Context())
			if client.IsQuarantine(err) {
				a.noteQuarantined(s)
				err = nil
			}
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(r)
			}
			if !r.Accepted {
				fmt.Fprintln(a.stdout, "The server declares no restore this device has not accepted; synced.")
				return nil
			}
			fmt.Fprintf(a.stdout, "Accepted the restore of the server from a backup of %s.\n", restoreTime(r.Restore.StateAt))
			if len(r.Uploaded) == 0 && len(r.NotUploaded) == 0 {
				fmt.Fprintln(a.stdout, "This device held nothing the server lost: nothing to upload.")
			}
			for _, l := range r.Uploaded {
				fmt.Fprintf(a.stdout, "Uploaded %q (%s) again.\n", inert(l.Name), inert(l.Vault))
			}
			for _, l := range r.NotUploaded {
				fmt.Fprintf(a.stdout, "Not uploaded: %q (%s): %s.\n", inert(l.Name), inert(l.Vault), inert(l.Reason))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&accept, "accept-restore", false, "accept the server's restore from a backup: give back the items this device holds that it lost, then continue from the restored server")
	return cmd
}

func restoreTime(t time.Time) string {
	if t.IsZero() {
		return "an empty database"
	}
	return t.Format("2006-01-02 15:04 MST")
}

// adminMarkRestoredCommand records a restore done outside coffer (a
// PostgreSQL restore with pg_restore), as coffer admin restore does.
func (a *app) adminMarkRestoredCommand() *cobra.Command {
	var data, database string
	cmd := &cobra.Command{
		Use:   "mark-restored [--data DIR | --database URL]",
		Short: "Record that the database was just restored from a backup (after pg_restore), so that devices say so and give back what it lost",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if database == "" {
				database = os.Getenv("COFFER_DATABASE")
			}
			st, _, err := a.openStore(cmd.Context(), data, database)
			if err != nil {
				return err
			}
			defer st.Close()
			m, err := st.MarkRestored(cmd.Context(), time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Recorded restore %d: the database holds changes up to %s. Devices that hold newer data say so and ask their user to accept (coffer sync --accept-restore).\n", m.Generation, restoreTime(m.StateAt))
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "./data", "data directory of the server (SQLite)")
	cmd.Flags().StringVar(&database, "database", "", "database URL (env COFFER_DATABASE): postgres://… or sqlite:PATH (instead of --data)")
	return cmd
}
