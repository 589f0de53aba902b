package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/internal/store/migrations"
	"github.com/coffer-pm/coffer/internal/version"
	"github.com/coffer-pm/coffer/internal/webui"
)

// versionInfo is coffer version --json: the build (version.Info), the
// web app it embeds and the database schema it makes.
type versionInfo struct {
	version.BuildInfo
	WebApp string `json:"web_app"` // SHA-256 of the embedded web app (coffer web verify)
	Schema int64  `json:"schema"`  // the newest database schema version this binary knows
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the build (commit, Go, platform), the embedded web app's hash and the database schema",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := versionInfo{BuildInfo: version.Info(), WebApp: webui.BundleHash(), Schema: migrations.Newest()}
			if a.jsonOut {
				return a.printJSON(v)
			}
			fmt.Fprintln(a.stdout, "coffer "+v.Version)
			commit := v.Commit
			if commit == "" {
				commit = "unknown (not built from a checkout)"
			} else if v.Modified {
				commit += " (with uncommitted changes)"
			}
			fmt.Fprintf(a.stdout, "commit %s\n", commit)
			fmt.Fprintf(a.stdout, "built with %s for %s\n", v.Go, v.Platform)
			fmt.Fprintln(a.stdout, "web app sha256 "+v.WebApp)
			fmt.Fprintf(a.stdout, "database schema %d\n", v.Schema)
			return nil
		},
	}
}
