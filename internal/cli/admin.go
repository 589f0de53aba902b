package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/internal/store/sqlite"
)

func (a *app) adminCommand() *cobra.Command {
	cmd := group("admin", "Server administration")
	cmd.AddCommand(a.adminBackupCommand())
	return cmd
}

func (a *app) adminBackupCommand() *cobra.Command {
	var data, database, out string
	cmd := &cobra.Command{
		Use:   "backup --out FILE [--data DIR | --database sqlite:PATH]",
		Short: "Write a consistent copy of the SQLite database; safe while coffer serve runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := filepath.Join(data, sqlite.FileName)
			switch {
			case strings.HasPrefix(database, "sqlite:"):
				path = strings.TrimPrefix(database, "sqlite:")
			case database != "":
				return usageError("coffer admin backup copies SQLite databases; back up PostgreSQL with pg_dump (see docs/deployment.md)")
			}
			if out == "" {
				return usageError("--out FILE is required")
			}
			if err := sqlite.Backup(cmd.Context(), path, out); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Backed up %s to %s\n", path, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "./data", "data directory of the server")
	cmd.Flags().StringVar(&database, "database", "", "sqlite:PATH of the database (instead of --data)")
	cmd.Flags().StringVar(&out, "out", "", "backup file to create")
	return cmd
}
