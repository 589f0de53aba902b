package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/internal/webui"
)

func (a *app) webCommand() *cobra.Command {
	cmd := group("web", "The web app a server serves")
	cmd.AddCommand(&cobra.Command{
		Use:   "verify URL",
		Short: "Check that a server serves exactly the web app built into this binary (and its Content-Security-Policy)",
		Long: `Asks URL for every path of the web app as a browser would — each path
that serves the page (` + strings.Join(webui.Routes(), ", ") + `), with a
query and a trailing slash, a path of no route, and every file, each
compressed and not — and compares each answer with this binary's: its
bytes (coffer version prints the hash of the whole), and for the page its
Content-Security-Policy and that it is never cached. Then it checks each
script and stylesheet the page names against the integrity the page gives
it. A server that serves its own script is caught here, unless it serves
it only to others: see docs/security.md for what verify cannot see and
what such a server could do in a browser that trusts it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			base := strings.TrimRight(args[0], "/")
			rep, err := webui.Verify(cmd.Context(), base)
			if err != nil {
				return err
			}
			if n := len(rep.Differences); n > 0 {
				var paths []string
				for _, d := range rep.Differences {
					fmt.Fprintln(a.stdout, d.String())
					if !slices.Contains(paths, d.Path) {
						paths = append(paths, d.Path)
					}
				}
				return withCode(ExitTampered, fmt.Errorf("%s does not serve this binary's web app at %s: %d differences in %d answers (on standard output)",
					base, strings.Join(paths, ", "), n, rep.Requests))
			}
			fmt.Fprintf(a.stdout, "%s serves this binary's web app (sha256 %s; %d answers, at %d paths of the page and %d files).\n",
				base, webui.BundleHash(), rep.Requests, len(webui.Routes()), len(webui.Files())-1)
			return nil
		},
	})
	return cmd
}
