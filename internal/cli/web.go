package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/internal/webui"
)

func (a *app) webCommand() *cobra.Command {
	cmd := group("web", "The web app a server serves")
	cmd.AddCommand(&cobra.Command{
		Use:   "verify URL",
		Short: "Check that a server serves exactly the web app built into this binary (and its Content-Security-Policy)",
		Long: `Fetches every file of the web app from URL and compares each with the
SHA-256 of the copy embedded in this binary (coffer version prints the hash
of the whole). A server that serves its own script is caught here; see
docs/security.md for what such a server could do in a browser that trusts it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			base := strings.TrimRight(args[0], "/")
			hc := &http.Client{Timeout: 60 * time.Second}
			want := webui.Files()
			want["/"] = want["/index.html"]
			names := make([]string, 0, len(want))
			for n := range want {
				names = append(names, n)
			}
			sort.Strings(names)
			var bad []string
			for _, n := range names {
				resp, err := hc.Get(base + n)
				if err != nil {
					return fmt.Errorf("fetch %s: %w", n, err)
				}
				h := sha256.New()
				_, err = io.Copy(h, io.LimitReader(resp.Body, 64<<20))
				resp.Body.Close()
				if err != nil {
					return fmt.Errorf("fetch %s: %w", n, err)
				}
				got := hex.EncodeToString(h.Sum(nil))
				if n == "/" && resp.Header.Get("Content-Security-Policy") != webui.CSP {
					bad = append(bad, "the Content-Security-Policy of /")
				}
				if resp.StatusCode != http.StatusOK || got != want[n] {
					bad = append(bad, fmt.Sprintf("%s (HTTP %d)", n, resp.StatusCode))
				}
			}
			if len(bad) > 0 {
				return withCode(ExitTampered, fmt.Errorf("%s does not serve this binary's web app: %s differ", base, strings.Join(bad, ", ")))
			}
			fmt.Fprintf(a.stdout, "%s serves this binary's web app (sha256 %s, %d files).\n", base, webui.BundleHash(), len(want)-1)
			return nil
		},
	})
	return cmd
}
